"""A file row's location, title and company are cues to its analysis, as in `skillgap analyze`."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import click
from click.testing import CliRunner

from web.analyze_cli import register
from worker import pipeline
from worker.results import iter_results
from worker.storage import content_hash

TEXT = ("Medical receptionist. Greet patients, schedule appointments and answer phones. "
        "Customer service experience required.")


def _run(url: str, csv: str) -> str:
    chunks: list[int] = []
    batch_id = pipeline.submit_file(url, io.BytesIO(csv.encode()), "rows.csv",
                                    lambda _b, c: chunks.append(c), chunk_size=10)
    for chunk in chunks:
        pipeline.run_chunk(url, batch_id, chunk, pipeline.start_chunk(url, batch_id, chunk))
    return batch_id


def test_batch_rows_are_analysed_with_their_location(db_url: str, real_engine: None) -> None:
    rows = [("Austin, TX", "US"), ("Leeds, UK", "UK"), ("", None), ("Austin, TX", "US")]
    csv = "description,location\n" + "".join(f'"{TEXT}","{loc}"\n' for loc, _ in rows)
    results = list(iter_results(db_url, _run(db_url, csv)))
    assert [r.record["locale"] for r in results] == [locale for _, locale in rows]
    assert [r.location for r in results] == [loc or None for loc, _ in rows]
    # The same text is another posting with another location; with the same one it is the same.
    assert results[0].record == results[3].record != results[1].record
    assert results[0].record["market"]["reference"] != results[1].record["market"]["reference"]


def test_the_worker_passes_each_row_its_location(db_url: str, fake_analyzer) -> None:
    csv = "description,location\nepic one,\"Austin, TX\"\nepic one,Leeds\nepic one,\nepic two,Leeds\n"
    _run(db_url, csv)
    assert sorted(zip(fake_analyzer.calls, fake_analyzer.locations, strict=True), key=str) == sorted([
        ("epic one", "Austin, TX"), ("epic one", "Leeds"), ("epic one", None), ("epic two", "Leeds")], key=str)


def test_the_worker_passes_each_row_its_title_and_company(db_url: str, fake_analyzer) -> None:
    csv = ("description,title,company\nepic three,Coder,Acme\nepic three,Coder,Zeta\nepic three,,\n"
           "epic three,Biller,\nepic three,Coder,Acme\n")
    _run(db_url, csv)
    # The same text with another title or company is another posting; with the same ones it is the same.
    assert sorted(zip(fake_analyzer.titles, fake_analyzer.companies, strict=True), key=str) == sorted([
        ("Coder", "Acme"), ("Coder", "Zeta"), (None, None), ("Biller", None)], key=str)


def test_a_batch_row_is_analysed_as_skillgap_analyze_does(db_url: str, real_engine: None,
                                                           tmp_path: Path) -> None:
    # The text does not name the job: its title, a column of its own, moves the occupation
    # fit, the skills and the market percentile.
    text = "Greet patients, schedule appointments and answer phones. Customer service experience required."
    rows = [("Medical Receptionist", "Acme Clinic", "Austin, TX"), ("Medical Coder", "", "Leeds, UK"),
            ("", "", ""), ("Medical Receptionist", "Zeta Health", "Austin, TX")]
    csv = "description,title,company,location\n" + "".join(f'"{text}","{t}","{c}","{loc}"\n' for t, c, loc in rows)
    path = tmp_path / "rows.csv"
    path.write_text(csv)

    @click.group()
    def skillgap() -> None:
        """A stand-in for the skillgap group."""

    register(skillgap)
    run = CliRunner().invoke(skillgap, ["analyze", str(path), "--format", "jsonl", "--no-progress"])
    assert run.exit_code == 0, run.output
    expected = [json.loads(line) for line in run.output.splitlines()]
    results = list(iter_results(db_url, _run(db_url, csv)))
    fields = ("skills", "fit", "market", "locale")
    assert [{k: r.record[k] for k in fields} for r in results if r.record] == [
        {k: e[k] for k in fields} for e in expected]
    assert [r.merged()["title"] for r in results] == [e["title"] for e in expected]
    # The rows' titles do change the analysis, so this compares something.
    assert expected[0]["fit"] != expected[2]["fit"] and expected[0]["skills"] != expected[1]["skills"]


def test_a_posting_without_title_or_company_keeps_its_hash() -> None:
    # Postings stored before titles and companies were hashed are still found again.
    assert content_hash("x") == hashlib.sha256(b"x").hexdigest()
    assert content_hash("x", "Leeds") == hashlib.sha256(b"x\x00location:Leeds").hexdigest()
    assert len({content_hash("x", None, "Coder"), content_hash("x", None, None, "Coder"),
                content_hash("x", "Coder"), content_hash("x")}) == 4
