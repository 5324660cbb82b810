#!/bin/bash
# Runs once, right after the image's first-start setup (org, bucket with retention, admin token):
# creates the services' token (write and delete on the bucket: points and erasure) and Grafana's
# read-only token, and leaves them in the shared tokens volume, where the services read them through
# INFLUX_TOKEN_FILE and Grafana through $__file{}. The admin token stays with the operator.
set -euo pipefail
dir=/var/lib/influxdb2-tokens
org="${DOCKER_INFLUXDB_INIT_ORG}"
bucket_id="$(influx bucket list --org "$org" --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | awk '{print $1}')"
# `influx auth create --json` prints the authorization; its "token" line holds the secret.
token() { influx auth create --org "$org" --description "$1" "${@:2}" --json | sed -n 's/^ *"token": *"\([^"]*\)".*/\1/p'; }
mkdir -p "$dir"
# No trailing newline: Grafana pastes the file into a header as it is.
printf '%s' "$(token neurolift-services --write-bucket "$bucket_id" --read-bucket "$bucket_id")" > "$dir/services.token"
printf '%s' "$(token neurolift-grafana --read-bucket "$bucket_id")" > "$dir/grafana.token"
# Readable by the services' and Grafana's non-root users; the volume is mounted only into them.
chmod 0444 "$dir/services.token" "$dir/grafana.token"
test -s "$dir/services.token" && test -s "$dir/grafana.token"
