"""Sign-up, log in, log out; sessions for browsers and bearer tokens for scripts."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, has_app_context, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import event
from sqlalchemy.orm import make_transient_to_detached
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.extensions import db, login_manager
from webapp.models import User
from webapp.services import accounts

bp = Blueprint("auth", __name__)


class SignupForm(FlaskForm):
    display_name = StringField("Name", validators=[Length(max=100)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=accounts.MAX_PASSWORD)])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=accounts.MAX_PASSWORD)])


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app):
        # Secure whenever the request itself came over HTTPS, even if the setting is off.
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app):
    app.session_interface = _SessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."


# Every signed-in request loads its user; a short per-process cache saves that query on busy pages
# (a change to an account reaches other processes within USER_CACHE_SECONDS).
USER_CACHE_SECONDS = 5.0


def _user_cache() -> dict[int, tuple[float, dict]]:
    return current_app.extensions.setdefault("parley_user_cache", {})


@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
def _forget_changed_user(_mapper, _conn, user):
    if has_app_context():
        _user_cache().pop(user.id, None)


@login_manager.user_loader
def _load_user(user_id: str):
    if not user_id.isdigit():
        return None
    uid = int(user_id)
    cache = _user_cache()
    hit = cache.get(uid)
    if hit and hit[0] > time.monotonic():
        user = User(**hit[1])
        make_transient_to_detached(user)
        return db.session.merge(user, load=False)  # attached like a loaded row, without a query
    user = db.session.get(User, uid)
    if user is None:
        cache.pop(uid, None)
        return None
    cache[uid] = (time.monotonic() + USER_CACHE_SECONDS,
                        {c.key: getattr(user, c.key) for c in User.__mapper__.column_attrs})
    return user


@login_manager.request_loader
def _load_bearer(req):
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return accounts.user_for_token(header[7:].strip())
    return None


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith(("/api/", "/files/")) or request.accept_mimetypes.best == "application/json":
        return {"error": "Authentication required: log in or send an API token (Authorization: Bearer)."}, 401
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would turn the login page into a phishing tool.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("videos.library")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    first = not accounts.has_users()
    invite = request.args.get("invite") or request.form.get("invite")
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.signup(form.email.data, form.password.data, display_name=form.display_name.data or "",
                                   invite_token=invite)
        except accounts.AccountError as e:
            db.session.rollback()
            flash(str(e), "error")
        else:
            login_user(user)
            flash("Welcome to Parley." + (" You are the administrator." if user.is_admin else ""), "success")
            return redirect(url_for("videos.library"))
    elif request.method == "POST":
        flash("Please fill in every field.", "error")
    return render_template("auth/signup.html", form=form, first=first, invite=invite), (
        400 if request.method == "POST" else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not accounts.has_users():
        return redirect(url_for("auth.signup"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        addr = request.remote_addr or "?"
        if accounts.login_blocked(form.email.data, addr):
            flash("Too many failed attempts. Wait a few minutes and try again.", "error")
            status = 429
        else:
            user = accounts.authenticate(form.email.data, form.password.data, addr)
            if user:
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            flash("That email and password do not match an account.", "error")
            status = 401
    elif request.method == "POST":
        flash("Please enter your email and password.", "error")
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    if not accounts.has_users():
        return redirect(url_for("auth.signup"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("videos.library"))


def admin_required(view):
    from functools import wraps

    @wraps(view)
    @login_required
    def wrapper(*a, **kw):
        if not current_user.is_admin:
            abort(403)
        return view(*a, **kw)

    return wrapper
