#!/bin/sh
# One-shot of the compose profile `cluster` (docker-compose.yml): makes the six nodes one Redis Cluster,
# 3 masters with a replica each, the first time; later runs find the cluster and only wait until it is
# ok, so `docker compose up` may run it any number of times.
#   REDIS_CLUSTER_NODES  "ip:port …" of every node (the fixed IPs: the cluster bus keeps them)
#   REDIS_PASSWORD       the `default` user's password (creating a cluster takes admin commands)
#   REDIS_CLUSTER_WAIT_SECONDS  how long to wait for cluster_state:ok (default 120)
# A cluster that is half made (a node without the others, slots missing) is not repaired here: it ends
# with an error naming the node; see `redis-cli --cluster check|fix|add-node`.
set -eu
: "${REDIS_CLUSTER_NODES:?}" "${REDIS_PASSWORD:?}"

cli() { redis-cli -a "$REDIS_PASSWORD" --no-auth-warning "$@"; }
# info_field <ip:port> <name>: one field of the node's CLUSTER INFO (empty if it does not answer)
info_field() { cli -h "${1%:*}" -p "${1##*:}" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }

wait_ok() {
  deadline=$(( $(date +%s) + ${REDIS_CLUSTER_WAIT_SECONDS:-120} ))
  for node in $REDIS_CLUSTER_NODES; do
    until [ "$(info_field "$node" cluster_state)" = ok ]; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "redis-cluster-init: $node: cluster_state is not ok (known nodes: $(info_field "$node" cluster_known_nodes), slots: $(info_field "$node" cluster_slots_assigned))" >&2
        exit 1
      fi
      sleep 1
    done
  done
  echo "redis-cluster-init: cluster_state:ok on every node"
}

# A node that knows other nodes or serves slots is part of a cluster already: never create over it.
for node in $REDIS_CLUSTER_NODES; do
  known=$(info_field "$node" cluster_known_nodes)
  slots=$(info_field "$node" cluster_slots_assigned)
  if [ -z "$known" ]; then
    echo "redis-cluster-init: $node does not answer CLUSTER INFO (cluster mode off, or a wrong password?)" >&2
    exit 1
  fi
  if [ "$known" -gt 1 ] || [ "${slots:-0}" -gt 0 ]; then
    echo "redis-cluster-init: the cluster exists ($node knows $known nodes); not creating it again"
    wait_ok
    exit 0
  fi
done

echo "redis-cluster-init: creating the cluster: $REDIS_CLUSTER_NODES"
# shellcheck disable=SC2086 # one argument per node
cli --cluster create $REDIS_CLUSTER_NODES --cluster-replicas 1 --cluster-yes
wait_ok
