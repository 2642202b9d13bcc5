"""Storage and the batch pipeline, run in-process on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path

from sqlalchemy import func, select, text, update

from worker import db, pipeline, report, skillsets, storage
from worker.export import iter_export, safe_cell
from worker.pipeline import analyzers, storing
from worker.report import build_report, month_of
from worker.results import ResultRow, _rows, iter_results
from worker.storage import Analysis, Batch, BatchRow, Posting


def csv_file(rows: list[dict[str, str]]) -> io.BytesIO:
    import csv

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(buf.getvalue().encode())


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def unique() -> str:
    return uuid.uuid4().hex


def run_all(url: str, queue: list[tuple[str, int]]) -> None:
    while queue:
        batch_id, chunk = queue.pop(0)
        if (claim := pipeline.start_chunk(url, batch_id, chunk)) is not None:
            pipeline.run_chunk(url, batch_id, chunk, claim)


def get_batch(url: str, batch_id: str) -> Batch:
    with db.session_scope(url) as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        return batch


def test_migrations_create_tables(db_url: str) -> None:
    from sqlalchemy import inspect

    names = set(inspect(db.get_engine(db_url)).get_table_names())
    assert {"batches", "batch_rows", "postings", "analyses", "alembic_version"} <= names
    db.upgrade(db_url)  # A second run finds nothing to do.


def test_a_forked_process_gets_pools_of_its_own(db_url: str) -> None:
    """A worker's main process uses the database too, and forks pool processes."""
    import os

    from sqlalchemy import text

    engine = db.get_engine(db_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    pool = engine.pool
    assert pool.checkedin() >= 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # The child: a new, empty pool; the parent's connection is not in it.
        os.write(write, b"1" if engine.pool is not pool and engine.pool.checkedin() == 0 else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert engine.pool is pool and pool.checkedin() >= 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_batch_stored_then_chunks_enqueued(db_url: str, fake_analyzer) -> None:
    tag = unique()
    rows = [{"id": f"r{i}", "title": f"T{i % 7}", "company": "Acme" if i % 7 % 2 else "Beta",
             "location": "Leeds", "date": "2020-10-05",
             "description": f"Scheduling and billing {tag} {i % 7}"} for i in range(23)]
    rows.append({"id": "bad", "title": "", "company": "", "location": "", "date": "",
                 "description": ""})
    queue: list[tuple[str, int]] = []
    seen_committed: list[int] = []

    def enqueue(batch_id: str, chunk: int) -> None:
        # The chunk's rows are committed before its task is sent.
        with db.session_scope(db_url) as s:
            seen_committed.append(s.scalar(select(func.count()).select_from(BatchRow).where(
                BatchRow.batch_id == batch_id, BatchRow.chunk == chunk)) or 0)
        queue.append((batch_id, chunk))

    batch_id = pipeline.submit_file(db_url, csv_file(rows), "jobs.csv", enqueue, chunk_size=10)
    assert [c for _, c in queue] == [0, 1, 2]
    assert seen_committed == [10, 10, 3]
    batch = get_batch(db_url, batch_id)
    assert (batch.status, batch.total, batch.failed) == ("queued", 24, 1)

    run_all(db_url, queue)
    batch = get_batch(db_url, batch_id)
    assert (batch.status, batch.done, batch.failed) == ("done", 23, 1)
    # 7 distinct texts (with their titles and companies): each analysed once, the rest reused.
    assert len(fake_analyzer.calls) == 7
    with db.session_scope(db_url) as s:
        hashes = s.scalar(select(func.count()).select_from(Posting).where(
            Posting.text.like(f"%{tag}%")))
        assert hashes == 7


def test_a_batch_counts_the_rows_that_reuse_an_analysis_apart(db_url: str, fake_analyzer) -> None:
    """A file analysed before takes no engine time the second time: its rows are counted as
    reused, so the progress page's rate is that of the postings analysed now."""
    from web.services import progress

    old = [{"id": str(i), "description": f"epic {unique()}"} for i in range(5)]
    queue: list[tuple[str, int]] = []
    first = pipeline.submit_file(db_url, csv_file(old), "a.csv", lambda b, c: queue.append((b, c)),
                                 chunk_size=3)
    run_all(db_url, queue)
    assert (get_batch(db_url, first).done, get_batch(db_url, first).reused) == (5, 0)
    new = [{"id": str(i), "description": f"billing {unique()}"} for i in range(2)]
    second = pipeline.submit_file(db_url, csv_file(old + new), "b.csv", lambda b, c: queue.append((b, c)),
                                  chunk_size=3)
    calls = len(fake_analyzer.calls)
    run_all(db_url, queue)
    assert len(fake_analyzer.calls) == calls + 2
    batch = get_batch(db_url, second)
    assert (batch.done, batch.failed, batch.reused) == (7, 0, 5)
    p = progress(batch)
    assert (p["processed"], p["reused"], p["analysed"]) == (7, 5, 2)
    elapsed = (naive_utc(batch.finished_at) - naive_utc(batch.started_at)).total_seconds()
    assert p["rate"] == round(2 / max(elapsed, 1e-3), 1)
    # Run again as it is: nothing analysed now, so no rate at all.
    third = pipeline.submit_file(db_url, csv_file(old), "c.csv", lambda b, c: queue.append((b, c)))
    run_all(db_url, queue)
    p = progress(get_batch(db_url, third))
    assert (p["done"], p["reused"], p["analysed"], p["rate"]) == (5, 5, 0, None)


def test_redelivered_chunk_changes_nothing(db_url: str, fake_analyzer) -> None:
    rows = [{"id": str(i), "description": f"epic {unique()}"} for i in range(5)]
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)), chunk_size=5)
    run_all(db_url, list(queue))
    before = get_batch(db_url, batch_id)
    # The same chunk delivered again, and run_chunk called even without start_chunk.
    assert pipeline.start_chunk(db_url, batch_id, 0) is None
    assert pipeline.run_chunk(db_url, batch_id, 0) == (0, 0)
    after = get_batch(db_url, batch_id)
    assert (after.done, after.failed, after.status) == (before.done, before.failed, "done") == (
        5, 0, "done")
    assert len(fake_analyzer.calls) == 5


