#!/usr/bin/env bash
# Makes sure the system programs the demo and the tests run are here:
# Debian's nginx and chromium packages, and caddy, haproxy and apache2 for
# the other servers' snippets (real ones: never a mock). Each program is
# named after its Debian package. Installs the missing ones with apt-get
# when it can (root, Debian); otherwise says which command to run, and fails.
#   bash scripts/system-deps.sh nginx [chromium] [caddy] [haproxy] [apache2]
set -euo pipefail

missing=()
for program in "$@"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "backsoon: installing ${missing[*]} (Debian packages)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "backsoon: needs ${missing[*]}: run  sudo apt-get install -y ${missing[*]}" >&2
exit 1
