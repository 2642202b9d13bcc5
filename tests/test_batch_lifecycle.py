"""Cancelling and resuming a batch, and how chunk work is handed over, in-process."""

from __future__ import annotations

import gc
import io
import uuid

from worker import db, pipeline, report
from worker.pipeline import claiming
from worker.report import build_report
from worker.results import iter_results
from worker.storage import Batch


def csv_file(n: int) -> io.BytesIO:
    lines = ["id,description"] + [f"{i},epic {uuid.uuid4().hex}" for i in range(n)]
    return io.BytesIO("\n".join(lines).encode())


def submit(url: str, n: int, chunk_size: int) -> tuple[str, list[int]]:
    chunks: list[int] = []
    batch_id = pipeline.submit_file(url, csv_file(n), "a.csv", lambda _b, c: chunks.append(c),
                                    chunk_size=chunk_size)
    return batch_id, chunks


def state(url: str, batch_id: str) -> Batch:
    with db.session_scope(url) as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        return batch


def settled(batch: Batch) -> bool:
    return batch.done + batch.failed + batch.cancelled == batch.total


def test_cancel_marks_and_counts_every_row_not_analysed(db_url: str, fake_analyzer) -> None:
    batch_id, chunks = submit(db_url, 10, 3)
    claim = pipeline.start_chunk(db_url, batch_id, chunks[0])
    pipeline.run_chunk(db_url, batch_id, chunks[0], claim)
    pipeline.fail_chunk(db_url, batch_id, chunks[1], "gave up")
    # A worker is in the middle of chunk 2 when the batch is cancelled.
    running = pipeline.start_chunk(db_url, batch_id, chunks[2])
    assert pipeline.cancel(db_url, batch_id)
    batch = state(db_url, batch_id)
    assert (batch.status, batch.done, batch.failed, batch.cancelled) == ("cancelled", 3, 3, 4)
    assert settled(batch)
    # The running chunk finishes: its analyses are kept, its rows stay cancelled.
    assert pipeline.run_chunk(db_url, batch_id, chunks[2], running) == (0, 0)
    assert pipeline.start_chunk(db_url, batch_id, chunks[3]) is None
    batch = state(db_url, batch_id)
    assert (batch.done, batch.failed, batch.cancelled) == (3, 3, 4) and settled(batch)
    statuses = [r.status for r in iter_results(db_url, batch_id)]
    assert statuses == ["done"] * 3 + ["failed"] * 3 + ["cancelled"] * 4
    data = report.batch_report(db_url, batch_id)
    assert (data["analysed"], data["failed"], data["cancelled"], data["pending"]) == (3, 3, 4, 0)
    assert data["cancelled_rows"] == [{"from": 7, "to": 10}]
    # Cancelling again changes nothing.
    assert pipeline.cancel(db_url, batch_id)
    assert state(db_url, batch_id).cancelled == 4


def test_resume_takes_up_a_cancelled_batch_and_reuses_what_was_analysed(db_url: str,
                                                                          fake_analyzer) -> None:
    batch_id, chunks = submit(db_url, 6, 3)
    running = pipeline.start_chunk(db_url, batch_id, chunks[0])
    pipeline.cancel(db_url, batch_id)
    pipeline.run_chunk(db_url, batch_id, chunks[0], running)  # analysed, not counted
    calls = len(fake_analyzer.calls)
    cancelled_report = report.batch_report(db_url, batch_id)
    assert cancelled_report["cancelled"] == 6

    sent: list[int] = []
    assert pipeline.resume(db_url, batch_id, lambda _b, c: sent.append(c)) == chunks
    assert sent == chunks
    batch = state(db_url, batch_id)
    assert (batch.status, batch.cancelled, batch.finished_at) == ("running", 0, None)
    # The cancelled batch's stored report is not served for the running one.
    assert report.batch_report(db_url, batch_id)["pending"] == 6
    for chunk in sent:
        pipeline.run_chunk(db_url, batch_id, chunk, pipeline.start_chunk(db_url, batch_id, chunk))
    batch = state(db_url, batch_id)
    assert (batch.status, batch.done, batch.failed, batch.cancelled) == ("done", 6, 0, 0)
    # The chunk that ran while the batch was cancelled is not analysed twice.
    assert len(fake_analyzer.calls) == calls + 3
    assert report.batch_report(db_url, batch_id) == build_report(iter_results(db_url, batch_id))


def test_cancel_while_the_file_is_received_stops_storing_and_counts_right(db_url: str,
                                                                          fake_analyzer) -> None:
    batch_id = pipeline.create_batch(db_url, filename="a.csv")
    sent: list[int] = []

    def enqueue(b: str, chunk: int) -> None:
        sent.append(chunk)
        if len(sent) == 2:
            pipeline.cancel(db_url, b)

    total, error = pipeline.receive(db_url, batch_id, _postings(2000), enqueue, chunk_size=100)
    pipeline.finish_receiving(db_url, batch_id, total, error)
    batch = state(db_url, batch_id)
    # The first group of 500 rows was stored and cancelled; nothing after it was stored.
    assert (batch.status, batch.total, batch.cancelled) == ("cancelled", 500, 500)
    assert settled(batch)
    assert sum(1 for _ in iter_results(db_url, batch_id)) == 500


