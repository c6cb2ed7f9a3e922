#!/usr/bin/env bash
# nginx for the tests that run the API behind the real reverse proxy (tests/api/proxy.rs, with
# deploy/nginx.conf). `scripts/nginx.sh ensure-binary` installs Debian's nginx-light when no nginx
# is installed (as root, or through sudo); the tests start and stop their own nginx processes.
set -euo pipefail

nginx_bin=${NGINX:-/usr/sbin/nginx}

case "${1:-}" in
ensure-binary)
    if [ -x "$nginx_bin" ]; then
        exit 0
    fi
    echo "installing nginx-light (Debian) for the reverse-proxy tests" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y --no-install-recommends nginx-light >/dev/null 2>&1 || {
        $sudo apt-get update >/dev/null
        $sudo apt-get install -y --no-install-recommends nginx-light >/dev/null
    }
    [ -x "$nginx_bin" ] || { echo "nginx is still missing at $nginx_bin" >&2; exit 1; }
    ;;
*)
    echo "usage: scripts/nginx.sh ensure-binary" >&2
    exit 2
    ;;
esac
