#!/usr/bin/env bash
# Private PostgreSQL clusters for running and testing techmatch; no system service is touched.
#
#   scripts/pg.sh start DIR PORT [fast]   create (initdb) if needed and start a cluster in DIR on 127.0.0.1:PORT
#   scripts/pg.sh stop DIR                stop the cluster in DIR
#   scripts/pg.sh free-port               print a free TCP port on 127.0.0.1
#
# The cluster trusts local TCP connections from user `postgres` and listens on 127.0.0.1 only.
# initdb and postgres refuse to run as root: as root they run as the `postgres` user (created by
# Debian's postgresql package, which is installed here when the server binaries are missing).
# `fast` turns fsync off: for throwaway test clusters only.
set -euo pipefail

pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

ensure_binaries() {
    if pg_bindir >/dev/null; then return 0; fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL server binaries not found: install Debian's 'postgresql' and 'libpq-dev' packages (or set DATABASE_URL)." >&2
        exit 1
    fi
    echo "Installing PostgreSQL (Debian packages postgresql, libpq-dev)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql libpq-dev >&2
    pg_bindir >/dev/null
}

# Runs a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    echo "no free port found" >&2
    return 1
}

start() {
    local dir=$1 port=$2 mode=${3:-}
    ensure_binaries
    local bin
    bin=$(pg_bindir)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
            || { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200"
    if [ "$mode" = fast ]; then opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
}

stop() {
    local dir=$1 bin
    bin=$(pg_bindir) || return 0
    if [ -f "$dir/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    fi
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    free-port) free_port ;;
    ensure-binaries) ensure_binaries ;;
    *) echo "usage: $0 start DIR PORT [fast] | stop DIR | free-port | ensure-binaries" >&2; exit 2 ;;
esac
