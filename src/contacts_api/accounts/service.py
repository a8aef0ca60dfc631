"""Account operations shared by both surfaces (`/api/auth/register` and `/1/users`)."""

import hmac

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..database import db
from ..http.errors import BadRequest, Conflict
from . import avatars
from .emails import (
    reset_claims,
    send_reset_email,
    send_verification_email,
    verification_claims,
)
from .models import User, UserEmail
from .passwords import fingerprint, hash_password
from .signals import account_deleting, email_claimed


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


def _commit_claim(user: User, email: str) -> None:
    """Commit a new account or address, letting other domains act on the address first.

    `email_claimed` receivers (invites turning into requests) run inside this
    transaction. A unique-index violation rolls everything back and is re-raised.
    """
    try:
        db.session.flush()
        email_claimed.send(user, email=email)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise


def create_account(username: str, email: str, password: str, **fields) -> User:
    """Create an account and, unless it is created verified, send its verification email.

    Uniqueness is decided by the database's unique indexes, so two simultaneous
    sign-ups with one address end in one account and one `EmailTaken`, never a 500.
    The check against additional emails (another table) runs first.
    """
    if email_in_use(email):
        raise EmailTaken(email)
    user = User(username=username, email=email, password_hash=hash_password(password), **fields)
    db.session.add(user)
    try:
        _commit_claim(user, email)
    except IntegrityError as exc:
        # The violated index names the culprit; a username may itself contain "email".
        if "uq_users_email_lower" in str(exc.orig):
            raise EmailTaken(email) from exc
        raise UsernameTaken(username) from exc
    if not user.is_verified:
        send_verification_email(user)
    return user


def register(username: str, email: str, password: str, **fields) -> User:
    """`create_account` for `/api/auth/register`: a taken username or email is a 409."""
    try:
        return create_account(username, email, password, **fields)
    except EmailTaken as exc:
        raise Conflict("Email already registered") from exc
    except UsernameTaken as exc:
        raise Conflict("Username already taken") from exc


def find_by_email(email: str) -> User | None:
    """The account whose login email is `email`, case-insensitively."""
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def change_password(user: User, password: str) -> None:
    """Set a new password and revoke every token issued before it, in the caller's
    transaction: the next token generation makes every earlier token fail its check."""
    user.password_hash = hash_password(password)
    user.token_generation = User.token_generation + 1


def confirm_email(token: str) -> bool:
    """Mark the account a verification token was issued for as verified.

    Returns False when it already was. The token names the address it was sent to, so
    it stops working if the account's email changes meanwhile.
    """
    claims = verification_claims(token)
    user = db.session.get(User, claims.user_id) if claims else None
    if user is None:
        raise BadRequest(detail="Invalid or expired verification token")
    if claims.addition:
        return attach_email(user, claims.email)
    if user.email.lower() != claims.email:
        raise BadRequest(detail="Invalid or expired verification token")
    if user.is_verified:
        return False
    user.is_verified = True
    db.session.commit()
    return True


def attach_email(user: User, email: str) -> bool:
    """Add a confirmed address to the account; False when it already belongs to it."""
    if any(extra.email.lower() == email for extra in user.extra_emails):
        return False
    if email_in_use(email):
        raise BadRequest(detail="This address already belongs to an account")
    db.session.add(UserEmail(user_id=user.id, email=email))
    try:
        _commit_claim(user, email)
    except IntegrityError as exc:
        raise BadRequest(detail="This address already belongs to an account") from exc
    return True


def resend_verification(email: str) -> None:
    """Send a new verification email if `email` belongs to an unverified account."""
    user = find_by_email(email)
    if user is not None and not user.is_verified:
        send_verification_email(user)


def request_password_reset(email: str) -> None:
    """Send a reset token if `email` belongs to an account; say nothing either way."""
    user = find_by_email(email)
    if user is not None:
        send_reset_email(user)


def reset_password(token: str, password: str) -> None:
    """Set a new password with a reset token, which then stops working.

    The token was sent to the account's address, so using it also proves the address.
    """
    claims = reset_claims(token)
    user = db.session.get(User, claims[0]) if claims else None
    if user is None or not hmac.compare_digest(fingerprint(user.password_hash), claims[1]):
        raise BadRequest(detail="Invalid, expired or already used reset token")
    user.is_verified = True
    change_password(user, password)
    db.session.commit()


def delete_account(user: User) -> None:
    avatar = user.avatar
    account_deleting.send(user)
    db.session.delete(user)
    db.session.commit()
    avatars.remove(avatar)
