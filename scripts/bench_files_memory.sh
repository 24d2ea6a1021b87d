#!/usr/bin/env bash
# Peak memory (VmHWM) of the server while it receives and sends 5 MiB files: uploads and
# downloads must stream, so the peak stays near the idle figure instead of growing with the
# file size and the number of requests in flight.
#
#   scripts/bench_files_memory.sh            # builds the release binary first
#   BIN=target/debug/ops-server scripts/bench_files_memory.sh   # any other build, no rebuild
#   ROUNDS=5 PARALLEL=4 scripts/bench_files_memory.sh
#
# It starts its own server on a free port with a temporary data folder (SQLite), logs in as the
# bootstrap admin, and uploads/downloads with curl. Needs bash, curl, python3 (free port, JSON).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-5}"
PARALLEL="${PARALLEL:-4}"
SIZE=$((5 * 1024 * 1024))
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --bin ops-server
  BIN=target/release/ops-server
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port/api/v1"
cat > "$work/config.yaml" <<EOF
data_dir: "$work/data"
database:
  path: "$work/data/db.db"
file:
  paths:
    image: "$work/data/images"
bootstrap:
  admin_password: "bench-password-1"
log:
  level: "warn"
EOF
OPS__SERVER__HOST=127.0.0.1 OPS__SERVER__PORT="$port" "$BIN" --config "$work/config.yaml" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

hwm() { awk '/VmHWM/ {print $2}' "/proc/$server_pid/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
report() { printf '%-34s VmHWM %7d kB   VmRSS %7d kB\n' "$1" "$(hwm)" "$(rss)"; }

token="$(curl -fs -X POST "$base/users/login" -H 'Content-Type: application/json' \
  -d '{"name": "admin", "password": "bench-password-1"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["cookie_value"])')"

# A 5 MiB PNG: a real 1x1 PNG header followed by random bytes (distinct per file, no dedupe).
make_png() {
  {
    printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89'
    head -c $((SIZE - 33)) /dev/urandom
  } >"$1"
}

upload() {
  curl -fs -H "Authorization: Bearer $token" -F "file=@$1;type=image/png" "$base/files/upload" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["sha256"])'
}

echo "server pid $server_pid, $ROUNDS rounds of $PARALLEL parallel 5 MiB uploads then downloads"
report "idle, after login"

hashes=()
for round in $(seq 1 "$ROUNDS"); do
  pids=()
  for i in $(seq 1 "$PARALLEL"); do
    make_png "$work/up-$round-$i.png"
    upload "$work/up-$round-$i.png" >"$work/hash-$round-$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in $(seq 1 "$PARALLEL"); do hashes+=("$(cat "$work/hash-$round-$i")"); done
done
report "after $((ROUNDS * PARALLEL)) uploads"

for round in $(seq 1 "$ROUNDS"); do
  pids=()
  for i in $(seq 1 "$PARALLEL"); do
    h="${hashes[$(((round - 1) * PARALLEL + i - 1))]}"
    curl -fs -o "$work/down-$round-$i" "$base/files/download/$h" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in $(seq 1 "$PARALLEL"); do
    cmp -s "$work/up-$round-$i.png" "$work/down-$round-$i" || { echo "download $round-$i differs"; exit 1; }
  done
done
report "after $((ROUNDS * PARALLEL)) downloads"
echo "bytes moved: $((ROUNDS * PARALLEL * SIZE * 2 / 1024 / 1024)) MiB; at most $((PARALLEL * SIZE / 1024 / 1024)) MiB in flight at once"
