"""Measure the pipeline end to end: throughput, overhead, memory and latency.

    .venv/bin/python benchmarks/bench_pipeline.py                 # 100k rows
    .venv/bin/python benchmarks/bench_pipeline.py --rows 5000     # a quick run

It builds a CSV by repeating real postings (``--postings DIR`` of JSONL files; by
default ../shared/data/postings when it is there, else the development sets in
tests/fixtures), each row made unique so every row is really analysed, not reused;
starts a throwaway redis-server, a fresh PostgreSQL database (or SQLite with
--sqlite), gunicorn with the web app and one Celery worker with two processes, then:

1. analyses a sample of the file's rows in as many processes of this script as the
   worker has (``--concurrency``), for the in-process time of the same rows, and in
   one process;
2. uploads the CSV through the API and waits for the batch to finish
   (rows/s, wall time, overhead over in-process analysis);
3. reads the peak RSS (VmHWM) of the web and worker processes;
4. times the finished batch's report, ``GET /api/v1/batches/<id>/report`` and the
   report page: the first view, then the median of ``--report-views`` later ones;
5. sends pasted postings from 20 concurrent clients, then from one client, each
   way a client can: submit then long-poll the result (two requests), and submit
   with ``?wait=30`` (one request, answered with the result); prints p50/p95 from
   submit to result.

``--latency-only`` builds no CSV and runs no batch: only step 5, a run of a
minute or so.

``--probe-during-batch`` also has one client paste postings while the batch runs
(latency behind the batch's chunks); ``--interactive-threads N`` adds a worker
of only the interactive queue with N threads (``skillgap serve --interactive-threads``).

It ends with the two headline figures side by side against their targets: the
batch's time over the in-process time of its rows on as many processes, and the
pasted postings' p50 and p95 at ``--clients`` concurrent clients.

For the batch and the pasted postings it also prints the CPU seconds spent by
the web app, the worker's main process and its pool, Redis, the database's backends,
this script, and everything else on the machine ("other_processes": another
benchmark running meanwhile makes the wall-clock figures worse).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED_POSTINGS = ROOT.parent / "shared" / "data" / "postings"
# In the repository: the development sets (never the blind test sets).
FIXTURE_POSTINGS = [ROOT / "tests" / "fixtures" / name for name in (
    "devset_us.jsonl", "devset_nhs.jsonl", "us_dev/us_dev.jsonl", "us_dev2/us_dev2.jsonl")]
# Targets: the batch's time over the in-process time of the same rows on as many
# processes, and a pasted posting's p50 at --clients concurrent clients.
TARGET_BATCH_OVERHEAD = 1.5
TARGET_PASTE_P50_MS = 150.0
PG_ADMIN = os.environ.get("SKILLGAP_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def posting_files(folder: Path | None) -> list[Path]:
    if folder is not None:
        return sorted(folder.glob("*.jsonl"))
    shared = sorted(SHARED_POSTINGS.glob("*.jsonl"))
    return shared or [p for p in FIXTURE_POSTINGS if p.exists()]


def load_postings(files: list[Path]) -> list[dict[str, Any]]:
    rows = []
    for path in files:
        with path.open(encoding="utf-8") as fh:
            rows.extend(p for line in fh if line.strip() and (p := json.loads(line)).get("description"))
    if not rows:
        sys.exit(f"no postings with a description in {[str(f) for f in files]}")
    return rows


def _analyse_all(texts: list[str]) -> None:
    from models.analysis import Analyzer

    analyzer = Analyzer.for_skillset(None)
    for text in texts:
        analyzer.analyze(text)


def in_process_seconds(texts: list[str], processes: int) -> float:
    """Seconds to analyse ``texts`` split over ``processes`` forked processes, each
    with the analyzer built before the clock starts (as a worker's pool has)."""
    import multiprocessing

    _analyse_all(texts[:1])  # Built here, before the fork: the children share it.
    parts = [texts[i::processes] for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_analyse_all, [p[:1] for p in parts])  # Each child warm.
        t0 = time.perf_counter()
        pool.map(_analyse_all, parts, chunksize=1)
        return time.perf_counter() - t0


def build_csv(path: Path, n: int, postings: list[dict[str, Any]]) -> None:
    tag = uuid.uuid4().hex[:8]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "company", "location", "date_posted", "description"])
        for i in range(n):
            p = postings[i % len(postings)]
            w.writerow([f"{p.get('id')}-{i}", p.get("title") or "", p.get("company") or "",
                        p.get("location") or "", p.get("date_posted") or "",
                        f"{p['description']}\n(ref {tag}-{i})"])


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(name: str) -> list[int]:
    """PostgreSQL backends serving database ``name`` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {name} " in title:
                pids.append(int(entry.name))
    return pids


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine, all cores (to see other load)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds spent by the web app, the worker, Redis and the database's backends."""

    def __init__(self, groups: dict[str, Any]) -> None:
        self.groups = groups  # name -> function returning the pids to count
        self.seen: dict[int, float] = {}
        # Every pid a group ever had: a database backend that exited keeps its share.
        self.members: dict[str, set[int]] = {name: set() for name in groups}

    def sample(self) -> dict[str, float]:
        out = {}
        for name, pids in self.groups.items():
            for pid in pids():
                self.members[name].add(pid)
            for pid in self.members[name]:
                self.seen[pid] = cpu_seconds(pid) or self.seen.get(pid, 0.0)
            out[name] = sum(self.seen[pid] for pid in self.members[name])
        return out


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def wait_http(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{path} on :{port} did not answer 200 in {timeout}s")


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, (json.loads(data) if data else {}), dict(r.getheaders())


def upload(port: int, path: Path) -> tuple[int, dict[str, Any]]:
    """POST the file as multipart/form-data, streamed from disk."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{path.name}\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.putrequest("POST", "/api/v1/batches")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    conn.send(head)
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            conn.send(block)
    conn.send(tail)
    r = conn.getresponse()
    return r.status, json.loads(r.read())


def timed_get(port: int, path: str) -> float:
    """GET ``path`` and read the whole answer; return the seconds it took."""
    t = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    conn.close()
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status}")
    return time.perf_counter() - t


def report_views(port: int, batch_id: str, later: int) -> dict[str, float]:
    """Time the batch's report (API and page): the first view, then the median of later ones."""
    out = {}
    for name, path in (("api", f"/api/v1/batches/{batch_id}/report"),
                       ("page", f"/batches/{batch_id}/report")):
        out[f"report_{name}_first_s"] = round(timed_get(port, path), 3)
        times = [timed_get(port, path) for _ in range(later)]
        if times:
            out[f"report_{name}_later_s"] = round(percentile(times, 0.5), 3)
    return out


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def paste_postings(port: int, postings: list[dict[str, Any]], clients: int,
                   per_client: int, one_request: bool = False) -> tuple[list[float], list[str]]:
    """Each client pastes postings one after another: submit, then long-poll the result
    (two requests), or with ``one_request`` submit with ``?wait=30``, whose answer is
    the result itself.

    Returns the seconds from submit to result of each posting done, and the errors.
    """
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for j in range(per_client):
            p = postings[(k * 31 + j) % len(postings)]
            payload = json.dumps({"text": f"{p['description']} [{uuid.uuid4().hex}]"})
            t = time.perf_counter()
            st, body, _ = request(port, "POST", "/api/v1/analyses" + ("?wait=30" if one_request else ""),
                                  payload.encode(), {"Content-Type": "application/json"})
            if st not in (200, 202):
                with lock:
                    errors.append(f"submit {st}")
                continue
            if st == 200:
                res = body
            else:
                st, res, _ = request(port, "GET", body["status_url"] + "?wait=30")
            elapsed = time.perf_counter() - t
            with lock:
                if res.get("status") == "done":
                    latencies.append(elapsed)
                else:
                    errors.append(f"result {st} {res.get('status')}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def summary(figures: dict[str, Any], processes: int, clients: int) -> str:
    """The two headline figures side by side, each with its target."""
    lines = ["headline figures (target):"]
    if "overhead_vs_in_process_n_processes" in figures:
        lines.append(f"  batch of {figures['rows']} rows: {figures['overhead_vs_in_process_n_processes']:.2f}x "
                     f"the in-process time of the same rows on {processes} processes "
                     f"(<= {TARGET_BATCH_OVERHEAD}x)")
    lines.append(f"  pasted postings, {clients} concurrent clients: p50 {figures['single_p50_ms']} ms, "
                 f"p95 {figures['single_p95_ms']} ms; with ?wait p50 {figures['single_wait_p50_ms']} ms, "
                 f"p95 {figures['single_wait_p95_ms']} ms (p50 <= {TARGET_PASTE_P50_MS:.0f} ms)")
    lines.append(f"  CPU seconds spent by other processes meanwhile: batch "
                 f"{figures.get('cpu_s_batch', {}).get('other_processes', '-')}, pasted postings "
                 f"{figures['cpu_s_single']['other_processes']} (above 0: the machine was not quiet)")
    return "\n".join(lines)


def main() -> None:  # noqa: PLR0915 - a script, read top to bottom
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--baseline-rows", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=2, help="worker processes")
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests-per-client", type=int, default=10)
    ap.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--interactive-threads", type=int, default=0,
                    help="also run a worker of only the interactive queue with this many threads")
    ap.add_argument("--report-views", type=int, default=3,
                    help="views of the finished batch's report timed after the first one")
    ap.add_argument("--latency-only", action="store_true",
                    help="no batch: only pasted postings, from --clients clients and from one")
    ap.add_argument("--probe-during-batch", action="store_true",
                    help="one client pastes postings one after another while the batch runs")
    ap.add_argument("--postings", type=Path,
                    help="a folder of JSONL postings to repeat (default: ../shared/data/postings, "
                         "else the development sets in tests/fixtures)")
    args = ap.parse_args()

    if not shutil.which("redis-server"):
        sys.exit("redis-server is needed")
    try:
        import gunicorn  # noqa: F401 - the web server the benchmark runs
    except ImportError:
        sys.exit("gunicorn is needed: scripts/setup.sh serve (or pip install -e '.[serve]')")
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    from worker import db

    work = Path(tempfile.mkdtemp(prefix="skillgap-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    db_name = None
    admin = None
    figures: dict[str, Any] = {"rows": 0 if args.latency_only else args.rows, "worker_processes": args.concurrency,
                               "chunk_size": args.chunk_size}
    try:
        files = posting_files(args.postings)
        postings = load_postings(files)
        figures["postings"] = [str(f) for f in files]
        print(f"postings: {len(postings)} from {', '.join(f.name for f in files)}", flush=True)
        if not args.latency_only:
            csv_path = work / "postings.csv"
            build_csv(csv_path, args.rows, postings)
            figures["csv_mb"] = round(csv_path.stat().st_size / 1e6, 1)
            print(f"built {csv_path} ({figures['csv_mb']} MB, {args.rows} rows)", flush=True)

            # 1. In-process rate on rows of the same file: on as many processes as the
            # worker has, and in one.
            sample = []
            with csv_path.open(newline="", encoding="utf-8") as fh:
                for i, row in enumerate(csv.DictReader(fh)):
                    if i >= args.baseline_rows:
                        break
                    sample.append(row["description"])
            inproc_rate = len(sample) / in_process_seconds(sample, args.concurrency)
            one_rate = len(sample) / in_process_seconds(sample, 1)
            figures["in_process_rows_per_s_n_processes"] = round(inproc_rate, 1)
            figures["in_process_rows_per_s_one_process"] = round(one_rate, 1)
            print(f"in-process: {inproc_rate:.1f} rows/s on {args.concurrency} processes, "
                  f"{one_rate:.1f} rows/s in one", flush=True)

        # 2. Services: Redis, a fresh database, gunicorn, one worker with N processes.
        redis_port = free_port()
        procs.append(subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir",
             str(work), "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=subprocess.DEVNULL))
        if args.sqlite:
            url = f"sqlite:///{work}/bench.sqlite3"
        else:
            db_name = f"skillgap_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{db_name}"'))
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + db_name
        db.upgrade(url)
        figures["database"] = "sqlite" if args.sqlite else "postgresql"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLGAP_")}
        env.update({
            "PYTHONPATH": str(ROOT), "DATABASE_URL": url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SKILLGAP_INSTANCE_PATH": str(work / "instance"),
            "SKILLGAP_CHUNK_SIZE": str(args.chunk_size),
        })
        if not args.latency_only:
            env["SKILLGAP_MAX_UPLOAD_MB"] = str(int(csv_path.stat().st_size / 1e6) + 10)
        web_port = free_port()
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{web_port}", "--workers",
             "1", "--threads", "32", "--worker-class", "gthread", "--timeout", "3600",
             "web:create_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(work / "web.log", "wb"))
        procs.append(web)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "-Q",
             "interactive,batch", "-c", str(args.concurrency), "-l", "WARNING",
             "--without-gossip", "--without-mingle"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(work / "worker.log", "wb"))
        procs.append(worker)
        interactive = None
        if args.interactive_threads:
            interactive = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "-Q", "interactive",
                 "-P", "threads", "-c", str(args.interactive_threads), "-n", "interactive@%h",
                 "-l", "WARNING", "--without-gossip", "--without-mingle"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=open(work / "interactive.log", "wb"))
            procs.append(interactive)
            figures["interactive_threads"] = args.interactive_threads
        wait_http(web_port, "/readyz", 90)
        redis_pid = procs[0].pid
        meter = CpuMeter({
            "web": lambda: [web.pid, *children(web.pid)],
            "worker_main": lambda: [worker.pid],
            "worker_pool": lambda: children(worker.pid),
            "interactive_worker": lambda: [interactive.pid] if interactive else [],
            "redis": lambda: [redis_pid],
            "database": lambda: database_backends(db_name) if db_name else [],
            "this_script": lambda: [os.getpid()],
            "machine": lambda: [],
        })

        def cpu_phase(before: dict[str, float], wall: float) -> dict[str, float]:
            after = meter.sample()
            after["machine"] = machine_cpu_seconds()
            spent = {k: round(after[k] - before[k], 1) for k in after}
            ours = sum(v for k, v in spent.items() if k != "machine")
            spent["other_processes"] = round(spent.pop("machine") - ours, 1)
            spent["wall"] = round(wall, 1)
            return spent

        def cpu_start() -> dict[str, float]:
            now = meter.sample()
            now["machine"] = machine_cpu_seconds()
            return now

        if not args.latency_only:
            cpu0 = cpu_start()

            # 3. The batch, end to end.
            t0 = time.perf_counter()
            status, body = upload(web_port, csv_path)
            accepted = time.perf_counter() - t0
            if status != 202:
                sys.exit(f"upload failed: {status} {body}")
            batch_url = body["status_url"]
            probe: list[float] = []
            batch_over = threading.Event()

            def probe_client() -> None:
                k = 0
                while not batch_over.is_set():
                    p = postings[k % len(postings)]
                    k += 1
                    payload = json.dumps({"text": f"{p['description']} [{uuid.uuid4().hex}]"})
                    t = time.perf_counter()
                    st, sub, _ = request(web_port, "POST", "/api/v1/analyses", payload.encode(),
                                         {"Content-Type": "application/json"})
                    st, res, _ = request(web_port, "GET", sub["status_url"] + "?wait=30")
                    if res.get("status") == "done" and not batch_over.is_set():
                        probe.append(time.perf_counter() - t)
                    time.sleep(0.2)

            prober = threading.Thread(target=probe_client)
            if args.probe_during_batch:
                prober.start()
            while True:
                _, b, _ = request(web_port, "GET", batch_url)
                if b["status"] in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.5)
            wall = time.perf_counter() - t0
            figures["cpu_s_batch"] = cpu_phase(cpu0, wall)
            batch_over.set()
            if args.probe_during_batch:
                prober.join()
                if probe:
                    figures.update({
                        "during_batch_requests": len(probe),
                        "during_batch_p50_ms": round(1000 * percentile(probe, 0.5), 1),
                        "during_batch_p95_ms": round(1000 * percentile(probe, 0.95), 1),
                    })
                    print(f"pasted postings during the batch, one client: p50 "
                          f"{figures['during_batch_p50_ms']} ms, p95 {figures['during_batch_p95_ms']} ms "
                          f"({len(probe)} requests)", flush=True)
            assert b["done"] + b["failed"] == b["total"] == args.rows, b
            rate = args.rows / wall
            ideal = args.rows / inproc_rate
            figures.update({
                "upload_accepted_s": round(accepted, 1),
                "batch_wall_s": round(wall, 1),
                "batch_rows_per_s": round(rate, 1),
                "batch_failed_rows": b["failed"],
                "in_process_s_n_processes": round(ideal, 1),
                "in_process_s_one_process": round(args.rows / one_rate, 1),
                "overhead_vs_in_process_n_processes": round(wall / ideal, 2),
                "overhead_vs_in_process_one_process": round(wall / (args.rows / one_rate), 2),
            })
            print(f"batch: {args.rows} rows in {wall:.1f} s = {rate:.1f} rows/s "
                  f"(upload accepted after {accepted:.1f} s); {wall / ideal:.2f}x the in-process "
                  f"time of the same rows on {args.concurrency} processes", flush=True)
            web_pids = [web.pid, *children(web.pid)]
            worker_pids = [worker.pid, *children(worker.pid)]
            figures["web_peak_rss_mb"] = round(max(peak_rss_mb(p) for p in web_pids), 1)
            figures["worker_peak_rss_mb"] = [round(peak_rss_mb(p), 1) for p in worker_pids]
            print(f"CPU seconds during the batch: {figures['cpu_s_batch']}", flush=True)
            print(f"peak RSS: web {figures['web_peak_rss_mb']} MB; worker main + pool "
                  f"{figures['worker_peak_rss_mb']} MB", flush=True)

            # 4. The finished batch's report, as soon as the batch is done.
            views = report_views(web_port, body["id"], args.report_views)
            figures.update(views)
            print(f"report of the finished batch: API first {views['report_api_first_s']} s, "
                  f"later {views.get('report_api_later_s')} s; page first "
                  f"{views['report_page_first_s']} s, later {views.get('report_page_later_s')} s",
                  flush=True)

        # 5. Pasted postings from concurrent clients, then from one client alone, after
        # one untimed round that opens the web app's and the workers' connections.
        # Each twice: submit then long-poll (two requests), and submit with ?wait (one).
        paste_postings(web_port, postings, args.clients, 1)
        for clients, name, one_request in (
            (args.clients, "single", False), (args.clients, "single_wait", True),
            (1, "single_one_client", False), (1, "single_wait_one_client", True),
        ):
            cpu0 = cpu_start()
            t0 = time.perf_counter()
            latencies, errors = paste_postings(web_port, postings, clients,
                                               args.requests_per_client, one_request)
            wall = time.perf_counter() - t0
            figures[f"cpu_s_{name}"] = cpu_phase(cpu0, wall)
            figures.update({
                f"{name}_requests": len(latencies), f"{name}_errors": len(errors),
                f"{name}_p50_ms": round(1000 * percentile(latencies, 0.5), 1),
                f"{name}_p95_ms": round(1000 * percentile(latencies, 0.95), 1),
                f"{name}_throughput_per_s": round(len(latencies) / wall, 1),
            })
            how = "submit with ?wait, one request" if one_request else "submit, then long-poll"
            print(f"single posting ({how}), {clients} concurrent client(s): p50 "
                  f"{figures[f'{name}_p50_ms']} ms, p95 {figures[f'{name}_p95_ms']} ms "
                  f"({len(latencies)} ok, {len(errors)} errors)", flush=True)
            print(f"CPU seconds during the pasted postings: {figures[f'cpu_s_{name}']}",
                  flush=True)
        web_pids = [web.pid, *children(web.pid)]
        worker_pids = [worker.pid, *children(worker.pid)]
        figures["worker_peak_rss_mb"] = [round(peak_rss_mb(p), 1) for p in worker_pids]
        figures["web_peak_rss_mb"] = round(max(peak_rss_mb(p) for p in web_pids), 1)
        if interactive is not None:
            figures["interactive_worker_peak_rss_mb"] = round(peak_rss_mb(interactive.pid), 1)
        print(json.dumps(figures, indent=2))
        print("\n" + summary(figures, args.concurrency, args.clients), flush=True)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        if admin is not None and db_name:
            db.get_engine(url).dispose()
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :n"), {"n": db_name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}"'))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
