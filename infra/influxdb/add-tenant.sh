#!/bin/bash
# A tenant's InfluxDB side: its bucket (created unless it exists) and a new read-only token scoped to that
# bucket, for the tenant's Grafana organisation. Prints the token alone on stdout (all else on stderr), so
# it can be piped on: to infra/grafana/add-tenant-org.sh, or into a secret store. The services need nothing
# new when their token writes every bucket of the org (stacks set up since tenancy; an older stack's token
# covers its first bucket only: replace it first, docs/deploy.md "Upgrading to tenancy"). Register the
# tenant with this bucket in the device registry.
#
# Run inside the InfluxDB container (the script is not mounted there: it is read from stdin):
#   docker compose exec -T influxdb bash -s -- <tenant-id> <bucket> [retention] < infra/influxdb/add-tenant.sh
# retention: an InfluxDB duration such as 400d or 52w, 0 for infinite; default the default bucket's (INFLUX_RETENTION).
# Running it again keeps the bucket and issues one more token (revoke old ones with `influx auth delete`).
set -euo pipefail

usage() { echo "usage: add-tenant.sh <tenant-id> <bucket> [retention]" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || usage
tenant="$1"
bucket="$2"
retention="${3:-${DOCKER_INFLUXDB_INIT_RETENTION:-400d}}"
# The registry's rules: tenant ids are protocol ids, bucket names what the InfluxDB API accepts unquoted.
[[ "$tenant" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || { echo "tenant id must be 1 to 64 characters of A-Z a-z 0-9 _ -" >&2; exit 2; }
[[ "$bucket" =~ ^[A-Za-z0-9_.-]{1,128}$ ]] || { echo "bucket must be 1 to 128 characters of A-Z a-z 0-9 _ . -" >&2; exit 2; }
[[ "$retention" =~ ^([0-9]+(ns|us|ms|s|m|h|d|w))+$|^0$ ]] || { echo "retention must be an InfluxDB duration (400d, 52w) or 0" >&2; exit 2; }

# The container's own setup: its org, and its admin token unless the caller gave another.
export INFLUX_HOST="${INFLUX_HOST:-http://localhost:8086}"
export INFLUX_ORG="${INFLUX_ORG:-${DOCKER_INFLUXDB_INIT_ORG:?no INFLUX_ORG}}"
export INFLUX_TOKEN="${INFLUX_TOKEN:-${DOCKER_INFLUXDB_INIT_ADMIN_TOKEN:?no INFLUX_TOKEN}}"

bucket_id="$(influx bucket list --name "$bucket" --hide-headers 2>/dev/null | awk '{print $1}' || true)"
if [[ -z "$bucket_id" ]]; then
  bucket_id="$(influx bucket create --name "$bucket" --retention "$retention" --description "Neurolift tenant $tenant" --hide-headers | awk '{print $1}')"
  echo "created bucket $bucket ($bucket_id), retention $retention" >&2
else
  echo "bucket $bucket ($bucket_id) exists; kept as it is" >&2
fi
[[ -n "$bucket_id" ]] || { echo "no bucket id for $bucket" >&2; exit 1; }

# `influx auth create --json` prints the authorization (tab-indented); its "token" line holds the secret.
token="$(influx auth create --description "neurolift-grafana-$tenant" --read-bucket "$bucket_id" --json | sed -n 's/^[[:space:]]*"token":[[:space:]]*"\([^"]*\)".*/\1/p')"
[[ -n "$token" ]] || { echo "token not created" >&2; exit 1; }
echo "read-only token for bucket $bucket created (description neurolift-grafana-$tenant)" >&2
printf '%s\n' "$token"
