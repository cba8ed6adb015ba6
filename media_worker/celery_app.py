"""The Celery app, built from create_app so the worker shares config and models with the web app."""
from webapp import create_app
from webapp.adapters.jobs import RUN_JOB_TASK, build_celery

flask_app = create_app()
celery = build_celery(flask_app.config)
app = celery


@celery.task(name=RUN_JOB_TASK)
def run_job(job_id: int) -> None:
    from media_worker.runner import run

    with flask_app.app_context():
        run(job_id)
