"""Sign-up and the viewer's own profile (`users`, `you`)."""

import re
import secrets
import uuid

import sqlalchemy as sa

from ..accounts.emails import send_address_confirmation
from ..accounts.models import PROFILE_FIELDS, User, UserEmail
from ..accounts.service import (
    EmailTaken,
    UsernameTaken,
    change_password,
    create_account,
    email_in_use,
)
from ..database import db, utcnow
from ..http import ApiError, Forbidden, NotFound
from . import changes
from .models import ChangeKind
from .transactions import atomically, lock_users
from .viewing import UserView, view_user

NAME_FIELDS = ("first_name", "last_name")
USERNAME_ATTEMPTS = 5


def derive_username(email: str) -> str:
    """A username from the address's local part: `Zoë.O'Brien@x` → `zo.obrien`."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "", email.partition("@")[0])[:40]
    return base if len(base) >= 3 else f"user{base}"


def _profile(data: dict) -> dict:
    """Profile values as stored: stripped, and an empty string is no value."""
    return {name: ((data[name] or "").strip() or None) for name in PROFILE_FIELDS
            if name in data}


def sign_up(data: dict) -> UserView:
    """Create an account (unverified; the verification email goes out) → its own User."""
    email = data["email"]
    username = data.get("username")
    fields = {name: data[name].strip() for name in NAME_FIELDS} | _profile(data)
    for attempt in range(USERNAME_ATTEMPTS):
        candidate = username or derive_username(email)
        if not username and attempt:
            candidate = f"{candidate}{secrets.randbelow(10**6):06d}"
        try:
            user = create_account(candidate, email, data["password"], **fields)
        except EmailTaken as exc:
            raise Forbidden("email_registered", email) from exc
        except UsernameTaken as exc:
            if username:
                raise ApiError(409, "conflict", username) from exc
            continue
        return view_user(user.id, user.id)
    raise ApiError(409, "conflict", "username")


def update_self(viewer: User, data: dict) -> UserView:
    """Apply `PUT you`: profile fields, names, password, one added and one removed email."""
    viewer_id = viewer.id
    add_email = data.get("add_email")

    def work():
        lock_users({viewer_id})
        user = db.session.get(User, viewer_id, populate_existing=True)
        now = utcnow()
        updates = _profile(data) | {name: data[name].strip() for name in NAME_FIELDS
                                    if name in data}
        changed = {name: value for name, value in updates.items()
                   if getattr(user, name) != value}
        for name, value in changed.items():
            setattr(user, name, value)
        if changed:
            user.profile_updated_at = now
            changes.record([(viewer_id, ChangeKind.PROFILE_UPDATED, viewer_id)], now)
        if data.get("password"):
            change_password(user, data["password"])
        if data.get("remove_email"):
            _remove_email(viewer_id, data["remove_email"])
        if add_email and email_in_use(add_email):
            raise Forbidden("email_registered", add_email)

    atomically(work)
    if add_email:
        send_address_confirmation(viewer, add_email)
    return view_user(viewer_id, viewer_id)


def _remove_email(user_id: uuid.UUID, email: str) -> None:
    removed = db.session.execute(
        sa.delete(UserEmail).where(UserEmail.user_id == user_id,
                                   sa.func.lower(UserEmail.email) == email.lower())
    ).rowcount
    if not removed:
        raise NotFound(email)
