"""The Parley app as wsgi.py builds it, plus one diagnostic route: a logged-in page that does nothing.

It shows the floor every signed-in page pays (session cookie, loading the user) next to the wiki page.
"""
from flask_login import login_required

from webapp import create_app

app = create_app()


@app.route("/bench/signed-in-noop")
@login_required
def signed_in_noop():
    return "ok"
