"""The one place HTML error pages are made: 400, 403, 404, 405, 413, 429 and 500 in Parley's layout.

Blueprints map their services' error kinds to a status (webapp/errors.py); when the answer is a page, they hand
the status here through Flask (`current_app.handle_http_exception`), so every error page looks the same and
offers a way on. The API (/api/...) answers JSON and the tus server (/files/...) plain text, as their clients
expect, even for a route no blueprint matched.
"""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db

# status -> (heading, the plain sentence under it). The sentences say what happened from the person's side.
PAGES = {
    400: ("That request did not make sense", "Parley could not understand what the browser sent."),
    403: ("You may not do that", "This needs rights your account does not have. Ask its owner or an admin."),
    404: ("There is nothing here", "The address may be mistyped, or what was here was moved or deleted."),
    405: ("That does not work here", "This address does not take that kind of request; it may have been meant "
                                     "for a form."),
    413: ("That is too large", "What was sent is over Parley's size limit."),
    429: ("Too many tries", "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "Parley hit an error it did not expect; it has been logged. "
                                             "Try again in a moment."),
}
CSRF_SENTENCE = ("The form's security token (CSRF) was missing or had expired. Go back, reload the page "
                 "and send it again.")


def init_app(app) -> None:
    for code in PAGES:
        app.register_error_handler(code, handle)
    # Browsers ask for /favicon.ico on every page they open; the icon itself is an SVG under /static.
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


def _favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def handle(e: HTTPException):
    try:
        db.session.rollback()  # whatever failed may have left the session half-written
    except Exception:  # noqa: BLE001  (the database itself may be what failed: still answer)
        current_app.logger.exception("rollback failed while answering an error")
    code = e.code or 500
    if request.path.startswith("/api/") or request.path.startswith("/files/"):
        return _machine(e, code)
    return page(e, code)


def _machine(e: HTTPException, code: int):
    # Never the description of a 500: it is the server's business, not the client's.
    message = e.name if code >= 500 else (e.description or e.name)
    if request.path.startswith("/api/"):
        return {"error": message}, code, _kept_headers(e)
    return current_app.response_class(message + "\n", status=code, mimetype="text/plain",
                                      headers=_kept_headers(e))


def page(e: HTTPException, code: int):
    heading, sentence = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    detail = _detail(e, code)
    if isinstance(e, CSRFError):
        sentence, detail = CSRF_SENTENCE, ""
    context = {"code": code, "heading": heading, "sentence": sentence, "detail": detail, "back": _back()}
    try:
        html = render_template("errors/error.html", **context)
    except Exception:  # noqa: BLE001  (the layout needs the user and the database: a bare page still says why)
        current_app.logger.exception("the error page could not be rendered")
        html = (f"<!doctype html><title>{escape(heading)}</title><h1>{escape(heading)}</h1>"
                f"<p>{escape(sentence)}</p><p><a href=\"/\">Home</a></p>")
    return html, code, _kept_headers(e)


def _detail(e: HTTPException, code: int) -> str:
    """The service's own message (e.g. "No such page."), when there is one; never anything about a 500."""
    if code >= 500 or isinstance(e, InternalServerError):
        return ""
    default = type(e).description
    if not e.description or e.description == default:
        return ""
    return str(e.description)


def _kept_headers(e: HTTPException) -> dict:
    # Allow (405) and Retry-After (429) tell the client what to do next; the body's type is ours to set.
    return {k: v for k, v in e.get_headers() if k.lower() in ("allow", "retry-after")}


def _back() -> str | None:
    referrer = request.referrer
    if referrer and referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return None
