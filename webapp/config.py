"""Every setting Parley reads, with its default, taken from PARLEY_* environment variables.

This is the one place settings are documented; docs/operations.md is generated from SETTINGS.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str  # the Flask config key; the environment variable is PARLEY_<name>
    default: object
    help: str
    kind: type = str


GiB = 1024**3
INSTALL_DIR = Path(__file__).resolve().parent.parent  # the checkout or image folder: .venv, .models
MiB = 1024**2

SETTINGS: list[Setting] = [
    Setting("DATA_DIR", "./data", "Directory for the embedded default: SQLite files, local media, upload parts, secret key."),
    Setting("SECRET_KEY", "", "Signs sessions and CSRF tokens. Empty: a random key is created once in DATA_DIR/secret_key."),
    Setting("DATABASE_URL", "", "SQLAlchemy URL. Empty: sqlite:///DATA_DIR/parley.db. Production: postgresql+psycopg://user:pw@host/db."),
    Setting("BROKER_URL", "", "Celery broker. Empty: sqla+sqlite:///DATA_DIR/broker.db. Production: redis://host:6379/0."),
    Setting("BROKER_KEY_PREFIX", "", "Prefix of every Redis key the broker uses, so several Parley installations can share one Redis."),
    Setting("STORAGE", "local", "Media storage backend: 'local' (files under STORAGE_DIR) or 's3'."),
    Setting("STORAGE_DIR", "", "Local storage root. Empty: DATA_DIR/media."),
    Setting("S3_BUCKET", "parley", "S3 bucket for media (STORAGE=s3)."),
    Setting("S3_ENDPOINT_URL", "", "S3 endpoint for MinIO, R2 and others. Empty: AWS."),
    Setting("S3_REGION", "us-east-1", "S3 region."),
    Setting("S3_ACCESS_KEY_ID", "", "S3 access key. Empty: boto3's usual credential chain."),
    Setting("S3_SECRET_ACCESS_KEY", "", "S3 secret key."),
    Setting("S3_PATH_STYLE", False, "Use path-style addressing (http://endpoint/bucket/key), needed by MinIO and moto.", bool),
    Setting("S3_PRESIGN_SECONDS", 300, "Lifetime of the presigned URLs media requests are redirected to.", int),
    Setting("S3_CREATE_BUCKET", False, "Create the bucket at start-up when it is missing (development and tests).", bool),
    Setting("UPLOAD_DIR", "", "Where resumable uploads are assembled before they move to storage. Empty: DATA_DIR/uploads. Shared by all web processes."),
    Setting("MAX_UPLOAD_BYTES", 10 * GiB, "Largest accepted upload, in bytes.", int),
    Setting("MAX_PATCH_BYTES", 256 * MiB, "Largest body of one tus PATCH; bigger PATCHes are cut short and resumed by the client.", int),
    Setting("UPLOAD_EXPIRY_HOURS", 24, "An unfinished upload is deleted this many hours after its last byte.", int),
    Setting("UPLOAD_PATCH_SECONDS", 600, "Longest time one tus PATCH may take; the client resumes with the next one.", int),
    Setting("UPLOAD_IDLE_SECONDS", 60, "A client that sends no upload bytes for this long is cut off (bytes received are kept).", int),
    Setting("SIGNUP", "open", "'open': anyone may sign up; 'invite': only the first user and invited addresses.", str),
    Setting("HOST", "127.0.0.1", "Address `make run` binds to."),
    Setting("PORT", 5000, "Port `make run` listens on.", int),
    Setting("STOP_GRACE", 8.0, "Seconds `make run` (infra/run.py) waits for its processes to stop on SIGTERM/SIGINT "
            "before it kills them.", float),
    Setting("TRUSTED_PROXIES", 0, "Number of reverse proxies in front of Parley whose X-Forwarded-* headers are trusted.", int),
    Setting("SESSION_COOKIE_SECURE", False, "Send cookies only over HTTPS. Also switched on per request when the request is HTTPS.", bool),
    Setting("LOGIN_MAX_ATTEMPTS", 10, "Login attempts allowed per (account, address) pair in LOGIN_WINDOW_SECONDS; then that pair is answered 429 until the window passes (a correct password resets the count). Other addresses are not blocked.", int),
    Setting("LOGIN_WINDOW_SECONDS", 900, "Window of the login rate limit.", int),
    Setting("LOGIN_ACCOUNT_MAX_ATTEMPTS", 50, "Failed logins per account from all addresses in LOGIN_WINDOW_SECONDS before every further attempt on it is slowed by LOGIN_SLOWDOWN_SECONDS (never blocked).", int),
    Setting("LOGIN_SLOWDOWN_SECONDS", 1.0, "Wait before checking a password for an account past LOGIN_ACCOUNT_MAX_ATTEMPTS.", float),
    Setting("RATELIMIT_STORAGE_URL", "", "Where login counters are kept (a `limits` storage URL: memory://, redis://host:6379/0). Empty: the broker's Redis when BROKER_URL is redis://, else memory:// (counted per web process).", str),
    Setting("PASSWORD_MIN_SCORE", 3, "Weakest new password accepted, as a zxcvbn score from 0 (common or breached, like 'password12') to 4.", int),
    Setting("JOB_MAX_ATTEMPTS", 3, "Attempts of a processing job before it fails for good.", int),
    Setting("JOB_LEASE_SECONDS", 90, "A running job's lease; renewed by heartbeat, reaped when it expires.", int),
    Setting("JOB_HEARTBEAT_SECONDS", 30, "How often a worker renews its lease.", int),
    Setting("JOB_MAX_LOST_LEASES", 10, "Attempts of a job that may end with its worker dying (a lost lease) before the job fails for good; counted apart from JOB_MAX_ATTEMPTS.", int),
    Setting("JOB_REQUEUE_AFTER_SECONDS", 0, "A queued job nobody claimed for this long has its message sent again (it may have died with a worker). 0: twice JOB_LEASE_SECONDS.", int),
    Setting("WORKER_STALL_SECONDS", 0, "A worker holding messages with a free pool slot for this long is reported by /healthz and exits so its service manager restarts it. 0: JOB_LEASE_SECONDS.", int),
    Setting("BROKER_PRUNE_SECONDS", 3600, "Consumed messages of the SQLite broker older than this are deleted.", int),
    Setting("FFMPEG_TIMEOUT_FACTOR", 10.0, "An ffmpeg run may take this many times the media's duration (plus FFMPEG_TIMEOUT_MIN_SECONDS).", float),
    Setting("FFMPEG_TIMEOUT_MIN_SECONDS", 120, "Minimum wall-clock budget of one ffmpeg run.", int),
    Setting("FFMPEG_MAX_PIXELS", 8192 * 8192, "Largest picture ffmpeg will decode (width x height).", int),
    Setting("FFMPEG_MEMORY_BYTES", 4 * GiB, "Address-space limit of an ffmpeg process.", int),
    Setting("FFMPEG_THREADS", 0, "Threads per ffmpeg encode; 0 lets ffmpeg choose.", int),
    Setting("WORKER_SCRATCH_DIR", "", "Per-job working directories of the media worker. Empty: DATA_DIR/scratch."),
    Setting("INDEX_DIR", "", "The search index folder. Empty: DATA_DIR/index. One indexer writes it; every web process "
            "reads it, so with several machines it is a volume they all mount."),
    Setting("INDEXER_POLL_SECONDS", 0.5, "How often the indexer looks for changes when it has nothing to do.", float),
    Setting("INDEXER_BATCH", 500, "Most changes the indexer applies in one index commit.", int),
    Setting("RECORDING_MAX_MINUTES", 30, "Longest browser recording, in minutes: the recorder warns a minute before "
            "and stops by itself at this length (the recording is kept). Fractions are allowed (0.5: 30 seconds).", float),
    Setting("TRANSCRIBE", True, "Transcribe every video with sound, after it plays (a job on the long queue).", bool),
    Setting("TRANSCRIBE_MODEL", "base", "The speech model: a folder of a faster-whisper model, a name found in "
            "MODEL_DIR (make install puts tiny.en and base there), or a name faster-whisper downloads where the "
            "machine may reach its model hub.", str),
    Setting("MODEL_DIR", "", "Where named speech models live. Empty: .models in the installation folder.", str),
    Setting("TRANSCRIBE_BEAM", 1, "Beam size of the speech decoder: 1 is greedy and fastest; 5 is a little more "
            "accurate and about half as fast.", int),
    Setting("TRANSCRIBE_BATCH", 2, "Voiced stretches decoded together (faster-whisper's batched pipeline); 2 measured "
            "fastest within 0.6 GB on 2 cores (docs/benchmarks.md). 0: one 30 s window after another.", int),
    Setting("TRANSCRIBE_THREADS", 0, "CPU threads of one transcription. 0: every core.", int),
    Setting("SCREENS", True, "Read the screens of every video with a picture, after it plays (a job on the long "
            "queue): scene changes, the text on each screen (tesseract OCR), the filmstrip under the player.", bool),
    Setting("OCR_LANGS", "eng", "Languages tesseract reads on screen, joined by '+' (eng+deu); each needs its "
            "tesseract-ocr-<lang> package.", str),
    Setting("OUTBOX_KEEP_HOURS", 168, "Delivered outbox events are kept this long (for inspection), then pruned.", int),
]


def _parse(setting: Setting, raw: str):
    if setting.kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return setting.kind(raw)


def load(environ=None, overrides: dict | None = None) -> dict:
    """Read every setting from the environment, apply overrides, and derive the empty defaults."""
    environ = os.environ if environ is None else environ
    cfg = {}
    for s in SETTINGS:
        raw = environ.get("PARLEY_" + s.name)
        cfg[s.name] = s.default if raw is None else _parse(s, raw)
    cfg.update(overrides or {})

    data = Path(cfg["DATA_DIR"]).resolve()
    cfg["DATA_DIR"] = str(data)
    cfg["DATABASE_URL"] = cfg["DATABASE_URL"] or f"sqlite:///{data / 'parley.db'}"
    cfg["BROKER_URL"] = cfg["BROKER_URL"] or f"sqla+sqlite:///{data / 'broker.db'}"
    cfg["STORAGE_DIR"] = cfg["STORAGE_DIR"] or str(data / "media")
    cfg["UPLOAD_DIR"] = cfg["UPLOAD_DIR"] or str(data / "uploads")
    cfg["WORKER_SCRATCH_DIR"] = cfg["WORKER_SCRATCH_DIR"] or str(data / "scratch")
    cfg["INDEX_DIR"] = str(Path(cfg["INDEX_DIR"]).resolve()) if cfg["INDEX_DIR"] else str(data / "index")
    cfg["MODEL_DIR"] = str(Path(cfg["MODEL_DIR"] or INSTALL_DIR / ".models").resolve())
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _stored_secret(data)
    return cfg


def _stored_secret(data: Path) -> str:
    data.mkdir(parents=True, exist_ok=True)
    path = data / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def flask_config(cfg: dict) -> dict:
    """Map Parley settings onto the keys Flask and its extensions read."""
    return {
        **cfg,
        "SQLALCHEMY_DATABASE_URI": cfg["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(cfg["DATABASE_URL"]),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": cfg["SESSION_COOKIE_SECURE"],
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_FORM_MEMORY_SIZE": 1 * MiB,
    }


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Web, worker and CLI share one SQLite file: wait for locks instead of failing at once.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def markdown_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `PARLEY_{s.name}` | `{s.default}` | {s.help} |")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m webapp.config: the settings table for docs/operations.md
    print(markdown_table())
