#!/usr/bin/env bash
# Makes sure the system programs the demo and the tests run are here:
# Debian's packages (real ones: never a mock). Takes program names, and
# nginx's modules from Debian (libnginx-mod-*, found by their .so file);
# installs the packages of the missing ones with apt-get when it can (root,
# Debian); otherwise says which command to run, and fails (or, after
# --optional, only says it).
#   bash scripts/system-deps.sh nginx [chromium firefox-esr WebKitWebDriver Xvfb gunicorn caddy haproxy apache2 uwsgi] [libnginx-mod-http-js uwsgi-plugin-python3]
#   bash scripts/system-deps.sh --optional libnginx-mod-http-js
set -euo pipefail

optional=false
if [ "${1:-}" = "--optional" ]; then
  optional=true
  shift
fi

modules="${NGINX_MODULES:-/usr/lib/nginx/modules}"

# The Debian package that brings a program, where the names differ.
package_of() {
  case "$1" in
    WebKitWebDriver) echo webkit2gtk-driver ;; # MiniBrowser comes with it (libwebkit2gtk-4.1-0)
    Xvfb | xvfb-run) echo xvfb ;;
    *) echo "$1" ;;
  esac
}

# libnginx-mod-http-js → ngx_http_js_module.so; uwsgi-plugin-python3 →
# python3_plugin.so; anything else is a program.
present() {
  case "$1" in
    libnginx-mod-*)
      local name="${1#libnginx-mod-}"
      [ -f "$modules/ngx_${name//-/_}_module.so" ] ;;
    uwsgi-plugin-*)
      [ -f "/usr/lib/uwsgi/plugins/${1#uwsgi-plugin-}_plugin.so" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for program in "$@"; do
  present "$program" || missing+=("$(package_of "$program")")
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
$optional && exit 0
exit 1