def test_engine_error_and_poison_row_fail_only_their_rows(db_url: str, fake_analyzer) -> None:
    tag = unique()
    fake_analyzer.fail_on = f"POISON{tag}"
    rows = [{"id": "1", "description": f"billing {tag}"},
            {"id": "2", "description": f"POISON{tag}"},
            {"id": "3", "description": f"EMPTY {tag}"}]
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)))
    pipeline.start_chunk(db_url, batch_id, 0)
    try:
        pipeline.run_chunk(db_url, batch_id, 0)
    except RuntimeError:
        pass
    else:
        raise AssertionError("without isolate the engine's exception propagates")
    assert get_batch(db_url, batch_id).done == 0
    assert pipeline.run_chunk(db_url, batch_id, 0, isolate=True) == (1, 2)
    batch = get_batch(db_url, batch_id)
    assert (batch.status, batch.done, batch.failed) == ("done", 1, 2)
    errors = {r.source_id: r.error for r in iter_results(db_url, batch_id)}
    assert errors["1"] is None
    assert errors["2"] == "the analysis failed (RuntimeError)"
    assert errors["3"] == "no text found in the posting"


def test_chunks_hold_a_number_of_rows_or_fewer_when_their_postings_are_long() -> None:
    from models.inputs import Posting as InputPosting
    from models.inputs import RowError

    def posting(row: int, chars: int) -> InputPosting:
        return InputPosting(row=row, id=str(row), text="x" * chars)

    rows = [posting(1, 10), RowError(2, "2", "bad"), posting(3, 10), posting(4, 10), posting(5, 10)]
    assert [[r.row for r in c] for c in storing._chunks(rows, 2, chars=100)] == [[1, 2], [3, 4], [5]]
    # A huge posting makes a chunk of its own; postings that fit stay together.
    rows = [posting(1, 40), posting(2, 40), posting(3, 500), posting(4, 30), posting(5, 30)]
    assert [[r.row for r in c] for c in storing._chunks(rows, 10, chars=100)] == [[1, 2], [3], [4, 5]]


