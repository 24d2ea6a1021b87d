#!/bin/sh
# Seed farms, animals, orders and financial records into a scratch SQLite data folder, serve
# on :18932 and run examples/bench_farms and examples/bench_livestock. Sizes: FARMS (default
# 10000), ANIMALS (100000), ORDERS (0), RECORDS (0); RUNS (200) requests per scenario.
# Full size: FARMS=100000 ANIMALS=1000000 ORDERS=200000 RECORDS=1000000 sh benches/livestock/bench.sh
# PostgreSQL: PG_URL=postgres://user@host/db (an empty database) uses it instead of SQLite.
# SEEDED=1 serves and measures the data a previous run left in DIR (or PG_URL) without seeding.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/target/release/ops-server}
BENCH=${BENCH:-$ROOT/target/release/examples/bench_farms}
BENCH_TRADE=${BENCH_TRADE:-$ROOT/target/release/examples/bench_livestock}
DIR=${DIR:-/tmp/livestock_bench/data}
export OPS__DATA_DIR=$DIR OPS__DATABASE__PATH=$DIR/db.db OPS__SERVER__PORT=18932 \
       OPS__SERVER__HOST=127.0.0.1 OPS__BOOTSTRAP__ADMIN_PASSWORD=bench-password-1 OPS__LOG__LEVEL=warn
if [ -n "$PG_URL" ]; then export OPS__DATABASE__DRIVER=postgres OPS__DATABASE__URL=$PG_URL; fi
CFG=$DIR/config.yaml
if [ -z "$SEEDED" ]; then
    rm -rf "$DIR"; mkdir -p "$DIR"
    "$BIN" --config "$CFG" migrate
    # The seed's owners make the database non-empty, so no bootstrap admin would be made later.
    echo bench-password-1 | "$BIN" --config "$CFG" user create --name bench --super-admin
    # Farms and animals in two commands: one command seeding both fails on a new SQLite
    # database with "no such table: animals" (not yet understood; two commands work).
    /usr/bin/time -f "seed farms: %e s wall" "$BIN" --config "$CFG" livestock seed --farms "${FARMS:-10000}"
    /usr/bin/time -f "seed animals: %e s wall" "$BIN" --config "$CFG" livestock seed --animals "${ANIMALS:-100000}"
    if [ "${ORDERS:-0}" -gt 0 ] || [ "${RECORDS:-0}" -gt 0 ]; then
        /usr/bin/time -f "seed orders and records: %e s wall" "$BIN" --config "$CFG" livestock seed \
            --orders "${ORDERS:-0}" --records "${RECORDS:-0}"
    fi
fi
"$BIN" --config "$CFG" & PID=$!
trap 'kill $PID 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:18932/readyz >/dev/null; do sleep 0.2; done
uptime
BENCH_PASSWORD=bench-password-1 "$BENCH" --base http://127.0.0.1:18932 --user bench --runs "${RUNS:-200}"
if [ "${ORDERS:-0}" -gt 0 ] || [ "${RECORDS:-0}" -gt 0 ] || [ -n "$SEEDED" ]; then
    uptime
    BENCH_PASSWORD=bench-password-1 "$BENCH_TRADE" --base http://127.0.0.1:18932 --user bench --runs "${RUNS:-200}"
fi
uptime
