"""`flask --app contacts_api suggestions refresh` and `legal show`: the network from the shell."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..accounts.auth import find_by_login
from ..accounts.models import User
from ..database import db, utcnow
from ..http.fields import format_timestamp
from . import legal, suggestions
from .models import SuggestionRefresh

suggestions_cli = AppGroup("suggestions", help="Manage suggestions.")
legal_cli = AppGroup("legal", help="The legal texts served at /1/legal.")

BATCH = 1000


def _ids(statement: sa.Select):
    """User ids of `statement` (a select of User.id), in id order, a batch at a time."""
    after = None
    while True:
        page = statement.order_by(User.id).limit(BATCH)
        if after is not None:
            page = page.where(User.id > after)
        ids = db.session.scalars(page).all()
        if not ids:
            return
        yield from ids
        after = ids[-1]


def _refresh_each(statement: sa.Select, label: str) -> int:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    with click.progressbar(_ids(statement), length=total, label=label) as user_ids:
        for user_id in user_ids:
            suggestions.refresh(user_id)
            db.session.expunge_all()  # one account at a time in memory
    return total


@suggestions_cli.command("refresh")
@click.argument("logins", nargs=-1)
@click.option("--all", "everyone", is_flag=True,
              help="Every account, with a progress bar.")
def refresh(logins, everyone):
    """Recompute suggestions of LOGINS (usernames or emails), of every account (--all),
    or with neither, of the accounts whose suggestions are older than an hour."""
    if logins and everyone:
        raise click.UsageError("Give LOGINS or --all, not both.")
    if logins:
        users = []
        for login in logins:
            user = find_by_login(login)
            if user is None:
                raise click.ClickException(f"No user with username or email {login!r}")
            users.append(user)
        for user in users:
            suggestions.refresh(user.id)
            click.echo(f"Refreshed suggestions of {user.username}")
        return
    if everyone:
        count = _refresh_each(sa.select(User.id), "Refreshing every account")
    else:
        stale = sa.select(User.id).join(SuggestionRefresh, SuggestionRefresh.user_id == User.id) \
            .where(SuggestionRefresh.computed_at <= utcnow() - suggestions.MAX_AGE)
        count = _refresh_each(stale, "Refreshing stale suggestions")
    click.echo(f"Refreshed suggestions of {count} account(s)")


@legal_cli.command("show")
@click.argument("name", type=click.Choice(sorted(legal.DOCUMENTS)))
def show(name):
    """Print the text /1/legal/NAME serves, and the file it comes from."""
    document = legal.document(name)
    click.echo(f"{document['title']}\n{legal.source(name)}, updated "
               f"{format_timestamp(document['updated'])}\n\n{document['text']}")
