"""Send job ids to the Celery broker. The web app never imports media_worker: it names the task."""
from __future__ import annotations

from celery import Celery
from flask import current_app

RUN_JOB_TASK = "parley.run_job"


def celery_config(cfg: dict) -> dict:
    """Celery settings shared by the web app (producer) and media_worker (consumer)."""
    longest_job = 6 * 3600
    return {
        "broker_url": cfg["BROKER_URL"],
        "task_ignore_result": True,  # the job row is the result
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "long",
        "broker_connection_retry_on_startup": True,
        # kombu's SQLAlchemy transport hands every transport option to create_engine: Redis-only options.
        "broker_transport_options": {} if cfg["BROKER_URL"].startswith("sqla+") else {
            "visibility_timeout": longest_job,  # Redis: longer than the longest job
            "polling_interval": 0.2,
            **({"global_keyprefix": cfg["BROKER_KEY_PREFIX"]} if cfg["BROKER_KEY_PREFIX"] else {}),
        },
        "worker_hijack_root_logger": False,
    }


def build_celery(cfg: dict) -> Celery:
    app = Celery("parley")
    app.conf.update(celery_config(cfg))
    return app


def init_app(app) -> None:
    app.extensions["parley_celery"] = build_celery(app.config)


def enqueue(job_id: int, queue: str) -> None:
    """Publish a job id; safe to call twice: the worker claims a job only once per attempt."""
    celery = current_app.extensions["parley_celery"]
    celery.send_task(RUN_JOB_TASK, args=[job_id], queue=queue)


def check_broker() -> None:
    celery = current_app.extensions["parley_celery"]
    with celery.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