def test_fail_chunk_and_cancel(db_url: str, fake_analyzer) -> None:
    rows = [{"id": str(i), "description": f"x {unique()}"} for i in range(6)]
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)), chunk_size=3)
    assert pipeline.fail_chunk(db_url, batch_id, 0, "gave up") == 3
    assert pipeline.fail_chunk(db_url, batch_id, 0, "gave up") == 0
    assert pipeline.pending_chunks(db_url, batch_id) == [1]
    assert pipeline.cancel(db_url, batch_id)
    assert pipeline.start_chunk(db_url, batch_id, 1) is None
    batch = get_batch(db_url, batch_id)
    assert (batch.status, batch.failed, batch.done) == ("cancelled", 3, 0)
    assert not pipeline.cancel(db_url, "nope")


def test_rows_a_cancelled_batch_never_analysed_are_exported_as_cancelled(db_url: str,
                                                                          fake_analyzer) -> None:
    from worker import rows as batch_rows

    rows = [{"id": str(i), "description": f"epic {unique()}"} for i in range(4)]
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)), chunk_size=2)
    claim = pipeline.start_chunk(db_url, batch_id, 0)
    assert claim is not None and claim.attempt == 1
    assert pipeline.run_chunk(db_url, batch_id, 0, claim) == (2, 0)
    pending_before = [r.status for r in iter_results(db_url, batch_id)]
    assert pending_before == ["done", "done", "pending", "pending"]
    assert pipeline.cancel(db_url, batch_id)

    exported = [json.loads(line) for line in "".join(iter_export(iter_results(db_url, batch_id), "jsonl")).splitlines()]
    assert [(r["id"], r["status"]) for r in exported] == [
        ("0", "done"), ("1", "done"), ("2", "cancelled"), ("3", "cancelled")]
    assert exported[2]["error"] == "not analysed: the batch was cancelled"
    table = batch_rows.list_rows(db_url, batch_id, status="cancelled")
    assert [(r["id"], r["status"]) for r in table.rows] == [("2", "cancelled"), ("3", "cancelled")]
    assert batch_rows.batch_row(db_url, batch_id, 3).record["status"] == "cancelled"
    assert batch_rows.batch_row(db_url, batch_id, 1).record["status"] == "done"
    counts = report.batch_report(db_url, batch_id)
    assert (counts["pending"], counts["cancelled"], counts["cancelled_rows"]) == (
        0, 2, [{"from": 3, "to": 4}])


def test_single_posting_keeps_text_and_reuses_batch_analysis(db_url: str, fake_analyzer) -> None:
    text = f"Scheduling with Epic {unique()}"
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file([{"description": text, "title": "Clerk"}]), "a.csv",
                                    lambda b, c: queue.append((b, c)))
    run_all(db_url, queue)
    single = pipeline.submit_text(db_url, text, lambda b, c: queue.append((b, c)), title="Clerk")
    run_all(db_url, queue)
    with db.session_scope(db_url) as s:
        analyses = s.scalars(select(Analysis).join(Posting).where(Posting.text == text)).all()
        assert len(analyses) == 1
        # The normalised text, with the title first, as the engine gives it.
        assert analyses[0].text == f"Clerk\n{text}"
    from worker.results import single_result

    found = single_result(db_url, single)
    assert found is not None and found.row is not None
    assert found.status == "done" and found.text == f"Clerk\n{text}"
    assert found.row.merged()["title"] == "Clerk"
    assert get_batch(db_url, batch_id).status == "done"


def test_an_analysis_by_another_skill_set_version_is_not_reused(db_url: str, fake_analyzer,
                                                                 monkeypatch) -> None:
    text = f"Billing with Epic {unique()}"
    queue: list[tuple[str, int]] = []
    pipeline.submit_file(db_url, csv_file([{"description": text}]), "a.csv",
                         lambda b, c: queue.append((b, c)))
    run_all(db_url, queue)
    newer = type("NewerSkillSet", (), {"id": "fake", "version": "2", "name": "Fake"})()
    monkeypatch.setattr(fake_analyzer, "skillset", newer)
    monkeypatch.setattr(fake_analyzer, "version", "2")
    monkeypatch.setattr(analyzers, "resolve_skillset",
                        lambda url, skillset: skillsets.Pinned("fake", "fake", "2", "2"))
    again = pipeline.submit_file(db_url, csv_file([{"description": text}]), "b.csv",
                                 lambda b, c: queue.append((b, c)))
    run_all(db_url, queue)
    assert len(fake_analyzer.calls) == 2
    with db.session_scope(db_url) as s:
        versions = s.scalars(select(Analysis.skillset_version).join(Posting)
                             .where(Posting.text == text)).all()
    assert sorted(versions) == ["1", "2"]
    assert get_batch(db_url, again).done == 1


