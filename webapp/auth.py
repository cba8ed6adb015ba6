"""Sign-up, log in, log out, the account page; sessions for browsers and bearer tokens for scripts.

The speed-ups under every signed-in request (the verified-cookie cache, the cached user) live in webapp.perf;
this module wires them to flask-login and keeps the rules: a session is valid only while its session version
matches the user's and the account is active.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.errors import NotFound, status_of
from webapp.extensions import db, login_manager
from webapp.models.users import parse_login_id
from webapp.perf import session_cookies, user_cache
from webapp.services import accounts

bp = Blueprint("auth", __name__)


class SignupForm(FlaskForm):
    display_name = StringField("Name", validators=[Length(max=100)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=accounts.MAX_PASSWORD)])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=accounts.MAX_PASSWORD)])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=accounts.MAX_PASSWORD)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=accounts.MAX_PASSWORD)])


class SignOutForm(FlaskForm):
    pass


def init_app(app):
    app.session_interface = session_cookies.VerifiedCookieSessionInterface()
    user_cache.init_app(app)
    accounts.init_login_limits(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."


@login_manager.user_loader
def _load_user(login_id: str):
    parsed = parse_login_id(login_id)
    if parsed is None:
        return None  # includes ids from before session versions: those sessions cannot be revoked, so they end
    uid, version = parsed
    user = user_cache.load(uid)
    if user is None or user.session_version != version or not user.is_active:
        return None
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
    problems: dict[str, str] = {}
    if request.method == "POST":
        problems = _signup_problems(form)
    if request.method == "POST" and not problems:
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
    elif problems.get("form"):
        flash(problems.pop("form"), "error")
    return render_template("auth/signup.html", form=form, first=first, invite=invite, problems=problems), (
        400 if request.method == "POST" else 200)


def _taken(email: str) -> bool:
    try:
        accounts.find_user(email)
    except NotFound:
        return False
    return True


def _signup_problems(form: SignupForm) -> dict[str, str]:
    """Every reason to refuse the form at once, by field, so the person fixes them in one go (the service
    checks the same rules again when it signs up)."""
    if not form.validate():
        if "csrf_token" in form.errors:
            return {"form": "The form had expired: please send it again."}
        problems = {name: errs[0] for name, errs in form.errors.items()}
    else:
        problems = {}
    email = form.email.data or ""
    if "email" not in problems:
        if not accounts.EMAIL_RE.match(accounts.normalise_email(email)):
            problems["email"] = "Enter a valid email address, like name@example.com."
        elif _taken(email):
            problems["email"] = "An account with this email already exists. Log in instead?"
    if "password" not in problems:
        try:
            accounts.check_password_strength(form.password.data or "", email, form.display_name.data or "")
        except accounts.AccountError as e:
            problems["password"] = str(e)
    for name in ("email", "password"):
        if not (getattr(form, name).data or "") and name in problems:
            problems[name] = f"Enter your {name}."
    return problems


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not accounts.has_users():
        return redirect(url_for("auth.signup"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr or "?")
        except (accounts.LoginThrottled, accounts.Deactivated) as e:
            flash(str(e), "error")
            status = status_of(e)
        else:
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
    # Ends the session on the server: a copy of this cookie (and of the user's other sessions) opens nothing now.
    accounts.end_sessions(current_user._get_current_object())
    logout_user()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user._get_current_object(), form.current_password.data,
                                            form.new_password.data)
        except accounts.AccountError as e:
            db.session.rollback()
            flash(str(e), "error")
            status = 400
        else:
            login_user(user)  # this browser stays signed in under the new session version; the others do not
            flash("Your password has been changed. Your other sessions have been signed out.", "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        flash("Please fill in both password fields.", "error")
        status = 400
    return render_template("auth/account.html", form=form, sign_out=SignOutForm()), status


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    accounts.end_sessions(current_user._get_current_object())
    logout_user()
    flash("You have been signed out on every device.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    if not accounts.has_users():
        return redirect(url_for("auth.signup"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("videos.library"))
