#!/usr/bin/env bash
# Runs the whole test suite against a throwaway PostgreSQL cluster, then removes it.
# Extra arguments go to the test runner (cargo nextest when installed, cargo test otherwise).
# With DATABASE_URL already set (a server you run yourself, superuser rights needed to create
# databases), that server is used instead and nothing is started.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/nginx.sh ensure-binary # tests/api/proxy.rs runs the API behind the real nginx

if [ -z "${DATABASE_URL:-}" ]; then
    scripts/pg.sh ensure-binaries
    dir=$(mktemp -d /tmp/techmatch-test-pg.XXXXXX)
    chmod 755 "$dir" # the cluster's owner (`postgres` when we are root) must reach data/ inside
    port=$(scripts/pg.sh free-port)
    cleanup() { scripts/pg.sh stop "$dir/data"; rm -rf "$dir"; }
    trap cleanup EXIT
    scripts/pg.sh start "$dir/data" "$port" fast
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "test cluster: $DATABASE_URL" >&2
fi

if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --no-fail-fast "$@"
else
    cargo test --no-fail-fast "$@"
fi
