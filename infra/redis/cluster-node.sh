#!/bin/sh
# Entry point of a Redis Cluster node (compose profile `cluster`, docker-compose.yml). The command it is
# given is the single `redis` service's (the same redis.conf, `default` password and `neurolift` ACL
# user, see &redis-command); this adds the cluster settings (cluster.conf) and the node's addresses, then
# hands over to the image's own entry point (which drops to the redis user).
#   REDIS_NODE_IP        fixed IP on the redis-cluster network: the cluster bus address other nodes keep
#   REDIS_NODE_HOSTNAME  the compose service name: the address clients are redirected to
#   REDIS_PASSWORD       the `default` user's password, which a replica needs to sync from its master
set -eu
: "${REDIS_NODE_IP:?}" "${REDIS_NODE_HOSTNAME:?}" "${REDIS_PASSWORD:?}"
exec docker-entrypoint.sh "$@" \
  --include /usr/local/etc/redis/cluster.conf \
  --cluster-announce-ip "$REDIS_NODE_IP" \
  --cluster-announce-hostname "$REDIS_NODE_HOSTNAME" \
  --masterauth "$REDIS_PASSWORD"
