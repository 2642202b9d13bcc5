"""Hostile and broken input through the API and the pages: a clear error, never a 500,
and the good rows of a file still analysed."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import drain, make_app


@pytest.fixture
def app(db_url: str, tmp_path: Path, fake_analyzer):
    return make_app(db_url, tmp_path, WTF_CSRF_ENABLED=False)


def upload(client, content: bytes, name: str = "jobs.csv", **form):
    data = {"file": (io.BytesIO(content), name), **form}
    return client.post("/api/v1/batches", data=data, content_type="multipart/form-data")


def batch_counts(client, batch_id: str) -> tuple[str, int, int, int]:
    b = client.get(f"/api/v1/batches/{batch_id}").get_json()
    return b["status"], b["total"], b["done"], b["failed"]


# --- 1. NUL characters -------------------------------------------------------------------

def test_nul_in_a_csv_cell_spoils_neither_the_file_nor_its_row(app, client) -> None:
    tag = uuid.uuid4().hex
    body = (f"id,title,company,description\n"
            f"1,Clerk\x00,Acme\x00Ltd,scheduling {tag} one\n"
            f"2,Clerk,Acme,billing\x00 {tag} two\n"
            f"3,Clerk,Acme,Epic {tag} three\n").encode()
    r = upload(client, body, name="nul\x00.csv")
    assert r.status_code == 202, r.get_json()
    batch_id = r.get_json()["id"]
    drain(app, batch_id)
    assert batch_counts(client, batch_id) == ("done", 3, 3, 0)
    csv_text = client.get(f"/api/v1/batches/{batch_id}/results").get_data(as_text=True)
    assert "\x00" not in csv_text and "AcmeLtd" in csv_text


def test_nul_in_jsonl_fields(app, client) -> None:
    tag = uuid.uuid4().hex
    body = (f'{{"id": "a\\u0000", "title": "T\\u0000", "description": "Epic\\u0000 {tag}"}}\n'
            f'{{"id": "b", "description": "billing {tag}"}}\n').encode()
    r = upload(client, body, name="jobs.jsonl")
    assert r.status_code == 202, r.get_json()
    drain(app, r.get_json()["id"])
    assert batch_counts(client, r.get_json()["id"]) == ("done", 2, 2, 0)


def test_nul_in_a_pasted_posting_and_its_json_fields(app, client) -> None:
    tag = uuid.uuid4().hex
    r = client.post("/api/v1/analyses", json={"text": f"Epic\x00 scheduling {tag}",
                                              "title": "Clerk\x00", "company": "\x00Acme"})
    assert r.status_code == 202, r.get_data(as_text=True)
    drain(app, r.get_json()["id"])
    result = client.get(r.get_json()["status_url"]).get_json()["result"]
    assert (result["title"], result["company"]) == ("Clerk", "Acme")
    assert result["text"] == f"Clerk\nEpic scheduling {tag}"  # the title first, as the engine puts it
    # Only NULs: nothing left to analyse, said as such.
    r = client.post("/api/v1/analyses", json={"text": "\x00\x00\x00"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "unanalysable_text"
    # The Analyse form.
    r = client.post("/analyses", data={"text": f"billing\x00 {tag}"})
    assert r.status_code == 303


def test_nul_in_an_uploaded_page_file(app, client) -> None:
    tag = uuid.uuid4().hex
    body = (f"id,description\n1,scheduling {tag}\n2,billing\x00 {tag}\n").encode()
    r = client.post("/batches/upload", data={"file": (io.BytesIO(body), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    preview = r.headers["Location"]
    assert client.get(preview).status_code == 200
    r = client.post(preview, data={"col_text": "description", "col_id": "id"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    batch_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    assert batch_counts(client, batch_id) == ("done", 2, 2, 0)
    # The report's search box on the batch's rows.
    assert client.get(f"/batches/{batch_id}/report?q=a%00b").status_code == 200


def test_binary_files_are_still_refused(client) -> None:
    utf16 = "id,description\n1,Epic scheduling\n".encode("utf-16")
    r = upload(client, utf16)
    assert r.status_code == 422 and "binary" in r.get_json()["error"]["message"]
    r = client.post("/batches/upload", data={"file": (io.BytesIO(bytes(range(256)) * 8), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 415 and re.search("binary", r.get_data(as_text=True))


# --- 2. The row cap ----------------------------------------------------------------------

def count_batches(app) -> int:
    from sqlalchemy import func, select

    from worker.db import session_scope
    from worker.storage import Batch

    with session_scope(app.config["DATABASE_URL"]) as session:
        return int(session.scalar(select(func.count()).select_from(Batch)))


@pytest.mark.parametrize("name,row", [("jobs.csv", "Epic {}\n"),
                                      ("jobs.jsonl", '{{"description": "Epic {}"}}\n')])
def test_api_upload_over_the_row_cap_is_413(db_url: str, tmp_path: Path, fake_analyzer,
                                            name: str, row: str) -> None:
    app = make_app(db_url, tmp_path, MAX_ROWS=3)
    client = app.test_client()
    head = "description\n" if name.endswith(".csv") else ""
    before = count_batches(app)
    r = upload(client, (head + "".join(row.format(i) for i in range(4))).encode(), name)
    assert r.status_code == 413, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "too_many_rows" and "3" in error["message"]
    assert count_batches(app) == before
    # At the cap, and a file whose body Werkzeug spooled to disk (over 500 kB).
    r = upload(client, (head + "".join(row.format(i) for i in range(3))).encode(), name)
    assert r.status_code == 202
    drain(app, r.get_json()["id"])
    assert batch_counts(client, r.get_json()["id"]) == ("done", 3, 3, 0)
    big = head + "".join(row.format(f"{i} " + "x" * 200_000) for i in range(3))
    r = upload(client, big.encode(), name)
    assert r.status_code == 202
    assert client.get(r.get_json()["status_url"]).get_json()["total"] == 3


# --- 3. A cell over the size of a posting --------------------------------------------------

def test_huge_csv_cell_previews_and_fails_only_its_row(app, client) -> None:
    from models.inputs import MAX_POSTING_CHARS

    tag = uuid.uuid4().hex
    body = (f"id,description\n1,scheduling {tag}\n2,{'x' * (MAX_POSTING_CHARS + 5)}\n"
            f"3,billing {tag}\n").encode()
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    r = client.post("/batches/upload", data={"file": (io.BytesIO(body), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    preview = client.get(r.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:300]
    assert "row 2: cannot be read as CSV: a cell is longer than 2,000,000 characters" in page
    assert f"billing {tag}" in page
    r = client.post(r.headers["Location"], data={"col_text": "description", "col_id": "id"})
    assert r.status_code == 303
    batch_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    assert batch_counts(client, batch_id) == ("done", 3, 2, 1)
    results = client.get(f"/api/v1/batches/{batch_id}/results").get_data(as_text=True)
    assert "a cell is longer than 2,000,000 characters" in results


# --- 4. Deep JSON, huge row numbers ------------------------------------------------------

def test_deeply_nested_json_is_a_400_or_a_failed_row(app, client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post("/api/v1/analyses", data='{"text": ' + deep + "}",
                    content_type="application/json")
    assert r.status_code == 400 and "nested too deeply" in r.get_json()["error"]["message"]
    for path in ("/api/v1/matches", "/api/v1/batches/x/reanalyze"):
        r = client.post(path, data='{"a": ' + deep + "}", content_type="application/json")
        assert r.status_code == 400 and "nested too deeply" in r.get_json()["error"]["message"], path
    tag = uuid.uuid4().hex
    body = f'{{"description": {deep}}}\n{{"description": "Epic {tag}"}}\n'.encode()
    r = upload(client, body, name="jobs.jsonl")
    assert r.status_code == 202, r.get_json()
    drain(app, r.get_json()["id"])
    assert batch_counts(client, r.get_json()["id"]) == ("done", 2, 1, 1)
    r = client.post("/batches/upload", data={"file": (io.BytesIO(body), "x.jsonl")},
                    content_type="multipart/form-data")
    assert r.status_code == 303 and client.get(r.headers["Location"]).status_code == 200


def test_row_number_past_the_database_integer_is_404(app, client) -> None:
    r = upload(client, f"description\nEpic {uuid.uuid4().hex}\n".encode())
    batch_id = r.get_json()["id"]
    assert client.get(f"/batches/{batch_id}/rows/1").status_code == 200
    for row in (2**31 - 1, 2**31, 2**63, 10**30):
        assert client.get(f"/batches/{batch_id}/rows/{row}").status_code == 404


# --- 5. CSV injection, the session cookie over HTTPS, 405s -------------------------------

def test_export_escapes_formulas_after_a_delimiter(app, client) -> None:
    import csv

    tag = uuid.uuid4().hex
    rows = [("Acme;=1+1", "Clerk\t=HYPERLINK(\"x\")"), ("Acme|@SUM(A1)", "a\r\n+1+2"),
            ("Acme; -2", "=cmd|' /C calc'!A0"), ("Acme,-3", "Clerk")]
    body = io.StringIO()
    writer = csv.writer(body)
    writer.writerow(["company", "title", "description"])
    writer.writerows([(c, t, f"Epic {tag} {i}") for i, (c, t) in enumerate(rows)])
    r = upload(client, body.getvalue().encode())
    drain(app, r.get_json()["id"])
    export = client.get(f"/api/v1/batches/{r.get_json()['id']}/results").get_data(as_text=True)
    cells = [{k: v for k, v in row.items() if k in ("company", "title")}
             for row in csv.DictReader(io.StringIO(export))]
    assert cells == [
        {"company": "Acme;'=1+1", "title": "Clerk\t'=HYPERLINK(\"x\")"},
        {"company": "Acme|'@SUM(A1)", "title": "a\r\n'+1+2"},
        {"company": "Acme; -2", "title": "'=cmd|' /C calc'!A0"},
        {"company": "Acme,-3", "title": "Clerk"},
    ]
    # Split again on every delimiter a spreadsheet might use, no part starts a formula.
    for row in cells:
        for value in row.values():
            for part in re.split(r"[,;\t\r\n|]", value):
                assert not part.strip().startswith(("=", "+", "@")), value


def test_session_cookie_is_secure_over_https(db_url: str, tmp_path: Path, fake_analyzer) -> None:
    def cookie(app, **kw) -> str:
        r = app.test_client().get("/", **kw)
        assert r.status_code == 200
        return "; ".join(r.headers.getlist("Set-Cookie"))

    app = make_app(db_url, tmp_path)
    assert "session=" in cookie(app) and "Secure" not in cookie(app)
    assert "Secure" in cookie(app, base_url="https://localhost")
    # The proxy's header is trusted only when the setting says a proxy is there.
    forwarded = {"headers": {"X-Forwarded-Proto": "https"}}
    assert "Secure" not in cookie(app, **forwarded)
    proxied = make_app(db_url, tmp_path, PROXY_HOPS=1)
    assert "Secure" in cookie(proxied, **forwarded)
    assert "Secure" in cookie(make_app(db_url, tmp_path, SESSION_COOKIE_SECURE=True))


def test_405_says_which_methods_are_allowed(app, client) -> None:
    for path, allowed in (("/api/v1/analyses", {"POST"}), ("/healthz", {"GET", "HEAD"}),
                          ("/batches/new", {"GET", "HEAD"}), ("/", {"GET", "HEAD"})):
        r = client.put(path)
        assert r.status_code == 405
        assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}, path
    r = client.delete("/api/v1/analyses/abc")
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and r.is_json


# --- 6. skillgap analyze: a run that analysed nothing fails ------------------------------

@pytest.mark.parametrize("name,content,code", [
    ("empty.txt", b"", 1),
    ("blank.html", b"  \n ", 1),
    ("header-only.csv", b"id,description\n", 1),
    ("all-broken.csv", b"id,description\n1,\n2,  \n", 1),
    ("all-broken.jsonl", b'{"id": 1}\nnot json\n', 1),
    ("one-good.csv", b"id,description\n1,\n2,Greet patients at the front desk.\n", 0),
])
def test_analyze_exit_code_says_whether_anything_was_analysed(tmp_path: Path, name: str,
                                                              content: bytes, code: int) -> None:
    from click.testing import CliRunner

    from web.cli import main

    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["analyze", str(path), "--format", "jsonl", "--no-progress"])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code:
        assert "Error: no posting" in result.output


# --- 7. The example secret key -----------------------------------------------------------

def example_secret_key() -> str:
    from tests.conftest import ROOT

    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("SKILLGAP_SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError(".env.example sets no SKILLGAP_SECRET_KEY")


def test_app_refuses_the_example_secret_key(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLGAP_")}
    env.update({"PYTHONPATH": str(ROOT), "SKILLGAP_SECRET_KEY": example_secret_key(),
                "SKILLGAP_INSTANCE_PATH": str(tmp_path / "instance")})
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    # What gunicorn does with 'web:create_app()' in docker-compose.yml.
    start = [sys.executable, "-c", "from web import create_app; create_app()"]
    done = subprocess.run(start, env=env, capture_output=True, timeout=120)
    assert done.returncode != 0
    assert b"SKILLGAP_SECRET_KEY is still the example value" in done.stderr
    env["SKILLGAP_SECRET_KEY"] = "a9" * 32
    done = subprocess.run(start, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_example_secret_key_is_accepted_only_in_testing(tmp_path: Path) -> None:
    from web import create_app
    from web.security import PlaceholderSecretKeyError

    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db",
              "BROKER_URL": "filesystem://", "SECRET_KEY": example_secret_key()}
    with pytest.raises(PlaceholderSecretKeyError):
        create_app(config)
    assert create_app({**config, "TESTING": True}).secret_key == example_secret_key()


def test_pages_say_when_no_worker_is_running(app, client) -> None:
    # No worker runs beside this app.
    r = client.post("/analyses", data={"text": f"Epic {uuid.uuid4().hex}"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "No worker is running" in page
    r = upload(client, f"description\nEpic {uuid.uuid4().hex}\n".encode())
    page = client.get(f"/batches/{r.get_json()['id']}").get_data(as_text=True)
    assert "No worker is running" in page
    drain(app, r.get_json()["id"])
    page = client.get(f"/batches/{r.get_json()['id']}").get_data(as_text=True)
    assert "No worker is running" not in page
