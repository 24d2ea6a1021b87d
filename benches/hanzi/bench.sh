#!/bin/sh
# Load 90,000 characters, then time GET /hanzi/repertoire/all and read the server's peak RSS.
set -e
BIN=${BIN:-$(cd "$(dirname "$0")/../.." && pwd)/target/release/ops-server}
DIR=/tmp/hanzi_bench/data
rm -rf "$DIR"; mkdir -p "$DIR"
export OPS__DATA_DIR=$DIR OPS__DATABASE__PATH=$DIR/db.db OPS__SERVER__PORT=18931 \
       OPS__SERVER__HOST=127.0.0.1 OPS__BOOTSTRAP__ADMIN_PASSWORD=bench-password-1 OPS__LOG__LEVEL=warn
CFG=$DIR/config.yaml
/usr/bin/time -f "import: %e s wall, %M KiB peak RSS" "$BIN" --config "$CFG" hanzi import ${REPERTOIRE:-/tmp/hanzi_bench/rep90k.json}
"$BIN" --config "$CFG" & PID=$!
trap 'kill $PID 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:18931/readyz >/dev/null; do sleep 0.2; done
echo "server VmHWM before: $(grep VmHWM /proc/$PID/status)"
for i in 1 2 3; do
  curl -s -o /tmp/hanzi_bench/all.json -w "all: first byte %{time_starttransfer}s, total %{time_total}s, %{size_download} bytes\n" \
    http://127.0.0.1:18931/hanzi/repertoire/all
done
echo "server VmHWM after /all x3: $(grep VmHWM /proc/$PID/status)"
python3 -c "import json; d=json.load(open('/tmp/hanzi_bench/all.json')); print('items in /all:', len(d))"
for p in 1 2 3 4 5 6; do
  curl -s -o /dev/null -w "page $p (size 16384): total %{time_total}s, %{size_download} bytes\n" \
    "http://127.0.0.1:18931/hanzi/repertoire?page=$p&size=16384"
done
echo "server VmHWM after pages: $(grep VmHWM /proc/$PID/status)"
