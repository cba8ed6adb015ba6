"""Sign-up, log in, log out; sessions for browsers and bearer tokens for scripts."""
from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    has_app_context,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature
from sqlalchemy import event
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
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
    # Checking the cookie's signature (HMAC, base64, JSON) is a large part of every signed-in request's cost and a
    # browser sends the same cookie again and again: remember what a cookie string that passed the check holds.
    # Only an exact, already verified cookie string is a hit, and a hit still expires with the cookie's own max age.
    VERIFIED_MAX = 2048

    def __init__(self):
        self._verified: dict[str, tuple[float, dict]] = {}
        self._verified_lock = threading.Lock()
        self._serializer = None

    def get_signing_serializer(self, app):
        # Built once per key set rather than on every request (open and save each asked for a new one).
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            with self._verified_lock:
                self._verified.clear()  # verified with keys that may no longer be accepted
            self._serializer = cached = (keys, _RecentDumps(serializer))
        return cached[1]

    def get_cookie_secure(self, app):
        # Secure whenever the request itself came over HTTPS, even if the setting is off.
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app, request):
        val = request.cookies.get(self.get_cookie_name(app))
        serializer = self.get_signing_serializer(app)  # first: a change of keys empties the verified cookies
        if not val or serializer is None:
            return super().open_session(app, request)
        hit = self._verified.get(val)
        if hit is not None and hit[0] > time.time():
            return self.session_class(hit[1])  # a copy: the request may change its session
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        # Only flat values are shared between requests (flash lists and the like are not, so no request can alter
        # another's copy).
        if isinstance(data, dict) and all(isinstance(v, (str, int, float, bool, type(None))) for v in data.values()):
            with self._verified_lock:
                if len(self._verified) >= self.VERIFIED_MAX:
                    self._verified.clear()
                self._verified[val] = (signed_at.timestamp() + max_age, dict(data))
        return self.session_class(data)


class _RecentDumps:
    """A cookie serializer that signs the same flat session once per second instead of once per response.

    A client whose browser identity changed gets its session marked non-fresh on every response until it keeps the
    new cookie; the signature of the same data in the same second is the same, so re-signing it is wasted work.
    """

    def __init__(self, serializer):
        self._serializer = serializer
        self._recent: tuple | None = None

    def loads(self, *a, **kw):
        return self._serializer.loads(*a, **kw)

    def dumps(self, obj, salt=None):
        if salt is not None:
            return self._serializer.dumps(obj, salt)
        flat = isinstance(obj, dict) and all(isinstance(v, (str, int, float, bool, type(None))) for v in obj.values())
        if not flat:
            return self._serializer.dumps(obj)
        # The type is part of the key: True == 1 in Python but not in the JSON that gets signed.
        key = (int(time.time()), tuple(sorted((k, type(v).__name__, v) for k, v in obj.items())))
        recent = self._recent
        if recent is not None and recent[0] == key:
            return recent[1]
        value = self._serializer.dumps(obj)
        self._recent = (key, value)
        return value


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
        return _attach_cached(uid, hit[1])
    user = db.session.get(User, uid)
    if user is None:
        cache.pop(uid, None)
        return None
    cache[uid] = (time.monotonic() + USER_CACHE_SECONDS,
                        {c.key: getattr(user, c.key) for c in User.__mapper__.column_attrs})
    return user


def _attach_cached(uid: int, values: dict) -> User:
    """The signed-in User built from cached column values, without a query and without opening a DB session.

    Many signed-in requests never use the ORM session (a cached wiki page, a redirect), so the user starts detached
    and joins the request's session just before that session's first ORM statement (_attach_signed_in_user): from
    then on the session hands out this very instance for the user's row, as it did when the loader merged it.
    """
    if db.session.registry.has():
        existing = db.session.identity_map.get(User.__mapper__.identity_key_from_primary_key((uid,)))
        if existing is not None:
            return existing
    # The values become the instance's committed state (nothing to flush back); cheaper than merge(load=False),
    # which builds a second instance and copies every attribute through the instrumentation.
    user = User.__mapper__.class_manager.new_instance()
    instance_state(user).dict.update(values)
    make_transient_to_detached(user)
    return user


@event.listens_for(db.session, "do_orm_execute")
def _attach_signed_in_user(orm_execute_state):
    # Runs before any ORM statement of a request's session loads rows, so a User row loaded later (a page's author,
    # say) resolves to current_user itself, and relationships may be set to current_user without an identity clash.
    if not has_request_context():
        return
    # flask-login keeps the request's user in g._login_user; current_user would load one (a query) when none is.
    user = g.get("_login_user")
    if type(user) is not User:
        return
    session = orm_execute_state.session
    if not db.session.registry.has() or session is not db.session.registry():
        return  # only the request's own session, where the loader used to put current_user
    state = instance_state(user)
    if state.session_id is None and state.key not in session.identity_map:
        session.add(user)


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
