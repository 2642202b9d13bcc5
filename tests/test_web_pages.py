"""The HTML pages through Flask's test client, with a stand-in engine; chunks run in-process."""

from __future__ import annotations

import io
import itertools
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import drain, make_app
from web import charts, pages, present, uploads

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path, fake_analyzer):
    return make_app(sqlite_url, tmp_path)


def token(client, path: str = "/") -> str:
    match = TOKEN_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def html(response) -> str:
    return response.get_data(as_text=True)


def submit_text(client, text: str, **form):
    data = {"csrf_token": token(client), "text": text, **form}
    return client.post("/analyses", data=data, content_type="multipart/form-data")


def upload(client, content: bytes, name: str = "jobs.csv"):
    data = {"csrf_token": token(client, "/batches/new"), "file": (io.BytesIO(content), name)}
    return client.post("/batches/upload", data=data, content_type="multipart/form-data")


def start(client, location: str, **columns):
    page = html(client.get(location))
    form = {"csrf_token": TOKEN_RE.search(page).group(1)}  # type: ignore[union-attr]
    # Keep the detected choices, as a user who changes nothing would.
    for field in uploads.FIELDS:
        m = re.search(rf'<select id="col_{field}".*?</select>', page, re.S)
        assert m
        chosen = re.search(r'<option value="([^"]*)" selected>', m.group(0))
        form[f"col_{field}"] = chosen.group(1) if chosen else ""
    form.update(columns)
    return client.post(location, data=form)


CSV = (
    b"id,title,company,location,date_posted,description\n"
    b"a1,Receptionist,Acme Clinic,Leeds,2024-01-05,Front desk: scheduling and Epic\n"
    b"a2,Biller,<b>Bold & Co</b>,York,2024-02-01,billing and more billing\n"
    b"a3,Porter,Acme Clinic,Leeds,2024-02-11,moving things around\n"
    b"a4,Empty,Nobody,Hull,2024-03-01,\n"
    b"a5,=HYPERLINK(\"x\"),Evil,Leeds,2024-03-02,scheduling for =cmd\n"
)


# --- Security -------------------------------------------------------------------------------

