"""Duplicate cards and merging them (API.md §5 "Merge").

Cards are duplicates when they share a phone number (E.164 where it parses, else its
digits), a full name compared without case or accents, or an email address (any case)
across `email` and `additional_data.emails`. Each reason and key gives one group, its
cards oldest first; a group with the same cards and reason as an earlier one is left out.
"""

import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable

import orjson
import phonenumbers
import sqlalchemy as sa

from ..database import db
from ..http import NotFound, Page, PageRequest
from ..http.caching import invalidate_user
from ..http.errors import ValidationFailed
from . import labels, service
from .models import MAX_ADDITIONAL_DATA_BYTES, Contact, birthday_of

REASONS = ("email", "phone", "name")
#: The fields of the merged card that its others fill when it has none.
FILLED = ("first_name", "last_name", "email", "phone")


def fold_name(first_name: str, last_name: str) -> str:
    """A full name without case, accents or extra spaces: "Zoë  Ångström" → "zoe angstrom"."""
    text = unicodedata.normalize("NFKD", f"{first_name} {last_name}")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


def phone_key(value: str) -> str:
    """The number in E.164 when it parses, else its digits as written ("" for none)."""
    try:
        number = phonenumbers.parse(value, None)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return "".join(char for char in value if char.isdigit())


def _strings(value) -> list[str]:
    """The non-empty strings of a list in `additional_data` (or the string itself)."""
    items = value if isinstance(value, list) else [value]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def _extra(card, key: str) -> list[str]:
    data = card.additional_data
    return _strings(data.get(key)) if isinstance(data, dict) else []


def _keys(card) -> dict[str, set[str]]:
    emails = _strings(card.email) + _extra(card, "emails")
    phones = _strings(card.phone) + _extra(card, "phones")
    name = fold_name(card.first_name, card.last_name)
    return {
        "email": {email.casefold() for email in emails},
        "phone": {key for key in map(phone_key, phones) if key},
        "name": {name} if name else set(),
    }


def find_duplicates(owner_id: uuid.UUID, page: PageRequest) -> Page:
    """Groups of the owner's cards that look like one person, by reason then key."""
    cards = db.session.execute(
        sa.select(Contact.__table__).where(Contact.owner_id == owner_id)
        .order_by(Contact.created_at, Contact.id)
    ).all()
    sharing: dict[tuple[str, str], list] = defaultdict(list)
    for card in cards:
        for reason, keys in _keys(card).items():
            for key in keys:
                sharing[reason, key].append(card)
    groups = {}
    for (reason, _key), group in sorted(sharing.items(),
                                        key=lambda item: (REASONS.index(item[0][0]), item[0])):
        if len(group) > 1:
            groups.setdefault((reason, tuple(card.id for card in group)),
                              {"reason": reason, "contacts": group})
    listed = list(groups.values())
    return Page(listed[page.skip:page.skip + page.limit], len(listed))


def merge(owner_id: uuid.UUID, ids: list[uuid.UUID], into: uuid.UUID | None) -> Contact:
    """Merge the owner's cards `ids` into `into` (default the oldest); the others are deleted.

    The schema has checked that there are two distinct ids and that `into` is one of them.
    """
    ids = list(dict.fromkeys(ids))
    cards = db.session.scalars(
        sa.select(Contact).where(Contact.owner_id == owner_id, Contact.id.in_(ids))
        .order_by(Contact.id).with_for_update()
    ).all()
    if len(cards) < len(ids):
        raise NotFound("Contact not found")
    cards = sorted(cards, key=lambda card: (card.created_at, card.id))
    target = next(card for card in cards if card.id == (into or cards[0].id))
    others = [card for card in cards if card is not target]
    values = merged_values(target, others)

    def write_target():
        for name, value in values.items():
            setattr(target, name, value)
        db.session.flush()
        labels.store_labels([target])

    with service.unique_addresses():
        target.updated_at = service.delete_cards(others, before_stamp=write_target)
        db.session.commit()
    invalidate_user(owner_id)
    return target


def merged_values(target: Contact, others: list[Contact]) -> dict:
    """The merged card's new field values; raises `ValidationFailed` if they break a rule."""
    values = {}
    for name in FILLED:
        found = next((getattr(card, name) for card in others if getattr(card, name)), None)
        if not getattr(target, name) and found:
            values[name] = found
    if birthday_of(target) is None:
        birthday = next((birthday_of(card) for card in others if birthday_of(card)), None)
        if birthday is not None:
            values["birthday"] = birthday
    email = values.get("email", target.email)
    phone = values.get("phone", target.phone)
    data = {}
    for card in reversed(others):  # the oldest other wins among them, the target over all
        data.update(card.additional_data or {})
    data.update(target.additional_data or {})
    cards = [target, *others]
    emails = _joined((email for card in cards
                      for email in _strings(card.email) + _extra(card, "emails")),
                     str.casefold, email)
    phones = _joined((phone for card in cards
                      for phone in _strings(card.phone) + _extra(card, "phones")),
                     phone_key, phone)
    for key, found in (("emails", emails), ("phones", phones)):
        if found or key in data:
            data[key] = found
    if data or target.additional_data is not None:
        values["additional_data"] = data
    errors = {}
    if len(orjson.dumps(data)) > MAX_ADDITIONAL_DATA_BYTES:
        errors["additional_data"] = [
            f"The merged data would exceed {MAX_ADDITIONAL_DATA_BYTES} bytes as JSON."]
    try:
        values["labels"] = labels.normalize(label for card in cards for label in card.labels)
    except labels.InvalidLabels as exc:
        errors["labels"] = [f"The merged labels break a rule: {exc}"]
    if errors:
        raise ValidationFailed(errors)
    return values


def _joined(values: Iterable[str], key, kept: str | None) -> list[str]:
    """`values` in order without repeats (by `key`), leaving out the card's own `kept`."""
    seen = {key(kept)} if kept else set()
    joined = []
    for value in values:
        if key(value) not in seen:
            seen.add(key(value))
            joined.append(value)
    return joined
