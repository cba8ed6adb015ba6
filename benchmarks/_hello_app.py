"""The baseline of wiki_page_view.py: a bare Flask route that answers "hello"."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello"
