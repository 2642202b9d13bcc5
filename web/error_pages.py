"""Friendly HTML error pages for people; the API keeps its JSON errors (``web.errors``).

Page blueprints get a handler for every exception, so a page never shows a stack
trace or an exception's text; unknown URLs (no blueprint) get the app-wide 404/405.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web import errors

if TYPE_CHECKING:
    from flask import Blueprint, Flask

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was wrong",
          "The page could not make sense of what was sent. Go back and try again."),
    404: ("Page not found",
          "There is nothing at this address. Results are kept under their link; check it was "
          "copied whole."),
    405: ("That does not work here", "This address does not accept that kind of request."),
    413: ("That file is too large", ""),
    500: ("Something went wrong on our side",
          "The problem has been logged. Try again in a moment."),
    503: ("Back in a moment",
          "Part of the site is out of reach for a moment. Go back and try again in a few "
          "seconds."),
}


def render_error(exc: BaseException):
    """Render the error page for ``exc``; anything not an HTTP error is a logged 500,
    but for a database or queue out of reach (a 503 that says when to try again)."""
    service = errors.service_away(exc)
    if service is not None:
        log.warning("%s out of reach on %s %s: %r", service, request.method, request.path, exc)
        exc = errors.unavailable(service)
    if isinstance(exc, HTTPException) and ((exc.code or 500) < 500 or exc.code == 503):
        code = exc.code or 400
    else:
        if not isinstance(exc, HTTPException):
            log.exception("unhandled error on %s %s", request.method, request.path,
                          exc_info=exc)
        code = 500
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    if isinstance(exc, CSRFError):
        title = "This form has expired"
        message = ("For your safety each form can be sent only from a page this site served "
                   "recently. Go back, reload the page and send it again.")
    elif code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = getattr(exc, "user_message", None) or (
            f"Uploads are limited to {limit / 1024 / 1024:.0f} MB. Split the file into smaller "
            "ones, or ask whoever runs this site to raise SKILLGAP_MAX_UPLOAD_MB."
        )
    headers = errors.exception_headers(exc) if isinstance(exc, HTTPException) else []
    return render_template("error.html", code=code, title=title, message=message), code, headers


def _app_handler(exc: HTTPException):
    if errors.wants_json():
        return errors.handle_http_error(exc)
    return render_error(exc)


def init_app(app: Flask) -> None:
    """Register the app-wide 404/405 pages (routing errors belong to no blueprint)."""
    for code in (404, 405):
        app.register_error_handler(code, _app_handler)


def catch_all(bp: Blueprint) -> None:
    """Give a page blueprint the HTML error page for every exception (before registering it)."""
    bp.register_error_handler(Exception, render_error)
