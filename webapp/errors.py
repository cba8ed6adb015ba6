"""The kinds of error a service raises; each blueprint maps them to HTTP in one handler.

A service says what went wrong (not found, conflict, invalid, too large...), never which status code to send:
the HTML views flash or render the message, the API answers JSON, both with the status of the kind.
"""
from __future__ import annotations


class ServiceError(ValueError):
    """A request that cannot be honoured; the message is written for the person who made it."""

    status = 400


class Invalid(ServiceError):
    """The input breaks a rule (a missing title, a bad short name)."""

    status = 400


class NotFound(ServiceError):
    """No such object, or one the principal may not see: the two look the same from outside."""

    status = 404


class Forbidden(ServiceError):
    """The principal may see the object but not do this to it (edit a video someone else owns)."""

    status = 403


class Conflict(ServiceError):
    """The request clashes with the current state (a title already taken, retrying a video that is fine)."""

    status = 409


class TooLarge(ServiceError):
    status = 413


class Unsupported(ServiceError):
    """A media or content type we do not take."""

    status = 415


def status_of(error: Exception) -> int:
    return getattr(error, "status", 400)
