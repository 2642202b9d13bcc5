"""The pages in a real browser: Debian's Chromium driven by Playwright, against the real
app (served in a thread), a real worker process, Redis and the real engine.

Screenshots of every page, 1280 and 390 px wide, go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import ROOT, WorkerProcess, missing_service, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SHOTS = ROOT / "artifacts" / "screenshots"
EXAMPLES = ROOT / "examples"
WIDTHS = (1280, 390)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if not executable:
        missing_service("no chromium binary on PATH (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("Playwright for Python is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(browser: Any, redis_url: str, sqlite_url: str, real_engine: None,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The web app on a free port in a thread, and one worker process, on Redis and SQLite."""
    import redis
    from werkzeug.serving import make_server

    from web import create_app

    # A Redis database of our own, so other tests' flushes do not touch our queue.
    url = redis_url.rsplit("/", 1)[0] + "/5"
    redis.Redis.from_url(url).flushdb()
    tmp = tmp_path_factory.mktemp("browser")
    settings = {"DATABASE_URL": sqlite_url, "REDIS_URL": url,
                "INSTANCE_PATH": str(tmp / "instance"), "CHUNK_SIZE": 8}
    worker = WorkerProcess(settings, f"browser-{uuid.uuid4().hex[:6]}", 1, tmp / "worker.log")
    app = create_app({"TESTING": False, **settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    client = app.test_client()
    try:
        wait_for(lambda: client.get("/readyz").status_code == 200, timeout=90, interval=0.3)
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield SimpleNamespace(base=base, app=app, settings=settings)
    finally:
        server.shutdown()
        worker.stop()


@pytest.fixture
def page(browser: Any, live: SimpleNamespace) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.console_errors = []
    pg.dialogs = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()


def shoot(page: Any, name: str) -> None:
    """Save a full-page screenshot at each width, leaving the page at 1280 px."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 390:
            # Nothing may stick out sideways on a phone (tables scroll in their own box).
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} is {overflow}px too wide at 390 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_paste_a_real_posting_and_read_its_gaps(page: Any, live: SimpleNamespace) -> None:
    page.goto(live.base + "/")
    assert page.get_by_label("Skill set to compare with").input_value() == \
        "medical-office-specialist"
    shoot(page, "analyze")
    # A sample posting is one click away.
    page.get_by_role("link", name="US front-office specialist and biller (text)").click()
    assert "Valley Abortion Group" in page.locator("#text").input_value()
    page.get_by_role("button", name="Analyse the posting").click()
    page.wait_for_selector("#gaps", timeout=30_000)
    assert "/analyses/" in page.url

    skills = page.locator("#skills").inner_text()
    for name in ("Medical billing (electronic claims)", "Medical coding",
                 "Appointment scheduling", "Front desk and patient reception"):
        assert name in skills
    gaps = page.locator("#gaps").inner_text()
    assert "Electronic health records (EHR/EMR)" in gaps
    assert "HIPAA and patient privacy" in gaps
    assert page.locator("ol.gaps > li").count() >= 10
    assert page.locator(".posting-text mark.skill").count() >= 8
    # A medical-office posting: its market percentile is the headline, its weighted parts beside it.
    percentile = page.locator("#percentile-value").inner_text()
    assert 0 <= int(percentile[:-2]) <= 100 and percentile[-2:] in ("st", "nd", "rd", "th")
    assert "real medical office postings" in page.locator("#market-among").inner_text()
    assert page.locator("#score-parts tbody tr").count() == 3
    assert page.get_by_role("heading", name="Postings like yours usually ask for this").is_visible()
    # An evidence link jumps to its highlight in the posting.
    page.locator("#skills a.ev").first.click()
    assert "#ev-" in page.url
    shoot(page, "result")
    page.get_by_role("link", name="Print-friendly view").click()
    page.wait_for_selector("body.print-view")
    shoot(page, "result-print")
    assert page.console_errors == []


def test_the_pending_page_polls_until_the_result_is_ready(page: Any, live: SimpleNamespace) -> None:
    from worker import pipeline, tasks

    text = ("Medical receptionist: book appointments on SystmOne and answer the telephone. "
            f"{uuid.uuid4().hex}")
    # Stored but not queued yet, so the page is sure to find it waiting.
    url = live.settings["DATABASE_URL"]
    analysis_id = pipeline.submit_text(url, text, lambda batch_id, chunk: None)
    page.goto(f"{live.base}/analyses/{analysis_id}")
    assert page.get_by_role("heading", name="Analysing…").is_visible()
    shoot(page, "result-pending")
    tasks.interactive_enqueuer(live.app.extensions["celery"])(analysis_id, 0)
    page.wait_for_selector("#gaps", timeout=30_000)
    assert "Appointment scheduling" in page.locator("#skills").inner_text()
    assert page.console_errors == []


def test_a_posting_with_script_never_executes(page: Any, live: SimpleNamespace) -> None:
    evil = (
        "<h2>Medical receptionist</h2><script>window.__pwned = 1; alert('script')</script>"
        "<p>Book appointments, keep medical records and handle billing.</p>"
        "<img src=x onerror=\"window.__pwned = 2; alert('img')\">"
        "<p>&lt;script&gt;window.__pwned = 3&lt;/script&gt; scheduling "
        f"<a href=\"javascript:alert('a')\">apply</a> {uuid.uuid4().hex}</p>"
    )
    page.goto(live.base + "/")
    page.locator("#text").fill(evil)
    page.get_by_role("button", name="Analyse the posting").click()
    page.wait_for_selector("#gaps", timeout=30_000)
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert page.locator(".posting-text script, .posting-text img, main a[href^='javascript:']") \
        .count() == 0
    assert "Appointment scheduling" in page.locator("#skills").inner_text()
    # Back on the form with the same text: still inert inside the textarea.
    page.goto(live.base + "/")
    page.locator("#text").fill(evil)
    page.wait_for_timeout(100)
    assert page.evaluate("window.__pwned") is None and page.dialogs == []


def test_upload_a_csv_watch_progress_read_the_report(page: Any, live: SimpleNamespace,
                                                   tmp_path: Path) -> None:
    page.goto(live.base + "/batches/new")
    shoot(page, "batch-upload")
    page.locator("#file").set_input_files(str(EXAMPLES / "postings.csv"))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("table.preview")
    assert page.locator("#col_text").input_value() == "description"
    assert page.locator("#col_company").input_value() == "company"
    assert page.locator("#col_date").input_value() == "date_posted"
    assert page.locator("table.preview tbody tr").count() == 5
    shoot(page, "batch-preview")

    page.get_by_role("button", name="Start the analysis").click()
    page.wait_for_selector("#progress")
    progress_url = page.url
    # The page updates itself: no reload until the end.
    page.wait_for_selector("#report-link", state="visible", timeout=120_000)
    assert page.url == progress_url
    assert page.locator("#percent").inner_text() == "100"
    assert page.locator("#bar").evaluate("el => el.value") == 100
    assert int(page.locator("#done").inner_text()) + int(page.locator("#failed").inner_text()) \
        == int(page.locator("#total").inner_text()) == 24
    assert page.locator("#cancel-form").is_hidden()
    shoot(page, "batch-progress")

    page.locator("#report-link").click()
    page.wait_for_selector("#chart-skills")
    assert page.locator("#chart-skills rect.bar").count() >= 20
    assert page.locator("#chart-scores rect.bar").count() == 10
    assert page.locator("#chart-skills").get_attribute("role") == "img"
    page.locator("details.chart-table summary").first.click()
    assert page.locator("details.chart-table").first.locator("tbody tr").count() >= 20
    assert page.locator("#postings-h .count").inner_text() == "24"
    assert page.locator("#postings-table tbody tr").count() == 24
    for heading in ("Most common gaps", "Most common extras", "Breakdowns", "Failed rows"):
        assert page.get_by_role("heading", name=heading).is_visible()
    shoot(page, "batch-report")

    # The skills by month; a bar of the skills chart leads to the postings that ask for its skill.
    assert page.locator("#chart-trend polyline").count() >= 2
    assert page.locator("#breakdown-country").is_visible()
    page.locator("#chart-skills a").first.click()
    page.wait_for_selector("#active-filters")
    assert 0 < page.locator("#postings-table tbody tr").count() < 24
    shoot(page, "batch-report-filtered")
    page.go_back()

    # Sort by score, highest first, then filter; both keep working together.
    page.locator("#postings-table th a", has_text="Score").click()
    page.locator("#postings-table th a", has_text="Score").click()
    scores = [float(s) for s in page.locator("#postings-table tbody td:nth-child(6)")
              .all_inner_texts() if s != "–"]
    assert scores == sorted(scores, reverse=True) and scores
    page.get_by_label("Filter").fill("Planned Parenthood")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("#postings-table tbody tr")
    assert 0 < rows.count() < 24
    assert all("Planned Parenthood" in t for t in rows.all_inner_texts())

    # Drill down to one posting's result.
    page.locator("#postings-table tbody a").first.click()
    page.wait_for_selector("#gaps")
    assert page.locator("#gaps ol.gaps > li").count() > 0
    shoot(page, "batch-row")
    page.go_back()

    with page.expect_download() as info:
        page.locator("#download-csv").click()
    download = info.value
    assert download.suggested_filename == "postings-results.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 24 and rows[0]["status"] == "done" and rows[0]["gaps"]
    with page.expect_download() as info:
        page.locator("#download-jsonl").click()
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 24 and json.loads(lines[0])["skills"]
    assert page.console_errors == []


def test_error_page(page: Any, live: SimpleNamespace) -> None:
    response = page.goto(live.base + "/no/such/page")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    shoot(page, "error-404")


def test_cancel_with_confirmation_resume_and_the_list_of_what_was_started(
        page: Any, live: SimpleNamespace) -> None:
    from worker import pipeline

    url = live.settings["DATABASE_URL"]
    # Stored but not queued, so that the batch is sure to be waiting when it is cancelled.
    with (EXAMPLES / "postings.csv").open("rb") as fh:
        batch_id = pipeline.submit_file(url, fh, "postings.csv", lambda _b, _c: None, chunk_size=8)
    base = f"{live.base}/batches/{batch_id}"
    page.goto(base)
    page.get_by_role("link", name="Cancel the batch…").click()
    page.wait_for_selector("#confirm-cancel")
    assert "24 will not be analysed" in page.locator("main").inner_text()
    shoot(page, "batch-cancel-confirm")
    page.get_by_role("button", name="Yes, cancel the batch").click()
    page.wait_for_selector("#resume-form:not([hidden])")
    assert page.locator("#cancelled").inner_text() == "24"
    assert "24 not analysed" in page.locator("#finished-text").inner_text()
    shoot(page, "batch-progress-cancelled")

    page.goto(base + "/report")
    assert "24 of 24 postings were not analysed" in page.locator("#cancelled-banner").inner_text()
    assert "rows 1–24" in page.locator("#cancelled-rows").inner_text()
    shoot(page, "batch-report-cancelled")
    page.goto(base + "/rows/2")
    assert page.get_by_role("heading", name="This row was not analysed").is_visible()
    shoot(page, "batch-row-cancelled")

    # Resume from the row's page: the progress page follows the batch to its end.
    page.get_by_role("button", name="Resume the batch").click()
    page.wait_for_selector("#report-link", state="visible", timeout=120_000)
    assert page.locator("#cancelled-stat").is_hidden()
    assert int(page.locator("#done").inner_text()) + int(page.locator("#failed").inner_text()) == 24
    page.goto(base + "/rows/2")
    assert page.locator(".posting-text mark.skill").count() > 0
    assert page.locator("#row-prev").get_attribute("href").endswith("/rows/1")
    page.locator("#row-next").click()
    assert page.url.endswith("/rows/3")
    page.goto(base + "/rows/2")
    shoot(page, "batch-row-highlighted")

    # The list of what this browser started: a posting pasted here is on it.
    page.goto(live.base + "/?example=billing-specialist")
    page.get_by_role("button", name="Analyse the posting").click()
    page.wait_for_selector("#gaps", timeout=30_000)
    page.get_by_role("link", name="Started here").click()
    assert page.locator("#history tbody tr").count() == 1
    assert "posting" in page.locator("#history").inner_text()
    shoot(page, "history")


NURSE = """Registered Nurse - Medical/Surgical Unit

Our 28-bed medical-surgical unit is hiring a Registered Nurse for 12-hour shifts. You will assess and monitor
patients, administer medications and IV therapy, carry out wound care, educate patients and families before
discharge, and document care in the electronic health record.

Requirements: current RN license in the state, BLS certification, one year of acute care experience preferred."""


@pytest.mark.parametrize("name", ["us-billing-specialist", "uk-medical-secretary", "not-fitting-nurse"])
def test_market_headline_or_plain_statement(page: Any, live: SimpleNamespace, name: str) -> None:
    """A US and a UK medical-office posting lead with their percentile; a nurse's posting says it does not fit."""
    text = {"us-billing-specialist": (EXAMPLES / "billing-specialist.txt").read_text(encoding="utf-8"),
            "uk-medical-secretary": (EXAMPLES / "medical-secretary.html").read_text(encoding="utf-8"),
            "not-fitting-nurse": NURSE}[name]
    page.goto(live.base + "/")
    page.locator("#text").fill(f"{text}\n{uuid.uuid4().hex}")
    page.get_by_role("button", name="Analyse the posting").click()
    page.wait_for_selector("#gaps", timeout=30_000)
    summary = page.locator("section.summary").inner_text()
    if name == "not-fitting-nurse":
        assert "does not look like a medical office posting" in summary
        assert page.locator("#percentile-value").count() == 0
        for verdict in ("Ahead", "Behind", "middle of the market"):
            assert verdict not in summary
    else:
        assert page.locator("#percentile-value").is_visible()
        assert "real medical office postings" in summary
    # How the numbers are made, and what the badges beside the skills and gaps mean, are on the page.
    how = page.locator("#how-score").inner_text()
    assert "Weighted coverage" in how and "Alignment score" in how
    assert ("Percentile" in how) == (name != "not-fitting-nurse")
    skills_key = page.locator("#badge-key-skills")
    assert skills_key.is_visible()
    for badge in ("modern", "foundation", "required", "preferred", "mentioned"):
        assert skills_key.locator(f"span.badge:text-is('{badge}')").count() == 1, badge
    assert page.locator("#badge-key-gaps").is_visible()
    shoot(page, f"market-{name}")
    assert page.console_errors == []


def test_create_a_skill_set_analyse_with_it_and_compare_a_batch(page: Any, live: SimpleNamespace) -> None:
    """A course's own skill set, from a built-in one: a posting, then a file's market against it."""
    page.goto(live.base + "/skillsets")
    shoot(page, "skillsets")
    page.get_by_role("link", name="Start your own from it").last.click()
    page.get_by_label("Name of your skill set").fill("Front office course")
    for skill in ("anatomy", "ma_certification", "coding_certification"):
        page.locator(f"#keep_{skill}").uncheck()
    page.get_by_label("Weight of Electronic health records (EHR/EMR)").fill("5")
    page.locator("#new_name_1").fill("Telehealth")
    page.locator("#new_aliases_1").fill("telehealth; video consultations")
    shoot(page, "skillset-edit")
    page.get_by_role("button", name="Create the skill set").click()
    page.wait_for_selector("#skillset-source")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Front office course")
    assert "Created by a user" in page.locator("#skillset-source").inner_text()
    assert page.locator("#skill-ehr").inner_text().count("weight 5") == 1
    assert page.locator("#skill-telehealth").is_visible() and page.locator("#skill-anatomy").count() == 0
    page.locator("#skill-telehealth summary").click()
    assert "video consultations" in page.locator("#skill-telehealth details").inner_text()
    set_url = page.url
    shoot(page, "skillset-created")

    page.locator("#analyse-with").click()
    select = page.get_by_label("Skill set to compare with")
    created = set_url.rsplit("/", 1)[1]
    assert select.input_value() == created
    page.locator("#text").fill(
        "Medical Receptionist\n\nYou will book appointments, run video consultations (telehealth) and "
        "keep records on our EHR system. Experience with medical billing is essential. " + uuid.uuid4().hex)
    page.get_by_role("button", name="Analyse the posting").click()
    page.wait_for_selector("#gaps", timeout=60_000)
    assert "Front office course" in page.locator("main").inner_text()
    page.locator(f'a[href="/skillsets/{created}@1#skill-telehealth"]').first.wait_for()
    shoot(page, "skillset-result")

    # A file's market against the built-in set, then against the course's.
    page.goto(live.base + "/batches/new")
    page.locator("#file").set_input_files(str(EXAMPLES / "postings.csv"))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("table.preview")
    page.get_by_label("Skill set to compare with").select_option("medical-office-specialist")
    page.get_by_role("button", name="Start the analysis").click()
    page.wait_for_selector("#report-link", state="visible", timeout=120_000)
    page.locator("#report-link").click()
    page.locator("#compare-link").click()
    page.wait_for_selector("#compare-table")
    page.get_by_label("Skill set", exact=True).select_option(created)
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector("#runs-table", timeout=120_000)
    assert "Demand-weighted coverage" in page.locator("#weighted-coverage").inner_text()
    lacking = page.locator("#lacking").inner_text()
    assert "Anatomy" in lacking or "certification" in lacking.lower()
    runs = page.locator("#runs-table tbody tr")
    assert runs.count() > 20
    shoot(page, "skillset-compare")
    assert page.console_errors == []


def test_match_a_resume_against_a_posting_then_delete_it(page: Any, live: SimpleNamespace,
                                                         tmp_path: Path) -> None:
    from tests.test_resume_match import POSTING, RECEPTIONIST, make_pdf

    page.goto(live.base + "/")
    page.get_by_role("link", name="Match your résumé").click()
    assert page.locator("#privacy").inner_text().count("deleted") >= 2
    assert page.get_by_label("Skill set to compare with").input_value() == "medical-office-specialist"
    shoot(page, "match")
    # The résumé as a PDF file, the posting pasted.
    pdf = tmp_path / "resume.pdf"
    pdf.write_bytes(make_pdf(RECEPTIONIST.splitlines()))
    page.locator("#resume_file").set_input_files(str(pdf))
    page.locator("#posting").fill(POSTING)
    page.get_by_role("button", name="Match my résumé").click()
    page.wait_for_selector("#missing", timeout=30_000)
    assert "/match/" in page.url and len(page.url.rsplit("/", 1)[1]) >= 22
    value = int(page.locator("#match-value").inner_text())
    assert 0 < value < 100
    assert "required" in page.locator("#match-explained").inner_text()
    missing = page.locator("#missing").inner_text()
    assert "Medical coding" in missing and "Your résumé says you do not have it yet" in missing
    have = page.locator("#have").inner_text()
    assert "Electronic health records (EHR/EMR)" in have and "Your résumé: Epic" in have
    assert page.locator("#learn-next li").count() >= 3
    assert "Supervising and managing staff" not in page.locator("#learn-next").inner_text()  # a manager's
    assert "deleted" in page.locator("#privacy-note").inner_text()
    shoot(page, "match-result")
    assert page.console_errors == []
    result_url = page.url
    page.get_by_role("button", name="Delete this match now").click()
    page.wait_for_selector("#deleted-note")
    assert page.goto(result_url).status == 404


def test_match_a_resume_against_a_finished_batch(page: Any, live: SimpleNamespace) -> None:
    from tests.test_resume_match import RECEPTIONIST
    from worker import pipeline, tasks
    from worker.celery_app import create_celery
    from worker.storage import DONE

    url = live.settings["DATABASE_URL"]
    enqueue = tasks.enqueuer(create_celery(live.settings))
    with (EXAMPLES / "postings.csv").open("rb") as fh:
        batch_id = pipeline.submit_file(url, fh, "postings.csv", enqueue, chunk_size=8)
    wait_for(lambda: pipeline.batch_status(url, batch_id) == DONE, timeout=120, interval=0.3)
    page.goto(f"{live.base}/batches/{batch_id}/report")
    page.get_by_role("link", name="Match a résumé against these postings").click()
    assert "which of the batch's postings it matches best" in page.locator("main").inner_text()
    page.locator("#resume").fill(RECEPTIONIST)
    page.get_by_role("button", name="Match my résumé").click()
    page.wait_for_selector("#ranked-postings", timeout=30_000)
    rows = page.locator("#ranked-postings tbody tr")
    assert rows.count() == 24
    first, last = (int(rows.nth(i).locator("td").nth(2).inner_text().rstrip("%")) for i in (0, 23))
    assert first >= last and first == 100
    assert int(page.locator("#full-matches").inner_text()) >= 1
    assert "would complete" in page.locator("#to-learn").inner_text()
    shoot(page, "match-batch")
    assert page.console_errors == []