def _postings(n: int):
    from models.inputs import Posting

    return (Posting(row=i, id=str(i), text=f"epic {uuid.uuid4().hex}") for i in range(1, n + 1))


def test_claimed_rows_are_handed_over_and_not_kept(db_url: str, fake_analyzer) -> None:
    batch_id, chunks = submit(db_url, 4, 4)
    claim = pipeline.start_chunk(db_url, batch_id, chunks[0])
    assert claim is not None and claim.attempt == 1 and len(claim.rows) == 4
    # The chunk runs out of attempts and is failed without running: once its claim is
    # dropped, none of the rows it read (with their postings' texts) stays in memory.
    pipeline.fail_chunk(db_url, batch_id, chunks[0], "gave up")
    del claim
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, claiming.RowToRun)]
    assert not hasattr(pipeline, "_claimed")


def test_migration_0005_marks_and_counts_rows_of_batches_cancelled_before(empty_db_url: str) -> None:
    from alembic import command
    from sqlalchemy import func, select

    from tests.test_storage import insert_old_batch
    from worker.storage import BatchRow

    db.upgrade(empty_db_url, "0004")
    cancelled, running = uuid.uuid4().hex, uuid.uuid4().hex
    with db.get_engine(empty_db_url).begin() as conn:
        insert_old_batch(conn, cancelled, "cancelled")
        insert_old_batch(conn, running, "running")
        conn.execute(BatchRow.__table__.insert(), [
            {"batch_id": b, "row": r, "chunk": 0, "status": s, "attempts": 0}
            for b in (cancelled, running) for r, s in ((1, "done"), (2, "pending"))])
    db.upgrade(empty_db_url)
    with db.session_scope(empty_db_url) as s:
        statuses = dict(s.execute(select(BatchRow.batch_id, BatchRow.status)
                                  .where(BatchRow.row == 2)).all())
        counts = dict(s.execute(select(Batch.id, Batch.cancelled)).all())
    assert statuses == {cancelled: "cancelled", running: "pending"}
    assert counts == {cancelled: 1, running: 0}
    command.downgrade(db.alembic_config(empty_db_url), "0004")
    with db.get_engine(empty_db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(BatchRow.__table__)
                            .where(BatchRow.status == "pending")).scalar() == 2
    db.upgrade(empty_db_url)


def test_migration_0008_counts_no_reused_row_for_older_batches_and_goes_back(empty_db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect, select

    from tests.test_storage import insert_old_batch
    from worker.storage import BatchRow

    db.upgrade(empty_db_url, "0007")
    old = uuid.uuid4().hex
    with db.get_engine(empty_db_url).begin() as conn:
        insert_old_batch(conn, old, "done")
        conn.execute(BatchRow.__table__.insert(), [
            {"batch_id": old, "row": r, "chunk": 0, "status": "done", "attempts": 1} for r in (1, 2)])
    db.upgrade(empty_db_url)
    with db.session_scope(empty_db_url) as s:
        assert s.execute(select(Batch.reused).where(Batch.id == old)).scalar() == 0
    # Back: plain ALTER TABLE, so the batches table is not rebuilt and keeps its rows.
    command.downgrade(db.alembic_config(empty_db_url), "0007")
    engine = db.get_engine(empty_db_url)
    assert "reused" not in {c["name"] for c in inspect(engine).get_columns("batches")}
    with engine.connect() as conn:
        assert len(conn.execute(select(BatchRow.__table__.c.id)
                                .where(BatchRow.__table__.c.batch_id == old)).all()) == 2
    db.upgrade(empty_db_url)


def test_normalised_text_is_the_text_an_analysis_points_into(real_engine: None) -> None:
    """A batch row's page highlights evidence in a text normalised again: the same text."""
    import json
    from pathlib import Path

    from models.analysis import Analyzer, normalised_text

    root = Path(__file__).resolve().parent
    raws = [(root.parent / "examples" / name).read_text(encoding="utf-8")
            for name in ("medical-secretary.html", "billing-specialist.txt")]
    with (root / "fixtures" / "devset_nhs.jsonl").open(encoding="utf-8") as fh:
        raws += [json.loads(line)["description"] for line, _ in zip(fh, range(20), strict=False)]
    analyzer = Analyzer.for_skillset(None)
    for raw in raws:
        record = analyzer.analyze(raw, include_text=True)
        assert normalised_text(raw, None) == record["text"]
        for skill in record["skills"]:
            for ev in skill["evidence"]:
                assert record["text"][ev["start"]:ev["end"]] == ev["text"]
    assert normalised_text("") is None