def test_same_text_pasted_at_once_gets_one_posting(db_url: str, fake_analyzer) -> None:
    import threading

    text = f"Billing and coding {unique()}"
    barrier = threading.Barrier(6)
    ids: list[str] = []

    def paste() -> None:
        barrier.wait()
        ids.append(pipeline.submit_text(db_url, text, lambda b, c: None))

    threads = [threading.Thread(target=paste) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session_scope(db_url) as s:
        postings = s.scalars(select(Posting.id).where(Posting.text == text)).all()
        rows = s.execute(select(BatchRow.posting_id, Batch.status, Batch.kind)
                         .join(Batch, Batch.id == BatchRow.batch_id)
                         .where(BatchRow.batch_id.in_(ids))).all()
    assert len(postings) == 1 and len(rows) == 6
    assert set(rows) == {(postings[0], "queued", "single")}


def test_export_and_report(db_url: str, fake_analyzer) -> None:
    rows = [{"id": "=cmd", "title": "Clerk", "company": "Acme", "location": "York",
             "date": "2020-11-02", "description": f"Epic scheduling {unique()}"},
            {"id": "2", "title": "Sec", "company": "Beta", "location": "Leeds",
             "date": "05/10/2020", "description": f"billing {unique()}"},
            {"id": "3", "title": "", "company": "", "location": "", "date": "",
             "description": ""}]
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)))
    run_all(db_url, queue)
    text = "".join(iter_export(iter_results(db_url, batch_id), "csv"))
    lines = text.splitlines()
    assert lines[0].startswith("\ufeffrow,id,title,company")
    assert lines[1].startswith("1,'=cmd,Clerk,Acme,York")
    assert "epic;scheduling" in lines[1] or "scheduling;epic" in lines[1]
    records = [json.loads(line) for line in
               "".join(iter_export(iter_results(db_url, batch_id), "jsonl")).splitlines()]
    assert [r["status"] for r in records] == ["done", "done", "failed"]
    assert records[0]["id"] == "=cmd" and records[0]["skills"]

    report = build_report(iter_results(db_url, batch_id))
    assert (report["postings"], report["analysed"], report["failed"]) == (3, 2, 1)
    assert report["skills"][0]["share"] == 0.5
    assert {s["id"] for s in report["by_tier"]["modern"]} == {"epic"}
    assert report["gaps"][0]["id"] == "telehealth" and report["gaps"][0]["count"] == 2
    assert [m["name"] for m in report["by_month"]] == ["2020-10", "2020-11"]
    assert {c["name"] for c in report["by_company"]} == {"Acme", "Beta"}
    assert sum(b["count"] for b in report["score"]["histogram"]) == 2
    assert report["failed_rows"][0]["row"] == 3


def through_the_json_column(url: str, batch_id: str) -> list[ResultRow]:
    """A batch's rows with their records decoded by the JSON column itself."""
    with db.session_scope(url) as session:
        return [ResultRow(*r) for r in session.execute(_rows(batch_id, Analysis.record))]


