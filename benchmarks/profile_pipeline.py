"""Where the pipeline's time goes besides the engine, in this process on PostgreSQL.

    .venv/bin/python benchmarks/profile_pipeline.py                # 3000 rows, 200 pastes
    .venv/bin/python benchmarks/profile_pipeline.py --rows 1000 --profile chunks.prof

In a fresh database it stores a CSV as a batch (what the web app does with an upload),
runs its chunks as a worker would (start_chunk, run_chunk), then pastes postings
(submit_text, the chunk, the result read back). For each it prints the CPU time of this
process apart from the engine's, the CPU time of the database's backends, and the SQL
statements sent (each a round trip; BEGIN and COMMIT of a transaction are two more).
CPU time, unlike wall time, means something on a busy machine; compare two versions
in the same hour. ``--profile FILE`` writes a cProfile (CPU time) of the chunks.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pipeline import PG_ADMIN, cpu_seconds, database_backends, load_postings, posting_files  # noqa: E402


class Meter:
    """CPU seconds of this process, of the engine in it, of the database; statements sent."""

    def __init__(self, url: str, db_name: str) -> None:
        from sqlalchemy import event

        from worker import db

        self.db_name = db_name
        self.statements = 0
        self.engine_cpu = 0.0
        event.listen(db.get_engine(url), "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.statements += 1

    def timed(self, analyze: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.process_time()
            try:
                return analyze(*args, **kwargs)
            finally:
                self.engine_cpu += time.process_time() - t
        return wrapper

    def read(self) -> tuple[float, float, float, int]:
        database = sum(cpu_seconds(p) for p in database_backends(self.db_name))
        return time.process_time(), self.engine_cpu, database, self.statements

    def since(self, before: tuple[float, float, float, int], per: int, what: str,
              unit: str = "row") -> str:
        own, engine, database, statements = (a - b for a, b in zip(self.read(), before, strict=True))
        return (f"{what}: per {unit} CPU {1000 * (own - engine) / per:.3f} ms here "
                f"besides the engine ({1000 * engine / per:.3f} ms), database {1000 * database / per:.3f} ms; "
                f"{statements} statements")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--pastes", type=int, default=200)
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--postings", type=Path)
    ap.add_argument("--profile", type=Path, help="write a cProfile of the chunks here")
    args = ap.parse_args()

    from sqlalchemy import create_engine, text

    from worker import db, pipeline
    from worker.pipeline import analyzers

    postings = load_postings(posting_files(args.postings))
    name = f"skillgap_profile_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        meter = Meter(url, name)
        db.upgrade(url)
        analyzer = analyzers.get_analyzer(None)
        analyzer.analyze("warm up: Epic and scheduling")
        analyzer.analyze = meter.timed(analyzer.analyze)

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["id", "title", "company", "description"])
        tag = uuid.uuid4().hex[:8]
        for i in range(args.rows):
            p = postings[i % len(postings)]
            writer.writerow([i, p.get("title") or "", p.get("company") or "",
                             f"{p['description']}\n(ref {tag}-{i})"])
        queue: list[int] = []
        before = meter.read()
        batch_id = pipeline.submit_file(url, io.BytesIO(buf.getvalue().encode()), "f.csv",
                                        lambda b, c: queue.append(c), chunk_size=args.chunk_size)
        print(meter.since(before, args.rows, f"storing {args.rows} rows"))

        profile = cProfile.Profile(time.process_time) if args.profile else None
        before = meter.read()
        if profile:
            profile.enable()
        for chunk in queue:
            pipeline.run_chunk(url, batch_id, chunk, pipeline.start_chunk(url, batch_id, chunk))
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        print(meter.since(before, args.rows, f"{len(queue)} chunks") +
              f" ({(meter.statements - before[3]) / len(queue):.1f} per chunk)")

        before = meter.read()
        for k in range(args.pastes):
            p = postings[k % len(postings)]
            single = pipeline.submit_text(url, f"{p['description']} [{uuid.uuid4().hex}]",
                                          lambda b, c: None)
            pipeline.run_chunk(url, single, 0, pipeline.start_chunk(url, single, 0))
        print(meter.since(before, args.pastes, f"{args.pastes} pasted postings (submit, start, run)",
                          "posting") +
              f" ({(meter.statements - before[3]) / args.pastes:.1f} per posting)")
    finally:
        db.get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


if __name__ == "__main__":
    main()
