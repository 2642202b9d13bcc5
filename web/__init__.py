"""The Flask app factory: JSON API, health checks, and the Celery app it sends work to."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from worker.settings import DEFAULTS, load_settings

if TYPE_CHECKING:
    from celery import Celery
    from flask import Flask

# Flask and Celery are imported in the functions, not here: ``web.cli`` lives in
# this package, and ``skillgap analyze`` should not pay for loading them.


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: the shared settings' defaults, then ``SKILLGAP_*`` environment
    variables, then ``test_config``."""
    from flask import Flask

    app = Flask(__name__)
    # Flask's own settings we leave at their defaults can be set the same way
    # (e.g. SKILLGAP_SESSION_COOKIE_SECURE).
    app.config.from_prefixed_env("SKILLGAP")
    if test_config is not None:
        app.config.from_mapping(test_config)
    # Ours, read as the workers and the CLI read them (worker/settings.py).
    settings = load_settings(test_config)
    app.config.update(settings)
    app.instance_path = settings["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)

    celery_init_app(app)

    from web import api, errors, health, skillsets_api  # noqa: F401 - its routes are on api.bp

    app.register_blueprint(errors.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)

    # The HTML pages, their error pages, CSRF and the security headers.
    from web import batches, error_pages, history, match, pages, security, skillsets

    security.init_app(app)
    error_pages.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(batches.bp)
    app.register_blueprint(history.bp)
    # A résumé against a posting or a batch: its pages and its API (no cookies, no CSRF).
    app.register_blueprint(match.bp)
    app.register_blueprint(match.api_bp)
    security.csrf.exempt(match.api_bp)
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