def test_records_decoded_per_row_are_the_stored_records(db_url: str, real_engine) -> None:
    postings = []
    for name in ("devset_nhs.jsonl", "devset_us.jsonl"):
        with open(FIXTURES / name, encoding="utf-8") as f:
            postings += [json.loads(line) for line in f][:15]
    rows = [{"id": p["id"], "title": p.get("title") or "", "company": "" if i % 3 else p["company"],
             "location": ("York", "Leeds", "")[i % 3], "date": f"2020-{i % 12 + 1:02d}-01",
             "description": f"{p['description']}\n(ref {unique()})"}
            for i, p in enumerate(postings)]
    rows.append({"id": "empty", "title": "", "company": "", "location": "", "date": "",
                 "description": ""})
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)), chunk_size=8)
    # Live while the last chunk is still pending, then built and stored once finished.
    run_all(db_url, queue[:-1])
    decoded = list(iter_results(db_url, batch_id))
    assert decoded == through_the_json_column(db_url, batch_id)
    assert any(r.record is None for r in decoded)
    assert report.batch_report(db_url, batch_id) == build_report(iter_results(db_url, batch_id))
    run_all(db_url, queue[-1:])
    full = build_report(iter_results(db_url, batch_id))
    assert (full["analysed"], full["failed"]) == (30, 1)
    assert full["skills"] and full["gaps"] and full["extras"] and full["coverage"]
    assert build_report(through_the_json_column(db_url, batch_id)) == full
    assert report.batch_report(db_url, batch_id) == full
    assert stored_report(db_url, batch_id) == (full, 31)


def test_helpers() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-3") == "-3"
    assert safe_cell("@SUM") == "'@SUM"
    assert safe_cell(None) == ""
    assert month_of("2020-07-08T10:21:30+0100") == "2020-07"
    assert month_of("8/7/2021") == "2021-07"
    assert month_of("soon") is None


def test_report_coverage_and_csv_columns(db_url: str, fake_analyzer) -> None:
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file([{"description": f"epic {unique()}"}]),
                                    "a.csv", lambda b, c: queue.append((b, c)))
    run_all(db_url, queue)
    report = build_report(iter_results(db_url, batch_id))
    assert report["coverage"] == {"foundation": 0.3333, "modern": 0.5}
    lines = "".join(iter_export(iter_results(db_url, batch_id), "csv")).splitlines()
    header = lines[0].split(",")
    values = dict(zip(header, lines[1].split(","), strict=True))
    assert (values["foundation_coverage"], values["modern_coverage"]) == ("0.3333", "0.5")


def stored_report(url: str, batch_id: str) -> tuple[dict | None, int | None]:
    with db.session_scope(url) as s:
        row = s.execute(select(Batch.report, Batch.report_processed)
                        .where(Batch.id == batch_id)).one()
    return row.report, row.report_processed


def test_report_is_live_while_running_then_stored_once_finished(db_url: str, fake_analyzer,
                                                               monkeypatch) -> None:
    rows = [{"id": str(i), "company": "Acme", "date": "2020-10-05",
             "description": f"{'epic' if i % 2 else 'billing'} {unique()}"} for i in range(9)]
    rows.append({"id": "empty", "description": ""})
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)), chunk_size=3)
    finished: list[str] = []
    analysed = []
    for b, chunk in queue:
        live = report.batch_report(db_url, batch_id)
        assert live == build_report(iter_results(db_url, batch_id))
        analysed.append(live["analysed"])
        assert stored_report(db_url, batch_id) == (None, None)
        claim = pipeline.start_chunk(db_url, b, chunk)
        pipeline.run_chunk(db_url, b, chunk, claim, on_finish=finished.append)
    assert analysed == [0, 3, 6]
    # Only the last chunk finished the batch.
    assert finished == [batch_id]

    fresh = build_report(iter_results(db_url, batch_id))
    assert (fresh["analysed"], fresh["failed"]) == (9, 1)
    assert report.batch_report(db_url, batch_id) == fresh
    assert stored_report(db_url, batch_id) == (fresh, 10)
    # From now on it is read, not built.
    monkeypatch.setattr(report, "build_report", lambda rows: {"built": "again"})
    assert report.batch_report(db_url, batch_id) == fresh

    # A re-delivered chunk changes nothing, and does not finish the batch again.
    assert pipeline.run_chunk(db_url, batch_id, 2, on_finish=finished.append) == (0, 0)
    assert pipeline.fail_chunk(db_url, batch_id, 2, "gave up", on_finish=finished.append) == 0
    assert finished == [batch_id]
    assert report.batch_report(db_url, batch_id) == fresh