def test_home_page_form_samples_and_headers(client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    page = html(r)
    assert '<textarea id="text" name="text"' in page and 'type="file"' in page
    assert 'name="csrf_token"' in page and 'name="skillset"' in page
    assert '<option value="medical-office-specialist" selected>' in page
    assert "/?example=medical-secretary" in page and "/?example=billing-specialist" in page
    assert 'action="/batches/sample"' in page
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    # No inline script and no inline style anywhere.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page and "<style" not in page


def test_the_home_page_promises_what_the_result_page_leads_with(client) -> None:
    """A result is headed by its percentile among real postings, not the alignment score."""
    page = html(client.get("/"))
    promise = page.split('id="what-you-get"')[1].split("</ul>")[0]
    assert "percentile" in promise and "weighted coverage" in promise
    assert "alignment score" not in promise


def test_every_page_template_has_no_inline_script_or_style() -> None:
    for path in (ROOT / "web" / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert "style=" not in text and "<style" not in text, path
        assert "|safe" not in text and "Markup" not in text, path


def test_sample_posting_is_one_click_away(client) -> None:
    page = html(client.get("/?example=billing-specialist"))
    assert "Valley Abortion Group" in page
    page = html(client.get("/?example=medical-secretary"))
    # The saved page's HTML sits escaped inside the textarea, never as markup.
    assert "&lt;" in page
    assert html(client.get("/?example=../../etc/passwd")).count("<textarea") == 1


def test_forms_need_a_csrf_token(client) -> None:
    r = client.post("/analyses", data={"text": "scheduling"})
    assert r.status_code == 400
    assert "This form has expired" in html(r) and r.mimetype == "text/html"
    r = client.post("/batches/upload", data={"file": (io.BytesIO(CSV), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400


def test_json_api_is_csrf_exempt(client) -> None:
    r = client.post("/api/v1/analyses", json={"text": f"scheduling {uuid.uuid4().hex}"})
    assert r.status_code == 202


def test_secret_key_comes_from_the_environment_or_a_local_file(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SKILLGAP_SECRET_KEY", raising=False)
    first = make_app(sqlite_url, tmp_path).config["SECRET_KEY"]
    stored = tmp_path / "instance" / "secret_key"
    assert len(first) >= 32 and first != "dev"
    assert stored.read_text().strip() == first
    assert stored.stat().st_mode & 0o077 == 0
    assert make_app(sqlite_url, tmp_path).config["SECRET_KEY"] == first
    monkeypatch.setenv("SKILLGAP_SECRET_KEY", "from-the-environment")
    assert make_app(sqlite_url, tmp_path).config["SECRET_KEY"] == "from-the-environment"


# --- One posting ----------------------------------------------------------------------------

def test_paste_a_posting_then_see_its_result(app, client) -> None:
    text = f"Front desk: scheduling and Epic, some billing. {uuid.uuid4().hex}"
    r = submit_text(client, text)
    assert r.status_code == 303
    location = r.headers["Location"]
    analysis_id = location.rsplit("/", 1)[1]
    assert re.fullmatch(r"/analyses/[0-9a-f]{32}", location)

    pending = client.get(location)
    assert pending.status_code == 200
    page = html(pending)
    assert "Analysing…" in page and "/static/js/poll.js" in page
    assert f'data-poll-url="/api/v1/analyses/{analysis_id}"' in page
    assert '<meta http-equiv="refresh"' in page  # inside <noscript>

    drain(app, analysis_id)
    page = html(client.get(location))
    assert "Analysing…" not in page
    assert 'id="score-value">100<' in page
    for name in ("Scheduling", "Epic", "Billing"):
        assert name in page
    assert "Telehealth" in page  # the gap
    assert '<mark class="skill" id="ev-scheduling-0"' in page
    assert f'href="/api/v1/analyses/{analysis_id}"' in page
    assert f'href="/analyses/{analysis_id}/print"' in page
    printed = client.get(f"{location}/print")
    assert printed.status_code == 200 and "print-view" in html(printed)
    # The JSON link is the API's answer for the same id.
    assert client.get(f"/api/v1/analyses/{analysis_id}").get_json()["status"] == "done"


def test_a_whole_saved_job_page_can_be_pasted(app, client) -> None:
    # Saved pages are 0.5-0.8 MB of HTML: more than Flask keeps of a form field by default.
    page = ("<html><head><script>" + "var x = 1;" * 70_000 + "</script></head><body><h1>Receptionist</h1>"
            f"<p>Front desk and scheduling. {uuid.uuid4().hex}</p></body></html>")
    assert len(page) > 700_000
    r = submit_text(client, page)
    assert r.status_code == 303 and "/analyses/" in r.headers["Location"]


def test_the_same_evidence_words_are_listed_once(app, client) -> None:
    r = submit_text(client, f"Billing, and then more billing. {uuid.uuid4().hex}")
    location = r.headers["Location"]
    drain(app, location.rsplit("/", 1)[1])
    page = html(client.get(location))
    # Both places are highlighted in the text; the skill lists the words once.
    assert 'id="ev-billing-0"' in page and 'id="ev-billing-1"' in page
    chips = re.findall(r'<a href="#ev-billing-\d+" class="ev">“([^”]*)”</a>', page)
    assert [c.lower() for c in chips] == ["billing"], chips


def test_a_file_can_be_chosen_instead_of_pasting(app, client) -> None:
    data = {"csrf_token": token(client), "text": "",
            "file": (io.BytesIO(b"<p>Epic and scheduling " + uuid.uuid4().hex.encode() + b"</p>"),
                     "job.html")}
    r = client.post("/analyses", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    # A binary file is refused by its content, whatever its name.
    data = {"csrf_token": token(client), "text": "",
            "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "job.txt")}
    r = client.post("/analyses", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert "not text or HTML" in html(r)


def test_an_empty_posting_is_refused_with_a_reason(client) -> None:
    r = submit_text(client, "   ")
    assert r.status_code == 422
    assert "Nothing analysed: the posting is empty." in html(r)


def test_a_posting_with_script_is_shown_escaped(app, client) -> None:
    evil = (f"<script>alert('x')</script><img src=x onerror=alert(1)> scheduling "
            f"{uuid.uuid4().hex}")
    r = submit_text(client, evil, skillset="no/such/../skillset")
    analysis_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, analysis_id)
    page = html(client.get(r.headers["Location"]))
    assert "<script>alert" not in page and "<img src=x" not in page
    # The stand-in engine keeps the raw text: it is shown, escaped.
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_form_waits_a_moment_for_the_result_then_shows_the_waiting_page(
        app, client) -> None:
    import time

    app.config["PASTE_WAIT_SECONDS"] = 0.3
    started = time.monotonic()
    r = submit_text(client, f"Scheduling and Epic {uuid.uuid4().hex}")
    assert r.status_code == 303 and time.monotonic() - started >= 0.3
    # No worker ran meanwhile: the page that waits for it.
    assert "Analysing…" in html(client.get(r.headers["Location"]))


def test_unknown_result_is_a_404_page(client) -> None:
    r = client.get("/analyses/" + "0" * 32)
    assert r.status_code == 404 and "Page not found" in html(r)
    assert client.get("/analyses/" + "0" * 32 + "/print").status_code == 404


def test_the_result_page_shows_a_gaps_why_from_the_skill_set(
        app, client, fake_analyzer) -> None:
    """A record names its gaps only; the page tells why each matters from the skill set."""
    fake_analyzer.record_skillset = "medical-office-specialist"
    fake_analyzer.locale = "UK"
    fake_analyzer.more_gaps = [{"id": "ehr", "name": "Electronic health records (EHR/EMR)",
                                "tier": "modern", "category": "technology", "weight": 3.0}]
    r = submit_text(client, f"Front desk: scheduling. {uuid.uuid4().hex}")
    location = r.headers["Location"]
    drain(app, location.rsplit("/", 1)[1])
    page = html(client.get(location))
    assert "Electronic health records (EHR/EMR)" in page
    assert "Charts now live in electronic systems" in page  # the why, from the skill set
    assert 'href="/skillsets/medical-office-specialist"' in page and "as a UK posting" in page
    # The US-only skills are left out of a UK posting's gaps, with what stands for them.
    assert "Not counted for a UK posting" in page and "AMSPAR qualifications" in page


def test_the_skill_set_page_tells_each_skill(client) -> None:
    page = html(client.get("/skillsets/medical-office-specialist"))
    assert "Medical Office Specialist" in page and "Charts now live in electronic systems" in page
    assert "US only" in page and "AMSPAR" in page and "Agenda for Change" in page
    assert client.get("/skillsets/no-such-set").status_code == 404


def test_a_failed_analysis_says_why(app, client, fake_analyzer) -> None:
    r = submit_text(client, f"EMPTY {uuid.uuid4().hex}")
    analysis_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, analysis_id)
    page = html(client.get(r.headers["Location"]))
    assert "could not be analysed" in page and "no text found in the posting" in page


# --- Errors ---------------------------------------------------------------------------------

def test_error_pages_are_html_for_pages_and_json_for_the_api(client) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "Page not found" in html(r) and "Content-Security-Policy" in r.headers
    r = client.get("/api/v1/nothing")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.put("/")
    assert r.status_code == 405 and r.mimetype == "text/html"
    r = client.get("/api/v1/batches/" + "0" * 32)
    assert r.status_code == 404 and r.is_json


def test_unexpected_errors_show_no_details(client, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail: /etc/db password=hunter2")

    monkeypatch.setattr(pages, "single_result", boom)
    r = client.get("/analyses/" + "1" * 32)
    assert r.status_code == 500
    page = html(r)
    assert "Something went wrong on our side" in page
    assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_too_large_upload_is_a_friendly_413(client) -> None:
    big = b"id,description\n" + b"1,x\n" * 400_000  # 1.6 MB; the limit here is 1 MB
    r = upload(client, big)
    assert r.status_code == 413
    page = html(r)
    assert "That file is too large" in page and "1 MB" in page
    r = client.post("/api/v1/batches", data={"file": (io.BytesIO(big), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 413 and r.is_json


def test_row_cap_is_a_friendly_413(sqlite_url: str, tmp_path: Path, fake_analyzer) -> None:
    app = make_app(sqlite_url, tmp_path, MAX_ROWS=3)
    client = app.test_client()
    r = start(client, upload(client, CSV).headers["Location"])
    assert r.status_code == 413
    assert "at most 3 postings" in html(r)


# --- Batches --------------------------------------------------------------------------------

def test_progress_counts_postings_analysed_before_apart(app, client) -> None:
    """A file analysed before is not analysed again: the page says so, and gives no rate
    of thousands a second for rows that took no time."""
    tag = uuid.uuid4().hex
    csv = "".join(f"t{n},scheduling and billing {tag} {n}\n" for n in range(4))
    first = start(client, upload(client, f"title,description\n{csv}".encode()).headers["Location"])
    drain(app, first.headers["Location"].rsplit("/", 1)[1])
    page = html(client.get(first.headers["Location"]))
    assert '<div id="reused-stat" hidden>' in page and "Finished: 4 analysed, 0 failed." in page
    again = f"title,description\n{csv}t9,billing {tag} new\n".encode()
    second = start(client, upload(client, again).headers["Location"]).headers["Location"]
    drain(app, second.rsplit("/", 1)[1])
    page = html(client.get(second))
    assert '<div id="reused-stat">' in page and '<span id="reused">4</span>' in page
    assert "Finished: 5 done (4 of them reused from an earlier run, not analysed again), 0 failed." in page
    assert '<span class="hint" id="rate-of">of the 1 analysed now</span>' in page
    p = client.get(f"{second}/progress.json").get_json()
    assert (p["done"], p["reused"], p["analysed"]) == (5, 4, 1)
    assert client.get(f"/api/v1/batches/{second.rsplit('/', 1)[1]}").get_json()["reused"] == 4


def test_upload_preview_start_progress_report(app, client) -> None:
    assert 'action="/batches/upload"' in html(client.get("/batches/new"))
    r = upload(client, CSV, "market.csv")
    assert r.status_code == 303
    location = r.headers["Location"]
    assert re.fullmatch(r"/batches/upload/[0-9a-f]{32}", location)
    page = html(client.get(location))
    assert "Check the columns of market.csv" in page
    assert '<option value="description" selected>' in page
    assert '<option value="date_posted" selected>' in page
    assert "Front desk: scheduling and Epic" in page
    # Cells are shown as plain text: markup reduced to its words, never emitted.
    assert "<td>Bold &amp; Co</td>" in page and "<b>" not in page

    r = start(client, location)
    assert r.status_code == 303
    progress_url = r.headers["Location"]
    batch_id = progress_url.rsplit("/", 1)[1]
    # The upload is gone once the batch holds its rows.
    assert client.get(location).status_code == 404
    page = html(client.get(progress_url))
    assert "/static/js/progress.js" in page and "Cancel the batch" in page
    p = client.get(f"{progress_url}/progress.json").get_json()
    assert (p["total"], p["failed"], p["finished"]) == (5, 1, False)

    drain(app, batch_id)
    p = client.get(f"{progress_url}/progress.json").get_json()
    assert (p["done"], p["failed"], p["percent"], p["finished"]) == (4, 1, 100.0, True)
    assert p["rate"] is not None and p["eta_seconds"] is None

    r = client.get(f"{progress_url}/report")
    assert r.status_code == 200
    page = html(r)
    assert '<svg class="chart" id="chart-skills"' in page
    assert '<svg class="chart" id="chart-scores"' in page
    # The skills, the scores and, with postings of two months or more, the skills by month.
    assert page.count("This chart as a table") == 3 and '<svg class="chart" id="chart-trend"' in page
    assert "Most common gaps" in page and "Telehealth" in page
    assert "By company" in page and "By location" in page and "By month" in page
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page and "<b>Bold" not in page
    assert f'href="/api/v1/batches/{batch_id}/results?format=csv"' in page
    assert f'href="/api/v1/batches/{batch_id}/results?format=jsonl"' in page
    assert "row 4: the posting is empty" in page  # the failed row and its error
    assert page.count(f'href="/batches/{batch_id}/rows/') == 5

    csv_export = client.get(f"/api/v1/batches/{batch_id}/results?format=csv")
    assert csv_export.headers["Content-Disposition"].startswith("attachment;")
    assert "'=HYPERLINK" in csv_export.get_data(as_text=True)

    row = client.get(f"/batches/{batch_id}/rows/1")
    assert row.status_code == 200
    assert "Receptionist" in html(row) and "Acme Clinic" in html(row)
    assert client.get(f"/batches/{batch_id}/rows/99").status_code == 404
    assert "the posting is empty" in html(client.get(f"/batches/{batch_id}/rows/4"))


def test_report_table_filters_sorts_and_pages(db_url: str, tmp_path: Path, fake_analyzer) -> None:
    app = make_app(db_url, tmp_path, ROWS_PER_PAGE=2)
    client = app.test_client()
    r = start(client, upload(client, CSV).headers["Location"])
    batch_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    base = f"/batches/{batch_id}/report"

    def titles(query: str) -> list[str]:
        page = html(client.get(base + query))
        table = page.split('id="postings-table"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'/rows/\d+">([^<]*)</a>', table)

    assert titles("") == ["Receptionist", "Biller"]
    assert titles("?page=2") == ["Porter", "id a4"]  # a failed row has only its id
    assert titles("?page=99") == ['=HYPERLINK(&#34;x&#34;)']
    assert titles("?q=acme") == ["Receptionist", "Porter"]
    assert titles("?q=%25") == []  # a literal %, not a wildcard
    assert titles("?status=failed") == ["id a4"]
    assert titles("?sort=score&dir=desc")[0] in ("Receptionist", "Biller")
    assert titles("?sort=title") == ["=HYPERLINK(&#34;x&#34;)", "Biller"]
    assert titles("?sort=nonsense&page=x") == ["Receptionist", "Biller"]
    assert "Page 1 of 3" in html(client.get(base))


def test_upload_type_is_checked_by_content(client) -> None:
    r = upload(client, b"%PDF-1.4 binary", "jobs.csv")
    assert r.status_code == 415 and "PDF" in html(r)
    r = upload(client, b"PK\x03\x04excel", "jobs.csv")
    assert r.status_code == 415 and "Excel" in html(r)
    r = upload(client, b"<html><body>job</body></html>", "jobs.csv")
    assert r.status_code == 415 and "HTML page" in html(r)
    r = upload(client, b"just one line of words\n", "jobs.csv")
    assert r.status_code == 415
    # JSON lines named .txt are still JSON lines.
    r = upload(client, b'{"title": "Clerk", "description": "scheduling"}\n', "jobs.txt")
    assert r.status_code == 303
    assert "JSON-lines file" in html(client.get(r.headers["Location"]))
    r = client.post("/batches/upload", data={"csrf_token": token(client, "/batches/new")})
    assert r.status_code == 400 and "Choose a CSV" in html(r)


def test_uploads_are_stored_under_generated_names(app, client) -> None:
    r = upload(client, CSV, "../../evil name.csv")
    tok = r.headers["Location"].rsplit("/", 1)[1]
    stored = sorted(p.name for p in (Path(app.instance_path) / "uploads").iterdir())
    assert stored == [f"{tok}.data", f"{tok}.json"]
    assert "Check the columns of evil name.csv" in html(client.get(r.headers["Location"]))
    assert client.get("/batches/upload/..%2F..%2Fsecret_key").status_code == 404
    assert client.get("/batches/upload/" + "f" * 32).status_code == 404


def test_columns_can_be_changed_before_starting(app, client) -> None:
    location = upload(client, CSV).headers["Location"]
    r = start(client, location, col_text="no_such_column")
    assert r.status_code == 422 and "no column named" in html(r)
    r = start(client, location, col_text="")
    assert r.status_code == 422 and "description" in html(r)
    r = start(client, location, col_text="title", col_company="", col_location="")
    batch_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    page = html(client.get(f"/batches/{batch_id}/report"))
    assert "By company" not in page and "By location" not in page


def test_cancel_and_unknown_batches(app, client) -> None:
    r = start(client, upload(client, CSV).headers["Location"])
    progress_url = r.headers["Location"]
    page = html(client.get(progress_url))
    r = client.post(f"{progress_url}/cancel", data={
        "csrf_token": TOKEN_RE.search(page).group(1), "confirm": "yes"})  # type: ignore[union-attr]
    assert r.status_code == 303
    assert client.get(f"{progress_url}/progress.json").get_json()["status"] == "cancelled"
    assert "This batch was cancelled" in html(client.get(progress_url))
    # No row was analysed: the table says so, and its filter offers "cancelled", not "pending".
    report = html(client.get(f"{progress_url}/report"))
    assert '<option value="cancelled"' in report and '<option value="pending"' not in report
    assert '<span class="badge st-cancelled">cancelled</span>' in html(
        client.get(f"{progress_url}/report?status=cancelled"))
    for path in ("", "/report", "/progress.json", "/rows/1"):
        assert client.get("/batches/" + "0" * 32 + path).status_code == 404
    assert client.post("/batches/" + "0" * 32 + "/cancel",
                       data={"csrf_token": TOKEN_RE.search(page).group(1)}).status_code == 404  # type: ignore[union-attr]


def test_sample_batch_is_one_click_away(client) -> None:
    r = client.post("/batches/sample", data={"csrf_token": token(client)})
    assert r.status_code == 303
    page = html(client.get(r.headers["Location"]))
    assert "Check the columns of postings.csv" in page
    assert '<option value="description" selected>' in page


# --- Charts and presentation ----------------------------------------------------------------

def test_bar_chart_geometry_and_table() -> None:
    chart = charts.bar_chart("c", "T", [
        ("Modern", [{"label": "EHR", "share": 0.5, "count": 5, "cls": "tier-modern"},
                    {"label": "CRM", "share": 0.0, "count": 0}]),
        ("Empty", []),
    ])
    rects = [e for e in chart.elements if e.tag == "rect"]
    assert len(rects) == 2
    assert rects[0].attrs["width"] == (charts.WIDTH - 60) * 0.5
    assert rects[1].attrs["width"] > 0  # a zero share still shows a sliver
    assert chart.rows == [("Modern", "EHR", "50%", 5), ("Modern", "CRM", "0%", 0)]
    assert chart.height > max(e.attrs["y"] for e in chart.elements)


def test_histogram_geometry() -> None:
    bins = [{"from": i * 10, "to": (i + 1) * 10, "count": c} for i, c in enumerate([3, 0, 6])]
    chart = charts.histogram("h", "Scores", bins)
    rects = [e for e in chart.elements if e.tag == "rect"]
    assert [r.attrs["height"] for r in rects][1] == 0
    assert rects[2].attrs["height"] == pytest.approx(2 * rects[0].attrs["height"])
    assert chart.rows == [("0–10", 3), ("10–20", 0), ("20–30", 6)]
    assert charts.histogram("e", "Empty", []).rows == []


@pytest.mark.parametrize("months", [1, 2, 5, 8, 13, 30])
def test_line_chart_month_labels_never_overlap_and_keep_both_ends(months: int) -> None:
    xs = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    chart = charts.line_chart("t", "Skills by month", xs, [{"label": "EHR", "values": [0.5] * months}],
                              notes=[f"n={m}" for m in range(months)])
    labels = [e for e in chart.elements if e.tag == "text" and e.text in xs]
    assert labels[0].text == xs[0] and labels[-1].text == xs[-1]
    width = len(xs[0]) * charts.AXIS_FONT * 0.6  # the widest the label is drawn (narrow screens)
    xs_at = [e.attrs["x"] for e in labels]
    assert all(b - a >= width for a, b in itertools.pairwise(xs_at))
    assert xs_at[0] - width / 2 >= 0 and xs_at[-1] + width / 2 <= charts.WIDTH


def test_highlight_cuts_text_at_evidence_and_ignores_bad_offsets() -> None:
    text = "Use Epic and Epic daily"
    record = {
        "skills": [{"id": "ehr", "name": "EHR", "evidence": [
            {"start": 4, "end": 8}, {"start": 13, "end": 17}, {"start": 50, "end": 60}]}],
        "extras": [{"id": "x", "name": "X", "evidence": [{"start": 5, "end": 10}]}],
    }
    segments = present.highlight(text, record)
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.kind) for s in segments if s.kind] == [("Epic", "skill"), ("Epic", "skill")]


@pytest.mark.parametrize("spans", [
    [(4, 26), (17, 26)],  # one skill's words inside another's: "medical terminology" in "knowledge of ..."
    [(4, 17), (12, 30)],  # two that overlap in part
    [(4, 30), (4, 30)],  # the same words for two skills
])
def test_every_evidence_chip_links_to_an_anchor_on_the_page(app, spans) -> None:
    text = "Use knowledge of medical terminology daily"
    record = {"skills": [
        {"id": sid, "name": sid, "category": "x", "tier": "foundation", "requirement": "required",
         "evidence": [{"text": text[a:b], "start": a, "end": b}]}
        for sid, (a, b) in zip(("first", "second"), spans, strict=True)
    ], "extras": [], "gaps": [], "score": 50.0}
    view = present.result_view(record, text)
    with app.test_request_context():
        page = "".join(app.jinja_env.get_template(name).render(**view)
                       for name in ("_result.html", "_posting_text.html"))
    links = re.findall(r'<a href="#(ev-[^"]+)" class="ev">', page)
    anchors = set(re.findall(r'id="(ev-[^"]+)"', page))
    assert len(links) == 2 and set(links) <= anchors, (links, anchors)


def test_pay_is_set_beside_the_skill_sets_range() -> None:
    record: dict[str, Any] = {"pay": {"text": "$30,000", "currency": "USD", "annual_min": 30000,
                                      "annual_max": 32000}}
    view = present.pay_view(record, "medical-office-specialist")
    assert view is not None and view["note"] == "Within the skill set's US range."
    assert [a["range"][:7] for a in view["articles"]] == ["$19,000"]
    assert view["posting"]["annual"] == "$30,000 – $32,000 a year"
    record["pay"] = {"text": "£60k", "currency": "GBP", "annual_min": 60000, "annual_max": 60000}
    view = present.pay_view(record, None)
    assert view is not None and view["articles"] == [] and view["note"] is None
    assert view["posting"]["annual"] == "£60,000 a year"  # one figure, not "£60,000 – £60,000"


@pytest.mark.parametrize("locale, currency, low, high, verdict", [
    ("US", "USD", 20000, 40000, "within"), ("US", "USD", 40000, 50000, "overlaps"),
    ("US", "USD", 15000, 18000, "below"), ("US", "USD", 50000, 60000, "above"),
    ("UK", "GBP", 24000, 25000, "within"), ("UK", "GBP", 20000, 24000, "overlaps"),
    ("UK", "GBP", 18005, 19337, "below"), ("UK", "GBP", 31000, 35000, "above"),
    (None, "GBP", 18005, 19337, "below"), (None, "USD", 50000, 60000, "above"),
])
def test_pay_is_compared_with_the_range_of_its_locale_and_currency(
        locale: str | None, currency: str, low: int, high: int, verdict: str) -> None:
    record = {"locale": locale, "pay": {"text": "x", "currency": currency, "annual_min": low,
                                        "annual_max": high}}
    view = present.pay_view(record, "medical-office-specialist")
    assert view is not None and view["verdict"] == verdict
    assert len(view["articles"]) == 1
    assert view["articles"][0]["range"][0] == {"USD": "$", "GBP": "£"}[currency]
    assert view["note"].startswith(verdict.capitalize())


def test_a_pound_salary_in_a_post_read_as_us_is_not_compared() -> None:
    record = {"locale": "US", "pay": {"text": "£20,000", "currency": "GBP", "annual_min": 20000,
                                      "annual_max": 20000}}
    view = present.pay_view(record, "medical-office-specialist")
    assert view is not None and view["articles"] == [] and view["verdict"] is None
    assert "not compared" in view["note"]


def test_with_no_pay_and_no_locale_every_range_is_shown() -> None:
    view = present.pay_view({"pay": None, "locale": None}, "medical-office-specialist")
    assert view is not None and [a["label"] for a in view["articles"]] == [
        "The skill set's US range", "The skill set's UK range"]
    assert "Agenda for Change" in view["articles"][1]["source"]


def test_gaps_take_their_why_from_the_skill_set() -> None:
    record = {"skillset": {"id": "medical-office-specialist"}, "gaps": [
        {"id": "crm", "name": "CRM software", "tier": "modern", "category": "technology", "weight": 2.0},
        {"id": "ehr", "name": "Electronic health records (EHR/EMR)", "tier": "modern",
         "category": "technology", "weight": 3.0},
    ]}
    gaps = present.gap_view(record)
    assert [g["id"] for g in gaps] == ["ehr", "crm"]
    assert gaps[0]["why"].startswith("Charts now live in electronic systems")
    # An older record that carries its own why keeps it; an unknown skill set gives none.
    record["gaps"][0]["why"] = "Stored with the record."
    assert present.gap_view(record)[1]["why"] == "Stored with the record."
    assert present.gap_view({"skillset": {"id": "gone"}, "gaps": [{"id": "ehr"}]})[0]["why"] is None


def test_a_record_of_engine_release_8_is_shown_as_it_was_stored() -> None:
    """Records stored before release 9 carry the skills' names and tiers, the coverage's totals,
    the level weights and the market's reference themselves: they are shown from what they carry."""
    import json

    from models.analysis import normalised_text

    stored = json.loads((Path(__file__).parent / "fixtures" / "record_engine8.json").read_text())
    record, text = stored["record"], normalised_text(stored["posting"], stored["record"]["title"])
    view = present.result_view(record, text)
    names = {s["name"] for _, skills in view["groups"] for s in skills}
    assert names == {s["name"] for s in record["skills"]}
    assert view["market"]["among"] == "among 564 real medical office postings (UK and US, 2020-07 to 2025-04)"
    assert [(r["level"], r["weight"], r["count"]) for r in view["parts"]["rows"]] == [
        ("required", 1.0, 2), ("preferred", 0.6, 1), ("mentioned", 0.3, 2)]
    assert any("564 real medical office postings" in line for line in view["how"])
    assert {s.label for s in view["segments"] if s.kind == "skill"} <= names


def test_a_record_of_release_9_shows_what_its_skill_set_holds() -> None:
    """A record that names its skills, coverage groups and market by id is shown as one that
    carries them (the same posting, filled in from its skill set)."""
    import json

    from models.analysis import Analyzer, normalised_text
    from models.record import describe_record

    stored = json.loads((Path(__file__).parent / "fixtures" / "record_engine8.json").read_text())
    analyzer = Analyzer.for_skillset()
    record = analyzer.analyze(stored["posting"], title=stored["record"]["title"], location=stored["location"])
    assert record["skills"] and "name" not in record["skills"][0]
    assert isinstance(record["market"]["reference"], str)
    text = normalised_text(stored["posting"], record["title"])
    carried = describe_record(record, analyzer.skillset)
    assert "name" in carried["skills"][0] and isinstance(carried["market"]["reference"], dict)
    view, view_carried = present.result_view(record, text), present.result_view(carried, text)
    assert view == view_carried
    assert all(s["name"] for _, skills in view["groups"] for s in skills)
    assert view["market"]["among"].startswith(f"among {carried['market']['reference']['postings']} real ")
