#!/bin/bash
# Runs once, right after the image's first-start setup (org, bucket with retention, admin token):
# creates the services' token and Grafana's read-only token, and leaves them in the shared tokens volume,
# where the services read them through INFLUX_TOKEN_FILE and Grafana through $__file{}. The admin token
# stays with the operator.
# The services write and delete (points, erasure) in every bucket of the org: each tenant has its own
# bucket (infra/influxdb/add-tenant.sh), and a bucket created later needs no new service token.
# Grafana's token reads the default tenant's bucket only; each other tenant's Grafana organisation gets
# its own token, scoped to its bucket.
set -euo pipefail
dir=/var/lib/influxdb2-tokens
org="${DOCKER_INFLUXDB_INIT_ORG}"
bucket_id="$(influx bucket list --org "$org" --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | awk '{print $1}')"
# `influx auth create --json` prints the authorization (tab-indented); its "token" line holds the secret.
token() { influx auth create --org "$org" --description "$1" "${@:2}" --json | sed -n 's/^[[:space:]]*"token":[[:space:]]*"\([^"]*\)".*/\1/p'; }
mkdir -p "$dir"
# No trailing newline: Grafana pastes the file into a header as it is.
# --write-buckets/--read-buckets: every bucket of the org, present and future (write covers /api/v2/delete).
printf '%s' "$(token neurolift-services --write-buckets --read-buckets)" > "$dir/services.token"
printf '%s' "$(token neurolift-grafana --read-bucket "$bucket_id")" > "$dir/grafana.token"
# Readable by the services' and Grafana's non-root users; the volume is mounted only into them.
chmod 0444 "$dir/services.token" "$dir/grafana.token"
test -s "$dir/services.token" && test -s "$dir/grafana.token"
