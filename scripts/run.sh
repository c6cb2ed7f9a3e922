#!/usr/bin/env bash
# Serves the techmatch API on the real listings in data/listings.
# Without DATABASE_URL, a private PostgreSQL cluster is started in .pg/ (or under /var/tmp when the
# project folder is not reachable by the `postgres` user) on port $TECHMATCH_PG_PORT (54329) and
# stopped when the server exits. The schema is migrated, the listings imported and the demo
# accounts created (all idempotent). Without TECHMATCH_SMTP_HOST, a local mail sink
# (`techmatch mailsink`) listens on 127.0.0.1:$TECHMATCH_MAILSINK_PORT (2525) and writes every mail
# the server sends as an .eml file into .pg/mail/.
set -euo pipefail
cd "$(dirname "$0")/.."

sink_pid=
pg_dir=
cleanup() {
    if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi
    if [ -n "$pg_dir" ]; then scripts/pg.sh stop "$pg_dir"; fi
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
    scripts/pg.sh ensure-binaries
    pg_port=${TECHMATCH_PG_PORT:-54329}
    dir="$PWD/.pg/data"
    if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$PWD"; then
        dir="/var/tmp/techmatch-pg-$(printf '%s' "$PWD" | md5sum | cut -c1-12)/data"
    fi
    scripts/pg.sh start "$dir" "$pg_port"
    pg_dir=$dir
    psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'techmatch'" | grep -q 1 \
        || psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -qc "CREATE DATABASE techmatch"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/techmatch"
    echo "private PostgreSQL cluster in $dir ($DATABASE_URL)" >&2
fi

# A signing key for access tokens: kept in .pg/jwt-secret so tokens survive restarts.
if [ -z "${TECHMATCH_JWT_SECRET:-}" ]; then
    mkdir -p .pg
    [ -s .pg/jwt-secret ] || head -c 48 /dev/urandom | base64 | tr -d '\n' > .pg/jwt-secret
    TECHMATCH_JWT_SECRET=$(cat .pg/jwt-secret)
    export TECHMATCH_JWT_SECRET
fi

cargo build --release --bin techmatch
bin=target/release/techmatch

# A local mail sink: every mail the server sends lands in .pg/mail/ as an .eml file.
if [ -z "${TECHMATCH_SMTP_HOST:-}" ]; then
    mkdir -p .pg/mail
    sink_port=${TECHMATCH_MAILSINK_PORT:-2525}
    "$bin" mailsink --bind "127.0.0.1:$sink_port" --dir .pg/mail &
    sink_pid=$!
    export TECHMATCH_SMTP_HOST=127.0.0.1 TECHMATCH_SMTP_PORT=$sink_port TECHMATCH_SMTP_TLS=none
    export TECHMATCH_WEBHOOK_ALLOW_LOOPBACK=${TECHMATCH_WEBHOOK_ALLOW_LOOPBACK:-true}
    echo "mail sink on 127.0.0.1:$sink_port: mails are written to $PWD/.pg/mail/" >&2
fi
"$bin" migrate
"$bin" import data/listings/demands.jsonl --side demand
"$bin" import data/listings/supplies.jsonl --side supply
"$bin" demo
"$bin" serve
