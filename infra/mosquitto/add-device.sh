#!/usr/bin/env bash
# Adds (or changes) broker credentials: ./infra/mosquitto/add-device.sh <username> [password]
# A station's username is its stationId. Without a password, a random one is generated and printed.
# Uses mosquitto_passwd from the Debian package or, when absent, from the eclipse-mosquitto image.
set -euo pipefail
user="${1:?usage: add-device.sh <username> [password]}"
pass="${2:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"
dir="$(cd "$(dirname "$0")" && pwd)"
file="$dir/passwd"
# A station's username is its id (the id rule); the pipeline's users and coach apps have a '.' in
# theirs (neurolift.ingest, coach.gym-01), so the ACL's station pattern can never make them a station.
[[ "$user" =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || { echo "username must be 1-64 of A-Z a-z 0-9 _ - (and . for non-station users)" >&2; exit 1; }
# The ACL lets a station write below gym/v1/+/<username>/#, which includes gym/v1/+/<username>:
# a station called "alerts" could publish coach alerts.
[[ "$user" != "alerts" ]] || { echo "\"alerts\" is reserved (gym/v1/<gymId>/alerts is the coach alerts topic)" >&2; exit 1; }
touch "$file"
if command -v mosquitto_passwd >/dev/null 2>&1; then
  mosquitto_passwd -b "$file" "$user" "$pass"
else
  docker run --rm -v "$dir:/m" eclipse-mosquitto:2 mosquitto_passwd -b /m/passwd "$user" "$pass"
fi
# The broker reads the file as its own user (uid 1883 in the eclipse-mosquitto image).
chmod 600 "$file" 2>/dev/null || true
if [ "$(id -u)" = 0 ]; then chown 1883:1883 "$file"; else echo "note: run 'sudo chown 1883:1883 $file' so the broker can read it" >&2; fi
echo "$user $pass"
