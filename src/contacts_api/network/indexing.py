"""Keeps the `find` and `search` lookup rows in step with the users table.

Mapper events run inside the flush that writes the user, whichever code path writes
it (`/1/users`, `/api/auth/register`, `PUT /1/you`, the CLI), so the lookups can never
lag behind the profile they are derived from.
"""

import unicodedata

import phonenumbers
import sqlalchemy as sa

from ..accounts.models import User
from .models import UserIdentifier, UserSearch

EMAIL_FIELDS = ("home_email", "work_email")
PHONE_FIELDS = tuple(
    f"{side}_{name}" for side in ("home", "work") for name in ("mobile", "phone", "phone_2")
)
SEARCH_FIELDS = ("first_name", "last_name", "organization", "username")


def fold(text: str) -> str:
    """Lowercase without accents or compatibility forms: `Zoë Ångström` → `zoe angstrom`."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def phone_e164(raw: str | None) -> str | None:
    """The E.164 form of an international number (`+1 (212) 555-2355` → `+12125552355`).

    Numbers without a country code cannot be placed and yield None.
    """
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_text(user: User) -> str:
    full_name = fold(f"{user.first_name or ''} {user.last_name or ''}")
    return "\n".join((full_name, fold(user.organization or ""), fold(user.username or "")))


def identifiers(user: User) -> list[dict]:
    rows = []
    for field in EMAIL_FIELDS:
        value = getattr(user, field)
        if value and value.strip():
            rows.append({"field": field, "value": value.strip().lower()[:255]})
    for field in PHONE_FIELDS:
        value = phone_e164(getattr(user, field))
        if value:
            rows.append({"field": field, "value": value})
    return [{"user_id": user.id, **row} for row in rows]


def _changed(user: User, fields) -> bool:
    state = sa.inspect(user)
    return any(state.attrs[name].history.has_changes() for name in fields)


def write_lookups(connection, user: User, *, search=True, ids=True) -> None:
    if search:
        connection.execute(sa.delete(UserSearch).where(UserSearch.user_id == user.id))
        connection.execute(sa.insert(UserSearch).values(user_id=user.id, text=search_text(user)))
    if ids:
        connection.execute(sa.delete(UserIdentifier).where(UserIdentifier.user_id == user.id))
        rows = identifiers(user)
        if rows:
            connection.execute(sa.insert(UserIdentifier), rows)


@sa.event.listens_for(User, "after_insert")
def _user_inserted(mapper, connection, user):
    write_lookups(connection, user)


@sa.event.listens_for(User, "after_update")
def _user_updated(mapper, connection, user):
    write_lookups(
        connection,
        user,
        search=_changed(user, SEARCH_FIELDS),
        ids=_changed(user, EMAIL_FIELDS + PHONE_FIELDS),
    )
