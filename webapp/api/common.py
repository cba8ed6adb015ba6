"""Helpers shared by the API modules: JSON errors, bounded JSON bodies, field checks."""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from webapp.api import bp

MAX_JSON_BYTES = 64 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def error(status: int, message: str):
    return jsonify(error=message), status


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return error(e.status, str(e))


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    # Every API error is JSON, including the ones werkzeug raises (405, 413, CSRF 400, ...).
    return error(e.code or 500, e.description or e.name)


def json_body(max_bytes: int = MAX_JSON_BYTES) -> dict:
    """The request's JSON object, refusing bodies over max_bytes and anything that is not an object."""
    if not request.is_json:
        raise ApiError(415, "Send Content-Type: application/json.")
    request.max_content_length = max_bytes
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


def check_fields(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}.")


def string_field(data: dict, name: str, *, max_len: int, required: bool = False, allow_empty: bool = True):
    if name not in data or data[name] is None:
        if required:
            raise ApiError(400, f"`{name}` is required.")
        return None
    value = data[name]
    if not isinstance(value, str):
        raise ApiError(400, f"`{name}` must be a string.")
    if len(value) > max_len:
        raise ApiError(400, f"`{name}` is longer than {max_len} characters.")
    if not allow_empty and not value.strip():
        raise ApiError(400, f"`{name}` must not be empty.")
    return value


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise ApiError(400, f"`{name}` must be an integer from {lo} to {hi}.")
    return int(raw)
