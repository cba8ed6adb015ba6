"""Send job ids and small tasks to the Celery broker. The web app never imports media_worker: it names the task."""
from __future__ import annotations

import datetime

import sqlalchemy as sa
from celery import Celery
from flask import current_app

RUN_JOB_TASK = "parley.run_job"
SMALL_TASK = "parley.small_task"
SMALL_TASK_QUEUE = "short"


def celery_config(cfg: dict) -> dict:
    """Celery settings shared by the web app (producer) and media_worker (consumer)."""
    longest_job = 6 * 3600
    return {
        "broker_url": cfg["BROKER_URL"],
        "task_ignore_result": True,  # the job row is the result
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # A broker outage must not leave late-acked jobs held by a worker that can no longer ack them: cancel
        # them (their lease expires and the reaper requeues them) instead of waiting for them to finish.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
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


def enqueue_task(name: str, key: str, **kwargs) -> None:
    """Publish a small task by name (media_worker/tasks.py SMALL_TASKS). Delivered at least once; the worker
    runs each `key` to completion once, so enqueue it again freely (after the commit that called for it)."""
    celery = current_app.extensions["parley_celery"]
    celery.send_task(SMALL_TASK, args=[name, key, kwargs], queue=SMALL_TASK_QUEUE)


_broker_engines: dict[str, sa.Engine] = {}


def prune_broker(older_than: datetime.timedelta) -> int:
    """Delete messages the SQLite broker already handed out (kombu keeps them, invisible, forever).

    A message is invisible once a worker took it; one it held but did not ack is re-published as a new row
    when the worker restores it, so deleting invisible rows never loses a pending message. Redis needs none.
    """
    url = current_app.config["BROKER_URL"]
    if not url.startswith("sqla+"):
        return 0
    engine = _broker_engines.get(url)
    if engine is None:
        engine = _broker_engines[url] = sa.create_engine(url[len("sqla+"):])
    if not sa.inspect(engine).has_table("kombu_message"):
        return 0
    cutoff = datetime.datetime.now() - older_than  # kombu writes local naive times
    with engine.begin() as conn:
        res = conn.execute(sa.text("DELETE FROM kombu_message WHERE visible = :f AND timestamp < :cutoff"),
                           {"f": False, "cutoff": cutoff})
    return res.rowcount or 0
