"""Helpers shared by the API modules: the one error handler, bounded JSON bodies, field checks.

Services raise webapp.errors kinds; the handler below turns every one of them (and werkzeug's HTTP errors) into
a JSON answer with the kind's status, after rolling back whatever the failed request had written. Views catch
nothing.
"""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from webapp import http_input
from webapp.api import bp
from webapp.errors import Invalid, NotFound, ServiceError, status_of
from webapp.extensions import db

MAX_JSON_BYTES = 64 * 1024


def error(status: int, message: str):
    return jsonify(error=message), status


@bp.errorhandler(ServiceError)
def _service_error(e: ServiceError):
    db.session.rollback()
    if hasattr(e, "as_json"):  # an edit conflict carries what the client needs to merge
        return e.as_json(), status_of(e)
    return error(status_of(e), str(e))


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    # Every API error is JSON, including the ones werkzeug raises (405, 413, CSRF 400, ...).
    db.session.rollback()
    return error(e.code or 500, e.description or e.name)


def json_body(max_bytes: int = MAX_JSON_BYTES) -> dict:
    """The request's JSON object: bounded in bytes and depth, numbers in range, no lone surrogates or NUL."""
    return http_input.json_object(max_bytes)


def check_fields(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}.")


def string_field(data: dict, name: str, *, max_len: int, required: bool = False, allow_empty: bool = True,
                 multiline: bool = False):
    """A string field; one-line fields refuse every control character, multi-line ones all but \\t \\n \\r."""
    if name not in data or data[name] is None:
        if required:
            raise Invalid(f"`{name}` is required.")
        return None
    value = data[name]
    if not isinstance(value, str):
        raise Invalid(f"`{name}` must be a string.")
    if len(value) > max_len:
        raise Invalid(f"`{name}` is longer than {max_len} characters.")
    if multiline:
        http_input.check_text(value, name)
    else:
        http_input.check_line(value, name)
    if not allow_empty and not value.strip():
        raise Invalid(f"`{name}` must not be empty.")
    return value


def int_field(data: dict, name: str, *, lo: int = 1, hi: int = http_input.INT32_MAX, required: bool = False,
              message: str | None = None) -> int | None:
    """An integer field (not a bool, not a float) from lo to hi; None when absent and not required."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise Invalid(message or f"`{name}` must be an integer from {lo} to {hi}.")
    return value


def id_arg(value: int, what: str) -> int:
    """A URL's <int:...> id: past the INTEGER columns there is no such row (404), rather than a driver error."""
    if not 0 < value <= http_input.INT32_MAX:
        raise NotFound(f"No such {what}.")
    return value


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    return http_input.parse_int(raw, f"`{name}`", lo=lo, hi=hi)