def test_last_chunk_failed_finishes_the_batch_too(db_url: str, fake_analyzer) -> None:
    rows = [{"id": str(i), "description": f"x {unique()}"} for i in range(4)]
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(db_url, csv_file(rows), "a.csv",
                                    lambda b, c: queue.append((b, c)), chunk_size=2)
    finished: list[str] = []
    assert pipeline.fail_chunk(db_url, batch_id, 0, "gave up", on_finish=finished.append) == 2
    assert finished == []
    assert pipeline.fail_chunk(db_url, batch_id, 1, "gave up", on_finish=finished.append) == 2
    assert finished == [batch_id]


def test_pasted_posting_has_no_report_to_store(db_url: str, fake_analyzer) -> None:
    finished: list[str] = []
    batch_id = pipeline.submit_text(db_url, f"epic {unique()}", lambda b, c: None)
    pipeline.start_chunk(db_url, batch_id, 0)
    assert pipeline.run_chunk(db_url, batch_id, 0, on_finish=finished.append) == (1, 0)
    assert finished == []


def test_report_of_a_batch_cancelled_while_received_is_not_stored(db_url: str,
                                                                  fake_analyzer) -> None:
    from models.inputs import Posting as InputPosting

    batch_id = pipeline.create_batch(db_url)
    pipeline.store_chunks(db_url, batch_id, [(0, [InputPosting(row=1, id="1", text=f"epic {unique()}")])])
    pipeline.cancel(db_url, batch_id)
    # The file is still being read: its total is unknown and rows may still come.
    assert report.batch_report(db_url, batch_id)["postings"] == 1
    assert stored_report(db_url, batch_id) == (None, None)
    pipeline.finish_receiving(db_url, batch_id, 1)
    assert report.batch_report(db_url, batch_id)["postings"] == 1
    assert stored_report(db_url, batch_id)[1] == 0


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back UTC without a zone; PostgreSQL an aware time in its own zone."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def insert_old_batch(conn, batch_id: str, status: str, **times) -> None:
    """Insert a batch as an older schema had it: the model's table has newer columns."""
    from sqlalchemy import column, insert, table

    values = {"id": batch_id, "kind": "batch", "status": status, "skillset_id": "fake",
              "skillset_version": "1", "total": 2, "done": 0, "failed": 0, "chunks": 1,
              "include_text": False, "created_at": storage.utcnow(), **times}
    conn.execute(insert(table("batches", *map(column, values))).values(values))


def test_migration_upgrades_an_existing_database(empty_db_url: str) -> None:
    from sqlalchemy import inspect

    db.upgrade(empty_db_url, "0002")
    engine = db.get_engine(empty_db_url)
    assert "report" not in {c["name"] for c in inspect(engine).get_columns("batches")}
    batch_id = unique()
    with engine.begin() as conn:
        insert_old_batch(conn, batch_id, "done", total=0)
    db.upgrade(empty_db_url)
    assert {"report", "report_processed"} <= {
        c["name"] for c in inspect(engine).get_columns("batches")}
    assert stored_report(empty_db_url, batch_id) == (None, None)
    built = report.batch_report(empty_db_url, batch_id)
    assert built["postings"] == 0
    assert stored_report(empty_db_url, batch_id) == (built, 0)


def test_migration_0004_fills_in_when_batches_last_moved(empty_db_url: str) -> None:
    """From 0003: every batch gets a progress time, and no row is lost on the way."""
    from alembic import command
    from sqlalchemy import inspect

    db.upgrade(empty_db_url, "0003")
    engine = db.get_engine(empty_db_url)
    hour = dt.timedelta(hours=1)
    created = storage.utcnow() - 3 * hour
    queued, running, done = unique(), unique(), unique()
    with engine.begin() as conn:
        insert_old_batch(conn, queued, "queued", created_at=created)
        insert_old_batch(conn, running, "running", created_at=created, started_at=created + hour)
        insert_old_batch(conn, done, "done", created_at=created, started_at=created + hour,
                         finished_at=created + 2 * hour)
        conn.execute(BatchRow.__table__.insert(), [
            {"batch_id": b, "row": r, "chunk": 0, "status": "pending", "attempts": 0}
            for b in (queued, running) for r in (1, 2)])
    db.upgrade(empty_db_url)
    assert "ix_batches_status_progress" in {
        i["name"] for i in inspect(engine).get_indexes("batches")}
    with db.session_scope(empty_db_url) as s:
        moved = dict(s.execute(select(Batch.id, Batch.progress_at)).all())
        assert s.scalar(select(func.count()).select_from(BatchRow)) == 4

    def hours_after_creation(batch_id: str) -> float:
        return round((naive_utc(moved[batch_id]) - naive_utc(created)) / hour)

    assert [hours_after_creation(b) for b in (queued, running, done)] == [0, 1, 2]
    # Both batches that have pending rows and no task in any queue are found by the sweep.
    found = pipeline.stalled_batches(empty_db_url, ["batch"], storage.utcnow())
    assert sorted(found) == sorted([(queued, "batch"), (running, "batch")])
    # And back: plain ALTER TABLE, so the batches table is not rebuilt and keeps its rows.
    command.downgrade(db.alembic_config(empty_db_url), "0003")
    assert "progress_at" not in {c["name"] for c in inspect(engine).get_columns("batches")}
    with db.session_scope(empty_db_url) as s:
        assert s.scalar(select(func.count()).select_from(BatchRow)) == 4
    db.upgrade(empty_db_url)


