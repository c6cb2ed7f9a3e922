#!/usr/bin/env bash
# Load test of one techmatch instance on this machine, next to PostgreSQL's own pgbench -S.
#
#   scripts/load.sh                  # 30 s mix, 8 connections per request kind
#   LOAD_SECONDS=60 LOAD_CONNECTIONS=16 scripts/load.sh
#   LOAD_KINDS="get list match" scripts/load.sh      # a read-only mix
#
# Builds the release binary, starts a private PostgreSQL cluster (fsync on, as in production) in
# a temporary folder, migrates, imports data/listings and the demo accounts (`techmatch demo`), starts the server on
# a free port, then runs one wrk client per request kind, all at the same time:
#   get     GET /api/v1/supplies/{id} (random imported supply)
#   list    GET /api/v1/supplies|demands with filters (industry, keyword, TRL, page)
#   match   GET /api/v1/demands/{id}/matches and /supplies/{id}/matches (random listing)
#   create  POST /api/v1/demands with the demo enterprise's bearer token
# and prints requests/s, p50 and p99 per kind. Then pgbench -S (select-only, the same number of
# client connections as the HTTP mix) runs against the same cluster for scale. Everything runs on
# 127.0.0.1 and stops by itself; the cluster and the temporary folder are removed at the end.
# wrk comes from Debian's package (installed here when missing and we are root).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${LOAD_SECONDS:-30}
conns=${LOAD_CONNECTIONS:-8}
read -r -a kinds <<<"${LOAD_KINDS:-get list match create}"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then echo "wrk is missing: install Debian's 'wrk' package" >&2; exit 1; fi
    echo "Installing wrk (Debian package)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2 \
        || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
fi
scripts/pg.sh ensure-binaries
pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)

cargo build --release --bin techmatch >&2
bin=$CARGO_TARGET_DIR/release/techmatch

work=$(mktemp -d /tmp/techmatch-load.XXXXXX)
chmod 755 "$work"
pg_port=$(scripts/pg.sh free-port)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    scripts/pg.sh stop "$work/data"
    rm -rf "$work"
}
trap cleanup EXIT
scripts/pg.sh start "$work/data" "$pg_port"
admin="postgres://postgres@127.0.0.1:$pg_port/postgres"
psql "$admin" -qc "CREATE DATABASE techmatch" -c "CREATE DATABASE pgbench"
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/techmatch"
TECHMATCH_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export TECHMATCH_JWT_SECRET RUST_LOG=warn TECHMATCH_LOG_FORMAT=json
"$bin" migrate 2>/dev/null
"$bin" import data/listings/demands.jsonl --side demand 2>/dev/null
"$bin" import data/listings/supplies.jsonl --side supply 2>/dev/null
"$bin" demo 2>/dev/null

app_port=$(scripts/pg.sh free-port)
base="http://127.0.0.1:$app_port"
TECHMATCH_BIND="127.0.0.1:$app_port" "$bin" serve 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "$base/readyz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

# Request targets and the Lua scripts of the four kinds.
python3 - "$base" "$work" <<'PY'
import json, sys, urllib.parse, urllib.request
base, work = sys.argv[1], sys.argv[2]

def get(path, token=None):
    req = urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"} if token else {})
    return json.load(urllib.request.urlopen(req))

login = urllib.request.Request(
    base + "/api/v1/auth/login",
    data=json.dumps({"email": "enterprise@demo.techmatch", "password": "techmatch-demo-2026"}).encode(),
    headers={"content-type": "application/json"},
)
token = json.load(urllib.request.urlopen(login))["access_token"]
supplies = [s["id"] for s in get("/api/v1/supplies?per_page=100")["items"]]
demands = [d["id"] for d in get("/api/v1/demands?per_page=100")["items"]]
q = urllib.parse.quote
lists = [
    "/api/v1/supplies?industry=goji&per_page=20",
    "/api/v1/supplies?trl_min=4&trl_max=9&page=2&per_page=20",
    f"/api/v1/supplies?keyword={q('枸杞')}",
    f"/api/v1/supplies?q={q('光伏')}&per_page=10",
    "/api/v1/demands?industry=clean_energy&per_page=20",
    f"/api/v1/demands?q={q('葡萄酒')}",
]
matches = [f"/api/v1/demands/{i}/matches?per_page=10" for i in demands] + [
    f"/api/v1/supplies/{i}/matches?per_page=10" for i in supplies
]

