"""Errors as JSON ``{"error": {"code", "message"}}`` for the API and the health checks."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

bp = Blueprint("errors", __name__)
log = logging.getLogger(__name__)


class ApiError(HTTPException):
    """An error with our own code and a message meant for the user."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.code = status
        self.error_code = code


def json_object() -> dict:
    """The request's JSON body, which must be an object (a clear 400 otherwise)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "bad_request", "the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return data


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def exception_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error carries besides its body's type: Allow on a 405,
    Retry-After on a 503 that has one."""
    return [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]


def wants_json() -> bool:
    """API paths always get JSON; other pages may be HTML (added by other blueprints)."""
    if request.path.startswith(("/api/", "/healthz", "/readyz")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


@bp.app_errorhandler(HTTPException)
def handle_http_error(exc: HTTPException):
    if not wants_json():
        return exc
    code = getattr(exc, "error_code", None) or (exc.name or "error").lower().replace(" ", "_")
    response, status = error_response(exc.code or 500, code, exc.description or "")
    response.headers.extend(exception_headers(exc))
    return response, status


# Seconds a client is told to wait when the database or the queue is out of reach.
RETRY_AFTER = 5


def service_away(exc: BaseException) -> str | None:
    """Name the service out of reach behind ``exc`` (refused, reset, timed out), if any."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError)) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return "database"
    if isinstance(exc, (BrokerError, RedisConnectionError, RedisTimeoutError, ConnectionError)):
        return "queue"
    return None


class Unavailable(ServiceUnavailable):
    """A 503 for a service out of reach, with the API's code for it."""

    error_code = "unavailable"


def unavailable(service: str) -> ServiceUnavailable:
    return Unavailable(f"the {service} is out of reach for a moment: try again in "
                       f"{RETRY_AFTER} seconds", retry_after=RETRY_AFTER)


@bp.app_errorhandler(Exception)
def handle_unexpected(exc: Exception):
    service = service_away(exc)
    if service is not None:
        # A passing outage, not a bug: a 503 that says when to try again.
        log.warning("%s out of reach on %s %s: %r", service, request.method, request.path, exc)
        return handle_http_error(unavailable(service))
    # Exception text can hold paths or SQL; it goes to the log, not to the user.
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not wants_json():
        return InternalServerError()
    return error_response(500, "internal_error", "something went wrong on our side")
