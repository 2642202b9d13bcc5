"""Security for the HTML pages: secret key, CSRF, response headers.

The JSON API is exempt from CSRF: it takes no cookies for authentication, and
its clients are scripts, not browsers holding a session.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

if TYPE_CHECKING:
    from flask import Flask, Response

csrf = CSRFProtect()

# No inline script or style anywhere: every asset is a file under /static.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

# Placeholders that mean "nobody set a secret key".
UNSET_KEYS = (None, "", "dev")
# Example values (such as .env.example's) that someone copied without changing: anyone
# who reads the example could forge sessions, so the app refuses to start with them.
PLACEHOLDER_PREFIXES = ("change-me", "changeme", "change_me", "replace-me", "your-secret")


class PlaceholderSecretKeyError(RuntimeError):
    """The configured secret key is an example value."""


def init_app(app: Flask) -> None:
    """Set the secret key, turn on CSRF for the pages and add the security headers."""
    app.config["SECRET_KEY"] = secret_key(app)
    # Behind a reverse proxy that terminates HTTPS, trust its X-Forwarded-* headers
    # (as many hops as there are proxies).
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops, x_port=hops, x_prefix=hops)
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    from web import api

    csrf.exempt(api.bp)
    app.after_request(add_headers)


def secret_key(app: Flask) -> str:
    """Return the configured key, else ``SECRET_KEY`` from the environment, else a local one.

    The local one is generated once and kept in the instance folder (mode 0600), so
    sessions and CSRF tokens survive restarts of the embedded default.
    """
    key = app.config.get("SECRET_KEY")
    if key not in UNSET_KEYS:
        return checked(app, str(key))
    if os.environ.get("SECRET_KEY"):
        return checked(app, os.environ["SECRET_KEY"])
    path = os.path.join(app.instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as fh:
            stored = fh.read().strip()
        if len(stored) >= 32:
            return stored
    except FileNotFoundError:
        pass
    new = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(new + "\n")
    return new


def checked(app: Flask, key: str) -> str:
    """Return ``key``, or refuse an example value outside debug and testing."""
    if key.strip().lower().startswith(PLACEHOLDER_PREFIXES) and not (app.debug or app.testing):
        raise PlaceholderSecretKeyError(
            "SKILLGAP_SECRET_KEY is still the example value from .env.example: anyone could "
            "forge sessions. Set it to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, or unset it to have "
            "one generated and kept in the instance folder.")
    return key


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the cookie marked Secure whenever the request
    came over HTTPS (SESSION_COOKIE_SECURE forces it on plain HTTP too)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app)) or (has_request_context() and request.is_secure)


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
