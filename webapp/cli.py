"""flask commands: users, tokens, jobs, reindex."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User
from webapp.services import accounts, processing

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


def _account(email):
    try:
        return accounts.find_user(email)
    except accounts.NotFound as e:
        raise click.ClickException(str(e)) from e


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.password_option("--password", help="The new password (asked for when not given).")
def set_password(email, password):
    """Reset an account's password; every session of the account ends."""
    try:
        accounts.set_password(_account(email), password)
    except accounts.AccountError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"password changed for {email}; its sessions have ended")


@users_cli.command("sign-out")
@click.option("--email", required=True)
def sign_out(email):
    """Sign an account out everywhere: every session cookie it holds stops working (API tokens stay valid)."""
    accounts.end_sessions(_account(email))
    click.echo(f"signed out {email} everywhere")


@users_cli.command("deactivate")
@click.option("--email", required=True)
def deactivate(email):
    """Stop an account: its sessions end, it cannot log in, and its API tokens open nothing."""
    accounts.deactivate(_account(email))
    click.echo(f"deactivated {email}")


@users_cli.command("reactivate")
@click.option("--email", required=True)
def reactivate(email):
    """Let a deactivated account log in again (its API tokens work again too)."""
    accounts.reactivate(_account(email))
    click.echo(f"reactivated {email}")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def create_token(email, name):
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    click.echo(accounts.create_token(user, name))


@tokens_cli.command("revoke")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Only the tokens with this name (default: all of the account's).")
def revoke_tokens(email, name):
    """Revoke API tokens: logging out or a password change leaves them valid, this does not."""
    click.echo(f"revoked {accounts.revoke_tokens(_account(email), name)} token(s) of {email}")


@jobs_cli.command("reap")
def reap():
    """Requeue jobs whose worker stopped responding."""
    ids = processing.reap()
    click.echo(f"reaped {len(ids)} job(s)")


@click.command("reindex")
def reindex():
    """Rebuild the search index from the database (the database is the truth)."""
    from webapp.services.search import indexer

    click.echo(indexer.request_rebuild())


indexer_cli = AppGroup("indexer", help="The one search-index writer.")


@indexer_cli.command("run")
@click.option("--once", is_flag=True, help="Apply what is pending, then exit.")
def run_indexer(once):
    """Apply changes to the search index until stopped (SIGTERM/SIGINT end it after the current batch)."""
    import logging
    import signal
    import threading

    from webapp.services.search import indexer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    total = indexer.run(stop, once=once)
    click.echo(f"indexer applied {total} change(s)")


def init_app(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(reindex)
    app.cli.add_command(indexer_cli)
