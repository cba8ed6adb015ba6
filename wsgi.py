"""The WSGI entry point: gunicorn and `flask --app wsgi` load `app` from here."""
from webapp import create_app

app = create_app()
