"""`skillgap batch resume`: chunks whose tasks were lost are queued again."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import main


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Settings of the embedded default (SQLite and a file-system queue) in tmp_path."""
    for name in ("REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILLGAP_INSTANCE_PATH", str(tmp_path / "instance"))
    from worker import db
    from worker.settings import load_settings

    settings = load_settings()
    db.upgrade(settings["DATABASE_URL"])
    return settings


def queued_messages(settings: dict) -> int:
    queue = Path(settings["INSTANCE_PATH"]) / "broker" / "queue"
    return len([p for p in queue.iterdir() if p.is_file()]) if queue.exists() else 0


def test_resume_queues_the_pending_chunks_again(embedded) -> None:
    from worker import pipeline

    rows = "id,description\n" + "".join(f"{i},Greet patients and book appointments {i}.\n" for i in range(5))
    lost: list[int] = []
    batch_id = pipeline.submit_file(
        embedded["DATABASE_URL"], io.BytesIO(rows.encode()), "jobs.csv",
        lambda _batch, chunk: lost.append(chunk), chunk_size=2,
    )
    assert lost == [0, 1, 2] and queued_messages(embedded) == 0  # the tasks never reached a broker
    from sqlalchemy import update

    from worker.db import get_engine
    from worker.storage import Batch, utcnow

    with get_engine(embedded["DATABASE_URL"]).begin() as conn:  # it has been still for an hour
        conn.execute(update(Batch).where(Batch.id == batch_id).values(
            progress_at=utcnow() - dt.timedelta(hours=1)))

    result = CliRunner().invoke(main, ["batch", "resume", batch_id])
    assert result.exit_code == 0, result.output
    assert f"{batch_id}: queued 3 chunk(s) again" in result.output
    assert queued_messages(embedded) == 3
    # It counts as progress: a sweep now finds nothing stalled to send a second time.
    sent: list[int] = []
    assert pipeline.resend_stalled(embedded["DATABASE_URL"], {"batch": lambda b, c: sent.append(c)}, 60) == {}
    later = utcnow() + dt.timedelta(seconds=61)
    assert pipeline.resend_stalled(embedded["DATABASE_URL"], {"batch": lambda b, c: sent.append(c)}, 60,
                                   now=later) == {batch_id: [0, 1, 2]}


def test_resume_of_an_unknown_batch_is_a_clear_error(embedded) -> None:
    result = CliRunner().invoke(main, ["batch", "resume", "no-such-batch"])
    assert result.exit_code != 0
    assert "no batch no-such-batch" in result.output
    assert "Traceback" not in result.output


def test_resume_takes_up_a_cancelled_batch_and_status_counts_its_cancelled_rows(embedded) -> None:
    from worker import pipeline

    rows = "id,description\n" + "".join(f"{i},Book appointments {i}.\n" for i in range(4))
    batch_id = pipeline.submit_file(embedded["DATABASE_URL"], io.BytesIO(rows.encode()), "jobs.csv",
                                    lambda _batch, _chunk: None, chunk_size=2)
    pipeline.cancel(embedded["DATABASE_URL"], batch_id)
    status = CliRunner().invoke(main, ["batch", "status", batch_id])
    assert "status: cancelled" in status.output and "cancelled: 4" in status.output
    result = CliRunner().invoke(main, ["batch", "resume", batch_id])
    assert result.exit_code == 0, result.output
    assert f"{batch_id}: queued 2 chunk(s) again" in result.output
    assert queued_messages(embedded) == 2
    status = CliRunner().invoke(main, ["batch", "status", batch_id])
    assert "status: queued" in status.output and "cancelled: 0" in status.output


def test_submit_with_a_skill_set_file_stores_its_contents_for_every_worker(embedded, tmp_path: Path) -> None:
    from worker import skillsets
    from worker.db import session_scope
    from worker.storage import Batch

    toml = (Path(__file__).resolve().parent.parent / "examples" / "skillsets" / "pharmacy-technician.toml")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("id,description\n1,Dispense prescriptions on our PMR system.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "submit", "--no-wait", "--skillset", str(toml), str(jobs)])
    assert result.exit_code == 0, result.output
    assert "skill set stored as pharmacy-technician-" in result.output
    batch_id = result.output.strip().splitlines()[-1]
    with session_scope(embedded["DATABASE_URL"]) as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        ref, sid = batch.skillset, batch.skillset_id
    # The batch records the stored set and version, not the path, and it reads back from the database.
    assert ref == f"{sid}@1" and str(toml) not in ref
    assert skillsets.text_of(embedded["DATABASE_URL"], ref)[1] == toml.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("skill,tier,weight,aliases\nWelding,core,1,weld\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "submit", "--no-wait", "--skillset", str(bad), str(jobs)])
    assert result.exit_code != 0 and "bad.csv, line 2: tier must be one of foundation, modern" in result.output


def test_analyze_and_show_read_a_created_skill_set_from_the_database(embedded, tmp_path: Path) -> None:
    from worker import skillsets

    toml = Path(__file__).resolve().parent.parent / "examples" / "skillsets" / "pharmacy-technician.toml"
    pinned = skillsets.create(embedded["DATABASE_URL"], toml.read_text(encoding="utf-8"), "pharmacy.toml")
    posting = tmp_path / "posting.txt"
    posting.write_text("Pharmacy Technician. Dispense prescriptions on our PMR system.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", "--format", "json", "--skillset", pinned.id, str(posting)])
    assert result.exit_code == 0, result.output
    assert '"id": "' + pinned.id + '"' in result.output and "dispensing" in result.output
    result = CliRunner().invoke(main, ["skillsets", "show", pinned.ref])
    assert result.exit_code == 0 and result.output.startswith(f"{pinned.id}: Pharmacy Technician (version 1)")
    result = CliRunner().invoke(main, ["skillsets", "show", pinned.id[:-1] + ("1" if pinned.id.endswith("0") else "0")])
    assert result.exit_code != 0 and "unknown skill set" in result.output
