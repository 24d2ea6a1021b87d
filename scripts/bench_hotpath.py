#!/usr/bin/env python3
"""Hot-path benchmark (issue 17): server CPU per response, latency, errors and peak memory of
the ops_v1 purchase/file/login workloads, for ops-server and for a baseline in the same run.

    cargo build --release --bin ops-server --example bench_hotpath_baseline
    scripts/bench_hotpath.py                                   # SQLite
    scripts/bench_hotpath.py --database postgres://postgres@127.0.0.1:5432/hotpath_bench

It builds nothing: it runs the binaries under --bin-dir (default target/release). It seeds
--orders orders of one user through `ops-server purchase seed`, starts the server pinned to
core 0 (`taskset -c 0`) and drives each workload with wrk pinned to core 1 (32 connections,
--passes × --seconds). Per workload it reports the server's CPU per response (utime + stime
from /proc/<pid>/stat before and after, divided by the responses), p50/p99 latency, errors
(non-2xx answers and socket errors) and peak RSS (VmHWM, reset before each pass through
/proc/<pid>/clear_refs). The baseline (examples/bench_hotpath_baseline.rs: direct SQLite
queries on one connection, no auth) answers the same requests about the same SQLite rows, so
every figure is also a ratio that survives a noisy machine. With --database the ops-server
runs on PostgreSQL (seeded there); the baseline stays on its SQLite copy.

Needs: wrk (Debian `apt-get install wrk`), taskset, python3; Linux /proc.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "..", "benches", "hotpath")
TICK_US = 1_000_000 / os.sysconf("SC_CLK_TCK")
PASSWORD = "bench-password-1"
SEARCH = "华为交换机"  # one of the 100 seeded part names: ~1% of the orders
CREATE_BODY = json.dumps(
    {
        "title": "bench order",
        "part_name": "华为服务器",
        "costs": [
            {"cost": 1200, "int": 2, "currencytype": "CNY"},
            {"cost": 300, "int": 5, "currencytype": "USD"},
        ],
    },
    ensure_ascii=False,
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def wait_ready(url, proc, log):
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"server exited:\n{open(log).read()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"server did not become ready:\n{open(log).read()[-3000:]}")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def png(size):
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    return head + os.urandom(size - len(head))


def multipart(data):
    boundary = "----hotpathseed"
    return boundary, (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seed.png\"\r\n"
        f"Content-Type: image/png\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


class Server:
    """A process pinned to core 0, with its log in the work folder."""

    def __init__(self, name, argv, env, ready_url, work):
        self.log = os.path.join(work, f"{name}.log")
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", *argv],
            env=env,
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
        )
        wait_ready(ready_url, self.proc, self.log)
        self.pid = self.proc.pid

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_wrk(args, url, script, env):
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s",
         "--timeout", "10s", "-s", script, url],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def measure(args, server, base_url, workload, work):
    """Runs `workload` --passes times against `server`; answers the median pass by CPU."""
    name, method, path, token, body, lua = workload
    script = os.path.join(work, f"{lua}.lua")
    if not os.path.exists(script):
        with open(script, "w") as f:
            f.write(open(os.path.join(LUA, f"{lua}.lua")).read())
            f.write(open(os.path.join(LUA, "report.lua")).read())
    env = dict(os.environ, BENCH_METHOD=method, BENCH_PATH=path, BENCH_TOKEN=token or "",
               BENCH_BODY=body or "")
    passes = []
    for _ in range(args.passes):
        peak_reset = reset_peak(server.pid)
        before = cpu_ticks(server.pid)
        r = run_wrk(args, base_url + path, script, env)
        ticks = cpu_ticks(server.pid) - before
        hwm = status_kib(server.pid, "VmHWM") if peak_reset else status_kib(server.pid, "VmRSS")
        errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
        passes.append({
            "cpu_us": ticks * TICK_US / max(r["requests"], 1),
            "rps": r["requests"] * 1e6 / max(r["duration_us"], 1),
            "p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "errors": errors, "requests": r["requests"], "peak_mib": hwm / 1024,
        })
    passes.sort(key=lambda p: p["cpu_us"])
    best = dict(passes[(len(passes) - 1) // 2])
    best["cpu_us"] = statistics.median(p["cpu_us"] for p in passes)
    best["errors"] = sum(p["errors"] for p in passes)
    best["peak_mib"] = max(p["peak_mib"] for p in passes)
    return best


def write_config(work, name, database):
    data = os.path.join(work, name)
    os.makedirs(data, exist_ok=True)
    cfg = os.path.join(work, f"{name}.yaml")
    db = ""
    if database:
        db = f'  driver: "postgres"\n  url: "{database}"\n'
    with open(cfg, "w") as f:
        f.write(
            f'data_dir: "{data}"\ndatabase:\n  path: "{data}/db.db"\n{db}'
            f'file:\n  paths:\n    image: "{data}/images"\n'
            f'bootstrap:\n  admin_password: "{PASSWORD}"\n'
        )
    return cfg, data


def prepare(args, work, name, database):
    """Migrates, creates user `bench`, seeds its orders. Answers the config path and data dir."""
    cfg, data = write_config(work, name, database)
    server = os.path.join(args.bin_dir, "ops-server")
    run = lambda *a, **kw: subprocess.run([server, "--config", cfg, *a], check=True,
                                          capture_output=True, text=True, **kw)
    run("migrate")
    if "bench" not in run("user", "list").stdout:
        run("user", "create", "--name", "bench", input=PASSWORD + "\n")
        run("purchase", "seed", "--user", "bench", "--orders", str(args.orders))
    return cfg, data


def workloads(token, order_id, blob):
    q = urllib.parse.quote(SEARCH)
    return [
        ("GET /system/status", "GET", "/api/v1/system/status", None, None, "request"),
        ("list page 1 (20, with total)", "GET", "/api/v1/purchase/orders?page=1&entries=20",
         token, None, "request"),
        ("list page 250", "GET", "/api/v1/purchase/orders?page=250&entries=20", token, None,
         "request"),
        ("search, 1% of rows", "GET", f"/api/v1/purchase/orders?search={q}&page=1&entries=20",
         token, None, "request"),
        ("order detail", "GET", f"/api/v1/purchase/orders/{order_id}", token, None, "request"),
        ("create order (2 cost lines)", "POST", "/api/v1/purchase/orders", token, CREATE_BODY,
         "request"),
        ("download 256 KiB", "GET", f"/api/v1/files/download/{blob}", None, None, "request"),
        ("upload 64 KiB", "POST", "/api/v1/files/upload", token, None, "upload"),
        ("login (argon2id)", "POST", "/api/v1/users/login", None,
         json.dumps({"name": "bench", "password": PASSWORD}), "request"),
    ]


def start_ops(args, cfg, work, port):
    env = dict(os.environ, OPS__SERVER__HOST="127.0.0.1", OPS__SERVER__PORT=str(port))
    bin_ = os.path.join(args.bin_dir, "ops-server")
    return Server("ops-server", [bin_, "--config", cfg], env,
                  f"http://127.0.0.1:{port}/readyz", work)


def fixtures(base):
    """Logs in as `bench`, uploads the 256 KiB download blob, picks an order for the detail."""
    login = http("POST", base + "/api/v1/users/login",
                 json.dumps({"name": "bench", "password": PASSWORD}).encode(),
                 {"Content-Type": "application/json"})["data"]
    token, user_id = login["cookie_value"], login["user_id"]
    auth = {"Authorization": f"Bearer {token}"}
    boundary, body = multipart(png(256 * 1024))
    blob = http("POST", base + "/api/v1/files/upload", body,
                {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    blob = blob["data"]["sha256"]
    page = http("GET", base + "/api/v1/purchase/orders?page=1&entries=20", None, auth)
    order_id = page["data"]["all_orders"][10]["id"]
    return token, user_id, blob, order_id


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin-dir", default=os.path.join(HERE, "..", "target", "release"))
    p.add_argument("--database", help="postgres://… for ops-server (default: SQLite)")
    p.add_argument("--orders", type=int, default=10_000)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--passes", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--only", help="comma-separated workload name prefixes")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--keep", help="work folder to keep (seeded data is reused when present)")
    p.add_argument("--json", help="write the results here too")
    args = p.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (wrk: apt-get install wrk)")
    work = args.keep or tempfile.mkdtemp(prefix="hotpath-")
    os.makedirs(work, exist_ok=True)
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    keep = lambda w: only is None or any(w[0].startswith(o) for o in only)
    results = {}
    try:
        # SQLite data for the baseline (and for ops-server unless --database).
        print(f"seeding {args.orders} orders (work folder {work}) …", file=sys.stderr)
        sqlite_cfg, sqlite_data = prepare(args, work, "sqlite", None)
        ops_cfg = prepare(args, work, "postgres", args.database)[0] if args.database else sqlite_cfg

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        ops = start_ops(args, ops_cfg, work, port)
        token, user_id, blob, order_id = fixtures(base)
        if args.database:
            # The baseline needs the same blob and a detail order in its SQLite copy.
            ops.stop()
            s = start_ops(args, sqlite_cfg, work, port)
            _, base_user, base_blob, base_order = fixtures(base)
            s.stop()
            ops = start_ops(args, ops_cfg, work, port)
        else:
            base_user, base_blob, base_order = user_id, blob, order_id
        for w in workloads(token, order_id, blob):
            if keep(w):
                print(f"ops-server: {w[0]} …", file=sys.stderr)
                results.setdefault(w[0], {})["ops"] = measure(args, ops, base, w, work)
        results["_idle_rss_mib"] = status_kib(ops.pid, "VmRSS") / 1024
        ops.stop()

        if not args.no_baseline:
            bport = free_port()
            bbase = f"http://127.0.0.1:{bport}"
            bin_ = os.path.join(args.bin_dir, "examples", "bench_hotpath_baseline")
            bl = Server("baseline", [bin_, "--db", f"{sqlite_data}/db.db", "--images",
                                     f"{sqlite_data}/images", "--port", str(bport),
                                     "--user-id", str(base_user)],
                        dict(os.environ), f"{bbase}/api/v1/system/status", work)
            for w in workloads(None, base_order, base_blob):
                if keep(w) and not w[0].startswith("login"):
                    print(f"baseline: {w[0]} …", file=sys.stderr)
                    results.setdefault(w[0], {})["base"] = measure(args, bl, bbase, w, work)
            bl.stop()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        report(args, results)


def report(args, results):
    engine = "PostgreSQL" if args.database else "SQLite"
    print(f"\n{engine}, {args.orders:,} orders, wrk -c{args.connections}, "
          f"{args.passes} × {args.seconds} s per workload (median pass), server on core 0, "
          f"wrk on core 1; machine load average at the end: {os.getloadavg()[0]:.2f}\n")
    print("| workload | baseline CPU µs/resp | ops-server CPU µs/resp | ratio "
          "| baseline p50 / p99 ms | ops-server p50 / p99 ms | ops-server req/s | errors (ops / base) "
          "| peak RSS MiB (ops / base) |")
    print("|---|---|---|---|---|---|---|---|---|")
    def cell(r, key, spec):
        return format(r[key], spec) if r else "—"

    def lat(r):
        return f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f}" if r else "—"

    for name, r in results.items():
        if name.startswith("_"):
            continue
        o, b = r.get("ops"), r.get("base")
        ratio = f"{o['cpu_us'] / b['cpu_us']:.1f}×" if b and o and b["cpu_us"] > 0 else "—"
        print(f"| {name} | {cell(b, 'cpu_us', ',.0f')} | {cell(o, 'cpu_us', ',.0f')} | {ratio} "
              f"| {lat(b)} | {lat(o)} | {cell(o, 'rps', ',.0f')} "
              f"| {cell(o, 'errors', 'd')} / {cell(b, 'errors', 'd')} "
              f"| {cell(o, 'peak_mib', '.0f')} / {cell(b, 'peak_mib', '.0f')} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
