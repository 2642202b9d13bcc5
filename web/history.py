"""What this browser started: a short list of ids in its own signed session cookie.

There are no accounts. Every batch and analysis has an unguessable id, and its
address is its permalink; this list only saves a person from keeping those
addresses. Nobody is shown a list of anybody else's work: the server keeps no
list by browser, and the JSON API has no list endpoint.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, session, url_for

from web import error_pages, services

bp = Blueprint("history", __name__)
error_pages.catch_all(bp)

KEY = "started"
# The newest ids kept; the cookie stays well under browsers' 4 kB.
LIMIT = 30
KINDS = {"batch": "b", "analysis": "a"}


def remember(kind: str, item_id: str) -> None:
    """Put a batch or an analysis this browser started first in its list."""
    entry = f"{KINDS[kind]}:{item_id}"
    started = [e for e in session.get(KEY, []) if isinstance(e, str) and e != entry]
    session[KEY] = [entry, *started][:LIMIT]
    # Kept across browser restarts (PERMANENT_SESSION_LIFETIME, 31 days by default).
    session.permanent = True


def started() -> list[tuple[str, str]]:
    """Return (kind, id) of what this browser started, newest first."""
    names = {v: k for k, v in KINDS.items()}
    out = []
    for entry in session.get(KEY, []):
        if isinstance(entry, str) and entry[:2] in ("b:", "a:"):
            out.append((names[entry[0]], entry[2:]))
    return out


@bp.get("/history")
def page():
    items = services.history_items(str(current_app.config["DATABASE_URL"]), started())
    return render_template("history.html", items=items)


@bp.post("/history/forget")
def forget():
    """Empty the list (the batches and analyses themselves stay, at their addresses)."""
    session.pop(KEY, None)
    return redirect(url_for("history.page"), 303)
