"""flask commands: users, tokens, jobs, reindex."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User
from webapp.services import accounts, jobs

users_cli = AppGroup("users", help="Manage accounts.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
jobs_cli = AppGroup("jobs", help="Inspect and repair processing jobs.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.option("--name", default="")
def create_user(email, password, admin, name):
    try:
        user = accounts.create_user(email, password, is_admin=admin, display_name=name)
    except accounts.AccountError as e:
        raise click.ClickException(str(e)) from e
    db.session.commit()
    click.echo(f"created {'admin ' if user.is_admin else ''}{user.email}")


@users_cli.command("invite")
@click.option("--email", required=True)
def invite(email):
    token = accounts.create_invite(email, None)
    click.echo(f"/signup?invite={token}")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def create_token(email, name):
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    click.echo(accounts.create_token(user, name))


@jobs_cli.command("reap")
def reap():
    """Requeue jobs whose worker stopped responding."""
    ids = jobs.reap()
    click.echo(f"reaped {len(ids)} job(s)")


@click.command("reindex")
def reindex():
    """Rebuild the search index from the database (the database is the truth)."""
    from webapp.services.wiki.indexing import reindex_all

    click.echo(f"indexed {reindex_all()} page(s)")


def init_app(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(reindex)
