"""Résumé matches on the web: the API, the pages, against a batch; expiry, deletion and privacy.

The real engine runs the matches, in-process: the test does what a worker does
(``worker.matches.run``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import drain, make_app
from tests.test_resume_match import POSTING, RECEPTIONIST, make_docx, make_pdf, make_scanned_pdf
from worker import matches
from worker.storage import Match

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db_url: str, tmp_path: Path, real_engine):
    return make_app(db_url, tmp_path)


def run(app, match_id: str) -> None:
    matches.run(app.config["DATABASE_URL"], match_id)


def stored(app, match_id: str) -> Match | None:
    from worker.db import session_scope

    with session_scope(app.config["DATABASE_URL"]) as session:
        found = session.get(Match, match_id)
        if found is not None:
            session.expunge(found)
        return found


def test_api_match_flow_and_shape(app, client) -> None:
    r = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING})
    assert r.status_code == 202
    body = r.get_json()
    assert r.headers["Location"] == body["status_url"] == f"/api/v1/matches/{body['id']}"
    assert body["status"] == "queued" and body["kind"] == "posting"
    # 128 random bits: ids differ and cannot be counted through.
    assert len(body["id"]) >= 22
    run(app, body["id"])
    # What the match was made from is gone once it has run.
    row = stored(app, body["id"])
    assert row is not None and row.resume_text is None and row.posting_text is None
    done = client.get(body["status_url"]).get_json()
    assert done["status"] == "done"
    assert 0 <= done["match"] <= 100 and done["match_parts"]["explained"]
    for key in ("have", "missing", "learn_next"):
        assert done[key], key
        for item in done[key]:
            assert {"id", "name", "evidence"} <= set(item)
            assert set(item["evidence"]) == {"posting", "resume"}
    ehr = next(i for i in done["have"] if i["id"] == "ehr")
    assert ehr["evidence"]["resume"][0]["text"] == "Epic"
    assert [i["requirement"] for i in done["missing"]][0] == "required"
    other = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING}).get_json()
    assert other["id"] != body["id"]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_api_match_of_uploaded_files(app, client, kind: str) -> None:
    lines = RECEPTIONIST.splitlines()
    data = make_pdf(lines) if kind == "pdf" else make_docx(lines)
    r = client.post("/api/v1/matches", data={
        "resume_file": (io.BytesIO(data), f"cv.{kind}"),
        "posting_file": (io.BytesIO(POSTING.encode()), "posting.txt"),
    }, content_type="multipart/form-data")
    assert r.status_code == 202, r.get_json()
    run(app, r.get_json()["id"])
    done = client.get(r.headers["Location"]).get_json()
    assert {"scheduling", "ehr", "hipaa"} <= {i["id"] for i in done["have"]}


def test_api_match_errors(app, client) -> None:
    scan = client.post("/api/v1/matches", data={
        "resume_file": (io.BytesIO(make_scanned_pdf()), "scan.pdf"), "posting": POSTING,
    }, content_type="multipart/form-data")
    assert scan.status_code == 422
    assert scan.get_json()["error"]["code"] == "unreadable_resume"
    assert "no text to read" in scan.get_json()["error"]["message"]
    assert client.post("/api/v1/matches", json={"posting": POSTING}).status_code == 422
    assert client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": " "}).get_json()[
        "error"]["code"] == "unanalysable_text"
    assert client.post("/api/v1/matches", json=[1]).status_code == 400
    assert client.post("/api/v1/matches", data="x", content_type="text/plain").status_code == 415
    assert client.post("/api/v1/matches", json={"resume": "x", "batch_id": "nope"}).get_json()[
        "error"]["code"] == "batch_not_ready"
    assert client.get("/api/v1/matches/nope").status_code == 404


def test_delete_at_once(app, client) -> None:
    body = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING}).get_json()
    run(app, body["id"])
    assert client.delete(body["status_url"]).status_code == 204
    assert stored(app, body["id"]) is None
    assert client.get(body["status_url"]).status_code == 404
    assert client.delete(body["status_url"]).status_code == 404
    # A match deleted before its worker came to it is not run.
    queued = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING}).get_json()
    client.delete(queued["status_url"])
    run(app, queued["id"])
    assert stored(app, queued["id"]) is None


def test_expiry_on_read_and_by_the_sweep(app, client) -> None:
    url = app.config["DATABASE_URL"]
    body = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING}).get_json()
    run(app, body["id"])
    expires = dt.datetime.fromisoformat(body["expires_at"])
    created = stored(app, body["id"]).created_at
    assert abs((expires - created.replace(tzinfo=dt.timezone.utc)) - dt.timedelta(hours=24)) < dt.timedelta(seconds=1)
    assert matches.get(url, body["id"], now=expires - dt.timedelta(seconds=1)) is not None
    # Past its time a match is gone on read, and deleted.
    assert matches.get(url, body["id"], now=expires) is None
    assert stored(app, body["id"]) is None
    # The sweep deletes what nobody reads.
    later = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING}).get_json()
    assert matches.sweep_expired(url, now=dt.datetime.now(dt.timezone.utc)) == 0
    assert matches.sweep_expired(url, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=25)) >= 1
    assert stored(app, later["id"]) is None


def test_ttl_is_a_setting(db_url: str, tmp_path: Path, real_engine) -> None:
    app = make_app(db_url, tmp_path, MATCH_TTL_HOURS=0.5)
    client = app.test_client()
    body = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "posting": POSTING}).get_json()
    left = dt.datetime.fromisoformat(body["expires_at"]) - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)
    assert "kept for 0.5 hours" in client.get("/match").get_data(as_text=True)


def test_against_a_batch_and_kept_out_of_its_report_and_export(app, client, caplog) -> None:
    marker = f"Zebulon{uuid.uuid4().hex[:8]}"
    postings = [
        "Receptionist: greet patients, schedule appointments in Epic. HIPAA knowledge required.",
        "Medical coder: ICD-10 and CPT coding required. Medical billing experience required.",
        "Front desk: schedule appointments and verify insurance eligibility. Required.",
        "Nothing about any skill here at all, just a short note.",
    ]
    csv = "description\n" + "".join(f'"{p}"\n' for p in postings)
    r = client.post("/api/v1/batches", data={"file": (io.BytesIO(csv.encode()), "jobs.csv")},
                    content_type="multipart/form-data")
    batch_id = r.get_json()["id"]
    not_ready = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "batch_id": batch_id})
    assert not_ready.get_json()["error"]["code"] == "batch_not_ready"
    drain(app, batch_id)
    caplog.set_level(logging.DEBUG)
    resume = f"{marker} Smith\n{RECEPTIONIST}"
    body = client.post("/api/v1/matches", json={"resume": resume, "batch_id": batch_id}).get_json()
    run(app, body["id"])
    done = client.get(body["status_url"]).get_json()
    assert done["kind"] == "batch" and done["status"] == "done"
    assert sorted(p["row"] for p in done["postings"][:2]) == [1, 3]
    assert done["postings"][0]["match"] == 100 and done["full_matches"] == 2
    assert done["postings"][2] == {"row": 2, "title": None, "company": None, "match": 0, "have": [],
                                   "missing": [{"id": "medical_billing", "name": "Medical billing (electronic claims)",
                                                "requirement": "required"},
                                               {"id": "medical_coding", "name": "Medical coding",
                                                "requirement": "required"}]}
    assert done["unmatched"] >= 1
    learn = {s["id"]: s for s in done["to_learn"]}
    assert learn["medical_coding"]["improves"] == 1 and learn["medical_coding"]["required_in"] == 1
    # The résumé is in no log, no report, no export.
    assert marker not in caplog.text
    for path in (f"/api/v1/batches/{batch_id}/report", f"/api/v1/batches/{batch_id}/results?format=jsonl",
                 f"/api/v1/batches/{batch_id}/results?format=csv"):
        assert marker not in client.get(path).get_data(as_text=True)
        assert "Riverside" not in client.get(path).get_data(as_text=True)


# -- the pages ----------------------------------------------------------------------------------

def token(client, path: str = "/match") -> str:
    return TOKEN_RE.search(client.get(path).get_data(as_text=True)).group(1)


def test_match_page_flow(app, client) -> None:
    page = client.get("/match").get_data(as_text=True)
    assert "kept for 24 hours" in page and "never written to a log" in page
    r = client.post("/match", data={"csrf_token": token(client), "resume": RECEPTIONIST,
                                    "posting": POSTING})
    assert r.status_code == 303
    result_url = r.headers["Location"]
    match_id = result_url.rsplit("/", 1)[1]
    assert "Matching your résumé" in client.get(result_url).get_data(as_text=True)
    run(app, match_id)
    html = client.get(result_url).get_data(as_text=True)
    for words in ("% match", "You have", "Missing", "Learn next", "Delete this match now",
                  "Your résumé says you do not have it yet", "deleted"):
        assert words in html, words
    r = client.post(f"{result_url}/delete", data={"csrf_token": token(client, result_url)})
    assert r.status_code == 303 and r.headers["Location"] == "/match?deleted=1"
    assert "was deleted" in client.get("/match?deleted=1").get_data(as_text=True)
    assert client.get(result_url).status_code == 404


def test_match_page_errors_keep_what_was_typed(app, client) -> None:
    r = client.post("/match", data={
        "csrf_token": token(client), "posting": POSTING, "resume": "",
        "resume_file": (io.BytesIO(make_scanned_pdf()), "scan.pdf"),
    }, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "no text to read" in html
    assert "Verify insurance eligibility" in html
    r = client.post("/match", data={"csrf_token": token(client), "resume": RECEPTIONIST, "posting": ""})
    assert r.status_code == 422 and "the posting" in r.get_data(as_text=True)


def test_a_database_error_does_not_quote_the_resume(tmp_path: Path) -> None:
    import sqlite3

    from sqlalchemy.exc import StatementError

    path = tmp_path / "old.sqlite3"
    # A matches table without the résumé's column: the sweep works, the INSERT fails.
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE matches (id VARCHAR PRIMARY KEY, expires_at DATETIME)")
    url = f"sqlite:///{path}"
    with pytest.raises(StatementError) as caught:
        matches.create(url, lambda _id: None, "Zebulon Quartermaine, receptionist", ttl_hours=1,
                       posting_text="Receptionist")
    assert "INSERT INTO matches" in str(caught.value) and "Zebulon" not in str(caught.value)


def test_migration_0007_adds_and_drops_the_matches_table(empty_db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from worker import db

    db.upgrade(empty_db_url, "0005")
    assert "matches" not in inspect(db.get_engine(empty_db_url)).get_table_names()
    db.upgrade(empty_db_url)
    assert "matches" in inspect(db.get_engine(empty_db_url)).get_table_names()
    command.downgrade(db.alembic_config(empty_db_url), "0005")
    assert "matches" not in inspect(db.get_engine(empty_db_url)).get_table_names()


def test_match_command_against_a_batch_answers_as_the_api(app, client, monkeypatch, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from web.match_cli import match as match_command

    monkeypatch.setenv("SKILLGAP_DATABASE_URL", app.config["DATABASE_URL"])
    postings = [
        ("Receptionist", "Receptionist: greet patients, schedule appointments in Epic. HIPAA knowledge required."),
        ("Coder", "Medical coder: ICD-10 and CPT coding required. Medical billing experience required."),
        ("Front desk", "Front desk: schedule appointments and verify insurance eligibility. Required."),
    ]
    csv = "title,description\n" + "".join(f'"{t}","{p}"\n' for t, p in postings)
    batch_id = client.post("/api/v1/batches", data={"file": (io.BytesIO(csv.encode()), "jobs.csv")},
                           content_type="multipart/form-data").get_json()["id"]
    resume = tmp_path / "cv.txt"
    resume.write_text(RECEPTIONIST, encoding="utf-8")
    runner = CliRunner()
    not_ready = runner.invoke(match_command, [str(resume), "--batch", batch_id])
    assert not_ready.exit_code == 1 and f"no finished batch {batch_id}" in not_ready.output
    drain(app, batch_id)

    body = client.post("/api/v1/matches", json={"resume": RECEPTIONIST, "batch_id": batch_id}).get_json()
    run(app, body["id"])
    api = client.get(body["status_url"]).get_json()
    result = runner.invoke(match_command, [str(resume), "--batch", batch_id, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {k: v for k, v in api.items()
                                         if k not in ("id", "status", "status_url", "expires_at")}
    assert api["kind"] == "batch" and api["postings"] and api["to_learn"]

    table = runner.invoke(match_command, [str(resume), "--batch", batch_id])
    assert table.exit_code == 0, table.output
    assert f"Against 3 postings: you match {api['full_matches']} fully" in table.stdout
    assert "Skills to learn (" in table.stdout and api["to_learn"][0]["name"] in table.stdout
    lines = table.stdout.splitlines()
    ranked = [line.split()[1] for line in lines if line.startswith("  row ")]
    assert ranked == [str(p["row"]) for p in api["postings"]]
    assert "Coder" in table.stdout and "Medical coding (required)" in table.stdout

    for args, message in (([str(resume)], "give a POSTING or --batch ID"),
                          ([str(resume), str(resume), "--batch", batch_id], "give a POSTING or --batch ID"),
                          ([str(resume), "--batch", batch_id, "--skillset", "medical-admin"], "--skillset")):
        wrong = runner.invoke(match_command, args)
        assert wrong.exit_code == 2 and message in wrong.output
