#!/usr/bin/env bash
# The password-change flood of issue 11 against the release binary, with its figures:
#
#   scripts/password_flood.sh                       # 32 connections, 20 s, per scenario
#   FLOOD_SECONDS=10 FLOOD_CONNECTIONS=64 scripts/password_flood.sh
#
# Builds the release binary, starts a private PostgreSQL cluster (scripts/pg.sh) in a temporary
# folder, migrates, imports data/listings, registers one account through the API, and then, for
# each scenario, starts a fresh server on a free port and runs at the same time, for
# FLOOD_SECONDS:
#   - FLOOD_CONNECTIONS client threads (one keep-alive connection each) sending
#     POST /api/v1/me/password with a wrong current password, as fast as answers come back;
#   - one separate client process sending GET /api/v1/supplies/{id} (an unrelated read that
#     uses the database) one after another.
# It prints, per scenario, the answers to the flood by status, the server's peak resident memory
# (VmHWM of /proc/PID/status: the kernel's own high-water mark) and its RSS after the flood, and the
# GET's median and p99 latency and failures. Scenarios:
#   defaults    the shipped settings (password changes throttled per user, hashing bounded)
#   unthrottled TECHMATCH_PASSWORD_CHANGES_PER_USER_PER_MIN=10000: every attempt reaches Argon2, so
#               only the hashing bound (TECHMATCH_HASH_CONCURRENCY) and the allocator hold memory
# Everything runs on 127.0.0.1 and stops by itself; the cluster and the folder are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FLOOD_SECONDS:-20}
conns=${FLOOD_CONNECTIONS:-32}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}

scripts/pg.sh ensure-binaries
cargo build --release --bin techmatch >&2
bin=$CARGO_TARGET_DIR/release/techmatch

work=$(mktemp -d /tmp/techmatch-flood.XXXXXX)
chmod 755 "$work"
pg_port=$(scripts/pg.sh free-port)
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=
}
cleanup() {
    stop_server
    scripts/pg.sh stop "$work/data"
    rm -rf "$work"
}
trap cleanup EXIT
scripts/pg.sh start "$work/data" "$pg_port"
admin="postgres://postgres@127.0.0.1:$pg_port/postgres"
psql "$admin" -qc "CREATE DATABASE techmatch"
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/techmatch"
TECHMATCH_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export TECHMATCH_JWT_SECRET RUST_LOG=warn TECHMATCH_LOG_FORMAT=json
"$bin" migrate 2>/dev/null
"$bin" import data/listings/demands.jsonl --side demand 2>/dev/null
"$bin" import data/listings/supplies.jsonl --side supply 2>/dev/null

start_server() {
    app_port=$(scripts/pg.sh free-port)
    base="http://127.0.0.1:$app_port"
    env "$@" TECHMATCH_BIND="127.0.0.1:$app_port" "$bin" serve 2>>"$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -fs "$base/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$work/server.log" >&2
    exit 1
}

# The GET prober: its own process, so the flood's client threads do not slow its measurements.
cat >"$work/probe.py" <<'PY'
import http.client, json, sys, time, urllib.parse
base, path, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
lat, failed, end = [], 0, time.monotonic() + seconds
while time.monotonic() < end:
    t = time.perf_counter()
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        ok = r.status == 200
    except OSError:
        ok = False
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    lat.append((time.perf_counter() - t) * 1000)
    failed += not ok
json.dump({"latencies_ms": lat, "failed": failed}, open(out, "w"))
PY

# The flood: CONNS threads, each with a keep-alive connection, wrong current password.
cat >"$work/flood.py" <<'PY'
import collections, http.client, json, sys, threading, time, urllib.parse
base, token, conns, seconds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlsplit(base)
body = json.dumps({"current_password": "wrong wrong wrong", "new_password": "a brand new password"})
headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
counts, lock, end = collections.Counter(), threading.Lock(), time.monotonic() + seconds
def attack():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    while time.monotonic() < end:
        try:
            conn.request("POST", "/api/v1/me/password", body, headers)
            r = conn.getresponse()
            r.read()
            key = str(r.status)
        except OSError as e:
            key = type(e).__name__
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        with lock:
            counts[key] += 1
threads = [threading.Thread(target=attack) for _ in range(conns)]
[t.start() for t in threads]
[t.join() for t in threads]
json.dump(counts, open(out, "w"))
PY

run_scenario() {
    local name=$1
    shift
    start_server "$@"
    local token supply
    token=$(python3 - "$base" <<'PY'
import json, sys, urllib.request, uuid
base = sys.argv[1]
def post(path, body):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req))
email = f"flood-{uuid.uuid4().hex[:12]}@example.org"
post("/api/v1/auth/register", {"email": email, "password": "correct horse battery", "display_name": "压测",
     "organization": {"kind": "university", "name": f"压测大学{uuid.uuid4().hex[:8]}"}})
print(post("/api/v1/auth/login", {"email": email, "password": "correct horse battery"})["access_token"])
PY
)
    supply=$(curl -fs "$base/api/v1/supplies?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
    local rss_before
    rss_before=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")
    python3 "$work/probe.py" "$base" "/api/v1/supplies/$supply" "$seconds" "$work/$name.probe.json" &
    local probe=$!
    python3 "$work/flood.py" "$base" "$token" "$conns" "$seconds" "$work/$name.flood.json"
    wait "$probe"
    local hwm rss_after
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
    rss_after=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")
    python3 - "$name" "$work" "$rss_before" "$hwm" "$rss_after" >>"$work/rows.md" <<'PY'
import json, statistics, sys
name, work, before, hwm, after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
flood = json.load(open(f"{work}/{name}.flood.json"))
probe = json.load(open(f"{work}/{name}.probe.json"))
lat = sorted(probe["latencies_ms"])
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
answers = ", ".join(f"{k}: {v}" for k, v in sorted(flood.items()))
print(f"| {name} | {answers} | {before / 1024:.0f} | **{hwm / 1024:.0f}** | {after / 1024:.0f} | "
      f"{len(lat)} | **{statistics.median(lat):.1f}** | {p99:.1f} | {probe['failed']} |")
PY
    stop_server
}

echo "flood: $conns connections × ${seconds}s of wrong POST /api/v1/me/password per scenario ($(nproc) cores; server, PostgreSQL and clients on this machine)" >&2
run_scenario defaults
run_scenario unthrottled TECHMATCH_PASSWORD_CHANGES_PER_USER_PER_MIN=10000

echo "| scenario | flood answers by status | RSS before, MiB | peak RSS (VmHWM), MiB | RSS after, MiB | GETs | GET median, ms | GET p99, ms | GET failures |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
cat "$work/rows.md"