def lua_list(values):
    return "{" + ",".join(json.dumps(v) for v in values) + "}"

done = r'''
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.stderr:write(string.format('{"kind":"%s","requests":%d,"seconds":%.3f,"failed":%d,"p50_ms":%.2f,"p99_ms":%.2f}\n',
    KIND, summary.requests, summary.duration / 1e6, bad, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
'''
scripts = {
    "get": f'KIND="get"\nlocal ids = {lua_list(supplies)}\n'
           'request = function() return wrk.format("GET", "/api/v1/supplies/" .. ids[math.random(#ids)]) end\n',
    "list": f'KIND="list"\nlocal paths = {lua_list(lists)}\n'
            'request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n',
    "match": f'KIND="match"\nlocal paths = {lua_list(matches)}\n'
             'request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n',
    "create": 'KIND="create"\nlocal n = 0\n'
              f'local headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}\n'
              'request = function()\n  n = n + 1\n'
              '  local body = string.format(\'{"title":"压测需求 %d-%d","description":"枸杞鲜果在线无损分选设备，按大小和色泽分级","keywords":["枸杞","分选"],"industries":["goji"]}\', math.random(1e9), n)\n'
              '  return wrk.format("POST", "/api/v1/demands", headers, body)\nend\n',
}
for kind, text in scripts.items():
    with open(f"{work}/{kind}.lua", "w", encoding="utf-8") as f:
        f.write(text + done)
PY

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load: ${#kinds[@]} request kind(s) × $conns connections for ${seconds}s against $base ($(nproc) cores, server, PostgreSQL and wrk on this machine)" >&2
pids=()
for kind in "${kinds[@]}"; do
    wrk -t1 -c"$conns" -d"${seconds}s" --timeout 10s -s "$work/$kind.lua" "$base" >"$work/$kind.out" 2>"$work/$kind.json" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

# What the server looked like after the mix: index size, resident memory, engine search time.
curl -fs "$base/readyz" >"$work/readyz.json"
curl -fs "$base/metrics" >"$work/metrics.txt"
rss_kib=$(ps -o rss= -p "$server_pid" | tr -d ' ')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# pgbench -S on the same cluster, same total client count as the HTTP mix.
clients=$((conns * ${#kinds[@]}))
"$pgbench" -i -q -s 10 "postgres://postgres@127.0.0.1:$pg_port/pgbench" >/dev/null 2>&1
"$pgbench" -S -n -c "$clients" -j 2 -T "$seconds" "postgres://postgres@127.0.0.1:$pg_port/pgbench" >"$work/pgbench.out" 2>&1
pg_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.out" | tail -1)

echo "machine load average (1, 5, 15 min) before the mix: $load_before; right after it: $load_after"
python3 - "$work" "$pg_tps" "$clients" "$seconds" "$rss_kib" "${kinds[@]}" <<'PY'
import json, re, sys
work, pg_tps, clients, seconds, rss_kib = sys.argv[1], float(sys.argv[2] or 0), sys.argv[3], sys.argv[4], int(sys.argv[5])
rows = [json.loads(open(f"{work}/{k}.json").read().strip().splitlines()[-1]) for k in sys.argv[6:]]
print(f"| kind | requests | req/s | p50 ms | p99 ms | failed |")
print(f"| --- | ---: | ---: | ---: | ---: | ---: |")
total = 0.0
for r in rows:
    rps = r["requests"] / r["seconds"]
    total += rps
    print(f"| {r['kind']} | {r['requests']} | {rps:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['failed']} |")
print(f"| **all (concurrent mix)** | {sum(r['requests'] for r in rows)} | **{total:.0f}** | | | {sum(r['failed'] for r in rows)} |")
print()
print(f"pgbench -S (select-only, scale 10, {clients} clients, {seconds}s, same cluster): {pg_tps:.0f} tps")
ready = json.load(open(f"{work}/readyz.json"))
metrics = open(f"{work}/metrics.txt").read()
def series(name):
    return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+-]+)$", metrics, re.M))
searches = series("techmatch_match_search_duration_seconds_count")
mean_us = series("techmatch_match_search_duration_seconds_sum") / searches * 1e6 if searches else 0
print(f"after the mix: index {ready['indexed_supplies']} supplies + {ready['indexed_demands']} demands, "
      f"server RSS {rss_kib / 1024:.0f} MiB, {searches:.0f} engine searches averaging {mean_us:.0f} µs")
PY
