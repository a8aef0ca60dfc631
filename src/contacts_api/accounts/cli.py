"""`flask --app contacts_api users ...`: account administration from the shell."""

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from ..database import db
from ..http import PageRequest
from ..http.fields import normalize_email
from . import admin, service
from .auth import find_by_login
from .models import Role, User
from .schemas import PASSWORD, USERNAME

users_cli = AppGroup("users", help="Manage user accounts.")


def _check(validator, value, name: str):
    try:
        validator(value)
    except ValidationError as exc:
        raise click.BadParameter(" ".join(exc.messages), param_hint=name) from exc
    return value


def _user(login: str) -> User:
    user = find_by_login(login)
    if user is None:
        raise click.ClickException(f"No user with username or email {login!r}")
    return user


@users_cli.command("create")
@click.argument("username")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@click.option("--admin", "is_admin", is_flag=True, help="Give the account the admin role.")
def create_user(username, email, password, is_admin):
    """Create a verified account (no verification email is sent)."""
    _check(USERNAME, username, "USERNAME")
    _check(PASSWORD, password, "--password")
    try:
        email = normalize_email(email)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    role = Role.ADMIN if is_admin else Role.USER
    try:
        user = service.create_account(username, email, password, is_verified=True, role=role)
    except service.EmailTaken as exc:
        raise click.ClickException(f"Email {email} is already registered") from exc
    except service.UsernameTaken as exc:
        raise click.ClickException(f"Username {username} is already taken") from exc
    click.echo(f"Created {user.role.value} {user.username} <{user.email}> id={user.id.hex}")


@users_cli.command("verify")
@click.argument("email")
def verify_user(email):
    """Mark the account with this login email as verified."""
    user = service.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email!r}")
    user.is_verified = True
    db.session.commit()
    click.echo(f"Verified {user.username} <{user.email}>")


@users_cli.command("set-role")
@click.argument("login")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def set_role(login, role):
    """Make the account (username or email) a user or an admin."""
    user = _user(login)
    user.role = Role(role)
    db.session.commit()
    click.echo(f"{user.username} is now {user.role.value}")


@users_cli.command("list")
def list_users():
    """Print every account: id, username, email, role, verified."""
    skip = 0
    while True:
        page = admin.list_users(PageRequest(skip=skip, limit=1000))
        for user in page.items:
            verified = "verified" if user.is_verified else "unverified"
            click.echo(f"{user.id.hex}  {user.username}  {user.email}  {user.role.value}  "
                       f"{verified}")
        skip += len(page.items)
        if not page.items or skip >= page.total:
            break


@users_cli.command("delete")
@click.argument("login")
@click.confirmation_option(prompt="Delete this account and everything it owns?")
def delete_user(login):
    """Delete the account (username or email) and its avatar."""
    user = _user(login)
    name = user.username
    service.delete_account(user)
    click.echo(f"Deleted {name}")
