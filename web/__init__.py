"""The Flask app factory: JSON API, health checks, and the Celery app it sends work to."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from models.inputs import MAX_POSTING_CHARS
from worker.settings import DEFAULTS, resolve

if TYPE_CHECKING:
    from celery import Celery
    from flask import Flask

# Flask and Celery are imported in the functions, not here: ``web.cli`` lives in
# this package, and ``skillgap analyze`` should not pay for loading them.


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``SKILLGAP_*`` environment variables, then ``test_config``."""
    from flask import Flask

    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY="dev",
        # Long-polling waits at most this long for a pasted posting's result.
        MAX_WAIT_SECONDS=30,
        # The Analyse form waits this long for the result before showing the page
        # that waits for it: most postings then go straight to their result.
        PASTE_WAIT_SECONDS=3,
        **DEFAULTS,
    )
    # Hosting platforms set these without our prefix; the prefixed ones win.
    for plain in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(plain):
            app.config[plain] = os.environ[plain]
    app.config.from_prefixed_env("SKILLGAP")
    if test_config is not None:
        app.config.from_mapping(test_config)
    settings = resolve({key: app.config.get(key) for key in DEFAULTS})
    app.config.update(settings)
    app.instance_path = settings["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    # Werkzeug answers 413 from the Content-Length header, before reading the body.
    app.config.setdefault("MAX_CONTENT_LENGTH", None)
    if not app.config["MAX_CONTENT_LENGTH"]:
        app.config["MAX_CONTENT_LENGTH"] = int(float(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    # Form fields are held in memory. The largest is a pasted posting: the HTML of a
    # whole saved job page is 0.5-0.8 MB, and a posting may have MAX_POSTING_CHARS
    # characters (up to four bytes each). Flask's default of 500 kB refused such pages.
    if app.config.get("MAX_FORM_MEMORY_SIZE") == app.default_config.get("MAX_FORM_MEMORY_SIZE"):
        app.config["MAX_FORM_MEMORY_SIZE"] = 4 * MAX_POSTING_CHARS

    celery_init_app(app)

    from web import api, errors, health, skillsets_api  # noqa: F401 - its routes are on api.bp

    app.register_blueprint(errors.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)

    # The HTML pages, their error pages, CSRF and the security headers.
    from web import batches, error_pages, history, pages, security, skillsets

    security.init_app(app)
    error_pages.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(batches.bp)
    app.register_blueprint(history.bp)
    app.register_blueprint(skillsets.bp)
    return app


def celery_init_app(app: Flask) -> Celery:
    """Build the Celery app from the Flask config and keep it in ``app.extensions``.

    The tasks need no Flask app context (they take ids and use the database), so
    unlike Flask's example there is no FlaskTask base: the same Celery app is
    what a bare ``celery -A worker.app worker`` runs.
    """
    from worker.celery_app import create_celery

    celery_app = create_celery({key: app.config[key] for key in DEFAULTS})
    app.extensions["celery"] = celery_app
    return celery_app
