"""Account operations shared by both surfaces (`/api/auth/register` and `/1/users`)."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..database import db
from .emails import send_verification_email
from .models import User, UserEmail
from .passwords import hash_password
from .signals import email_claimed


class EmailTaken(Exception):
    """The address is already an account's login email or additional email."""

    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


class UsernameTaken(Exception):
    def __init__(self, username: str):
        super().__init__(username)
        self.username = username


def email_in_use(email: str) -> bool:
    key = email.lower()
    return bool(
        db.session.scalar(sa.select(sa.exists().where(sa.func.lower(User.email) == key)))
        or db.session.scalar(
            sa.select(sa.exists().where(sa.func.lower(UserEmail.email) == key))
        )
    )


def create_account(username: str, email: str, password: str, **fields) -> User:
    """Create an unverified account and send its verification email.

    Uniqueness is decided by the database's unique indexes, so two simultaneous
    sign-ups with one address end in one account and one `EmailTaken`, never a 500.
    The check against additional emails (another table) runs first.
    """
    if email_in_use(email):
        raise EmailTaken(email)
    user = User(username=username, email=email, password_hash=hash_password(password), **fields)
    db.session.add(user)
    try:
        db.session.flush()
        email_claimed.send(user, email=email)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if "email" in str(exc.orig).lower():
            raise EmailTaken(email) from exc
        raise UsernameTaken(username) from exc
    send_verification_email(user)
    return user