def test_downgrading_to_0002_keeps_every_batch_and_row(own_db_url: str, fake_analyzer) -> None:
    from alembic import command

    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(own_db_url, csv_file([{"description": f"epic {unique()}"},
                                                            {"description": f"billing {unique()}"}]),
                                    "a.csv", lambda b, c: queue.append((b, c)))
    run_all(own_db_url, queue)
    report.batch_report(own_db_url, batch_id)
    command.downgrade(db.alembic_config(own_db_url), "0002")
    with db.get_engine(own_db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM batch_rows")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM batches")).scalar() == 1
    db.upgrade(own_db_url)


def test_a_view_waits_for_the_report_being_built_elsewhere(postgresql_url: str, fake_analyzer,
                                                          monkeypatch) -> None:
    """PostgreSQL only: on SQLite a second report may be built at once."""
    import threading

    url = postgresql_url
    queue: list[tuple[str, int]] = []
    batch_id = pipeline.submit_file(url, csv_file([{"description": f"epic {unique()}"}]),
                                    "a.csv", lambda b, c: queue.append((b, c)))
    run_all(url, queue)
    fresh = build_report(iter_results(url, batch_id))
    built: list[str] = []
    monkeypatch.setattr(report, "build_report", lambda rows: built.append("again") or fresh)
    served: list[dict] = []
    # Another process (the worker that finished the batch) is building the report.
    with report._one_builder(url, batch_id):
        view = threading.Thread(target=lambda: served.append(report.batch_report(url, batch_id)))
        view.start()
        view.join(0.5)
        assert view.is_alive(), "the view waits for the builder"
        with db.session_scope(url, write=True) as s:
            s.execute(update(Batch).where(Batch.id == batch_id)
                      .values(report=fresh, report_processed=1))
    view.join(10)
    assert served == [fresh] and built == []


def test_a_chunk_and_a_pasted_posting_are_few_round_trips_on_postgresql(postgresql_url: str,
                                                                       fake_analyzer) -> None:
    """Round trips per task are the pipeline's overhead: pasting is one statement, starting
    a chunk one, recording its results one, on PostgreSQL whatever the chunk's size."""
    from sqlalchemy import event

    url = postgresql_url
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split(None, 1)[0])

    engine = db.get_engine(url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        queue: list[tuple[str, int]] = []
        batch_id = pipeline.submit_file(
            url, csv_file([{"description": f"Epic and billing {unique()}"} for _ in range(30)]),
            "a.csv", lambda b, c: queue.append((b, c)), chunk_size=30)
        statements.clear()
        claim = pipeline.start_chunk(url, batch_id, 0)
        assert len(statements) == 1
        statements.clear()
        assert pipeline.run_chunk(url, batch_id, 0, claim) == (30, 0)
        assert len(statements) == 1
        assert get_batch(url, batch_id).status == "done"

        statements.clear()
        single = pipeline.submit_text(url, f"Epic {unique()}", lambda b, c: queue.append((b, c)))
        assert len(statements) == 1
        statements.clear()
        assert pipeline.run_chunk(url, single, 0, pipeline.start_chunk(url, single, 0)) == (1, 0)
        assert len(statements) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
