"""Labels on cards (API.md §5): their rules, and the index rows that make filtering by one
an index lookup.

A card keeps its labels as written, in its own order (`Contact.labels`); `ContactLabel`
holds one row per label, case-folded, for `labels:eq:…` and the label listing. Every write
of a card's labels goes through `store_labels`, so the two never disagree.
"""

import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from ..database import db
from .models import Contact, ContactLabel

MAX_LENGTH = 50
MAX_PER_CARD = 20


class InvalidLabels(ValueError):
    """A label list that breaks the rules; the message says which."""


def fold(label: str) -> str:
    """The form labels are compared in: case-insensitive, as API.md §5 says."""
    return label.strip().casefold()


def normalize(values: Iterable[str]) -> list[str]:
    """Trimmed labels, the first spelling of each kept, in order; raises `InvalidLabels`."""
    labels, seen = [], set()
    for value in values:
        label = value.strip()
        if not 1 <= len(label) <= MAX_LENGTH:
            raise InvalidLabels(f"Each label must be 1 to {MAX_LENGTH} characters.")
        if fold(label) not in seen:
            seen.add(fold(label))
            labels.append(label)
    if len(labels) > MAX_PER_CARD:
        raise InvalidLabels(f"At most {MAX_PER_CARD} labels per contact.")
    return labels


def store_labels(cards: Iterable[Contact]) -> None:
    """Make the index rows of `cards` (flushed, so their ids are known) match their labels."""
    cards = list(cards)
    if not cards:
        return
    db.session.execute(
        sa.delete(ContactLabel).where(ContactLabel.contact_id.in_([card.id for card in cards]))
    )
    rows = [{"contact_id": card.id, "owner_id": card.owner_id, "folded": fold(label)}
            for card in cards for label in card.labels or ()]
    if rows:
        db.session.execute(sa.insert(ContactLabel), rows)


def has_label(owner_id: uuid.UUID | sa.BindParameter, folded: Iterable[str]) -> sa.Exists:
    """A correlated EXISTS: the card carries one of the `folded` labels (an index lookup)."""
    return sa.exists().where(
        ContactLabel.owner_id == owner_id,
        ContactLabel.folded.in_(list(folded)),
        ContactLabel.contact_id == Contact.id,
    )
