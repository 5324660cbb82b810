#!/bin/bash
# A tenant's Grafana: its own organisation, an InfluxDB data source in it reading only the tenant's bucket
# (with the bucket-scoped token infra/influxdb/add-tenant.sh printed), and the Neurolift dashboards (not
# "Pipeline health": its metrics are every tenant's, it stays in the operator's organisation).
# Then invite the tenant's users into that organisation only. Idempotent: run it again to update the
# dashboards after a change of their JSON (they are copies, not provisioned) or to rotate the token.
#
#   docker compose exec -T influxdb bash -s -- <tenant-id> <bucket> < infra/influxdb/add-tenant.sh \
#     | GRAFANA_ADMIN_PASSWORD=… infra/grafana/add-tenant-org.sh <tenant-id> "<organisation name>" <bucket>
#
# The token is read from stdin (never an argument: it would show in the process list). Needs curl and jq.
# GRAFANA_URL (default http://localhost:3000), GRAFANA_ADMIN_USER (default admin) and GRAFANA_ADMIN_PASSWORD:
# a Grafana server admin; GRAFANA_INFLUX_URL: InfluxDB as Grafana reaches it (default http://influxdb:8086).
set -euo pipefail

fail() { echo "add-tenant-org: $*" >&2; exit 1; }
[[ $# -eq 3 ]] || { echo 'usage: add-tenant-org.sh <tenant-id> "<organisation name>" <bucket>  (token on stdin)' >&2; exit 2; }
tenant="$1"
org_name="$2"
bucket="$3"
[[ "$tenant" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || fail "tenant id must be 1 to 64 characters of A-Z a-z 0-9 _ -"
[[ "$bucket" =~ ^[A-Za-z0-9_.-]{1,128}$ ]] || fail "bucket must be 1 to 128 characters of A-Z a-z 0-9 _ . -"
[[ -n "$org_name" ]] || fail "the organisation needs a name"
: "${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD}"
command -v jq > /dev/null || fail "jq is needed"
grafana="${GRAFANA_URL:-http://localhost:3000}"
admin="${GRAFANA_ADMIN_USER:-admin}"
influx_url="${GRAFANA_INFLUX_URL:-http://influxdb:8086}"
dashboards="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dashboards"
IFS= read -r token || true
[[ -n "$token" ]] || fail "no token on stdin (the output of infra/influxdb/add-tenant.sh)"

# The admin's credentials as a curl config on a file descriptor, not in the process list.
escaped_user="${admin//\\/\\\\}"; escaped_user="${escaped_user//\"/\\\"}"
escaped_password="${GRAFANA_ADMIN_PASSWORD//\\/\\\\}"; escaped_password="${escaped_password//\"/\\\"}"
org_id=""
status=""
body=""
# call METHOD PATH [JSON]: sets status and body; the organisation is org_id once known.
call() {
  local out
  local args=(-sS -X "$1" -H 'Content-Type: application/json' -w $'\n%{http_code}')
  [[ -n "$org_id" ]] && args+=(-H "X-Grafana-Org-Id: $org_id")
  [[ $# -ge 3 ]] && args+=(--data-binary @-)
  out="$(curl "${args[@]}" -K <(printf 'user = "%s:%s"\n' "$escaped_user" "$escaped_password") "$grafana$2" <<< "${3:-}")" || fail "$1 $2: no answer from $grafana"
  status="${out##*$'\n'}"
  body="${out%$'\n'*}"
}
expect() {
  local what="$1"; shift
  for code in "$@"; do [[ "$status" == "$code" ]] && return 0; done
  fail "$what: HTTP $status $body"
}

# 1. The organisation (a server admin creating it becomes its admin; made sure of below).
call POST /api/orgs "$(jq -n --arg name "$org_name" '{name: $name}')"
if [[ "$status" == 409 ]]; then
  call GET "/api/orgs/name/$(jq -rn --arg name "$org_name" '$name | @uri')"
  expect "organisation \"$org_name\"" 200
  org_id="$(jq -r '.id' <<< "$body")"
  echo "organisation \"$org_name\" exists ($org_id)" >&2
else
  expect "creating organisation \"$org_name\"" 200
  org_id="$(jq -r '.orgId' <<< "$body")"
  echo "organisation \"$org_name\" created ($org_id)" >&2
fi
[[ "$org_id" =~ ^[0-9]+$ ]] || fail "no organisation id in: $body"
saved_org="$org_id"; org_id=""
call POST "/api/orgs/$saved_org/users" "$(jq -n --arg login "$admin" '{loginOrEmail: $login, role: "Admin"}')"
expect "making $admin an admin of the organisation" 200 409
org_id="$saved_org"

# 2. The data source, with the uid the dashboards' panels name; the token only reads the tenant's bucket.
datasource="$(jq -n --arg bucket "$bucket" --arg token "$token" --arg url "$influx_url" '{
  name: "Neurolift InfluxDB", uid: "neurolift-influxdb", type: "influxdb", access: "proxy", url: $url, isDefault: true,
  jsonData: { version: "InfluxQL", dbName: $bucket, httpMode: "GET", httpHeaderName1: "Authorization" },
  secureJsonData: { httpHeaderValue1: ("Token " + $token) }
}')"
call GET /api/datasources/uid/neurolift-influxdb
if [[ "$status" == 200 ]]; then
  call PUT /api/datasources/uid/neurolift-influxdb "$datasource"
  expect "updating the data source" 200
  echo "data source updated: bucket $bucket, new token" >&2
else
  call POST /api/datasources "$datasource"
  expect "creating the data source" 200
  echo "data source created: bucket $bucket" >&2
fi

# 3. The dashboards, in a Neurolift folder as in the operator's organisation.
call GET /api/folders/neurolift
if [[ "$status" != 200 ]]; then
  call POST /api/folders '{"uid":"neurolift","title":"Neurolift"}'
  expect "creating the Neurolift folder" 200
fi
for file in "$dashboards"/*.json; do
  [[ "$(basename "$file")" == pipeline-health.json ]] && continue
  call POST /api/dashboards/db "$(jq --arg tenant "$tenant" '{dashboard: (. + {id: null}), folderUid: "neurolift", overwrite: true, message: ("tenant " + $tenant + ": add-tenant-org.sh")}' "$file")"
  expect "importing $(basename "$file")" 200
  echo "dashboard $(jq -r '.title' "$file") imported" >&2
done
echo "Grafana organisation $org_id is tenant $tenant's: invite its users there (Administration → Users and access)." >&2
