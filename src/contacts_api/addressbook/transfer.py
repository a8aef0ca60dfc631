"""Import and export of a whole address book (API.md §5): vCard and CSV files in, the
book (or the cards matching a query) streamed out.

An import is one transaction: the cards it creates and updates are written with bulk
Core statements, stamped with one change-clock tick (so `/1/sync` sees them), their label
rows written once, and the owner's cached reads invalidated once.
"""

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date

import sqlalchemy as sa

from .. import changeclock
from ..database import db, utcnow
from ..http.caching import invalidate_user
from ..http.errors import ApiError
from . import csvformat, service, vcard
from .labels import store_labels
from .matching import Book
from .models import Contact, month_day_key

MAX_CARDS = 10_000
#: Longer physical lines are refused: no vCard or CSV line a real export writes comes near.
MAX_LINE = 512 * 1024
EXPORT_BATCH = 200
_CARDS = Contact.__table__
_BEGIN = re.compile(r"^BEGIN:VCARD", re.I | re.M)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def invalid(detail: str) -> ApiError:
    return ApiError(422, "validation_error", detail)


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, or UTF-16 with its BOM; anything else is a 422."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise invalid(f"The file is not valid UTF-8 (or UTF-16 with a byte order mark): "
                      f"undecodable byte at offset {exc.start}") from exc
    if "\x00" in text:
        raise invalid("The file holds NUL characters; send UTF-8, or UTF-16 with a byte "
                      "order mark")
    return text


def read_cards(data: bytes, region: str | None) -> Iterator:
    """The cards of a vCard or CSV file, each a `ParsedCard` or a `CardFailure`."""
    text = decode(data)
    if not text.strip():
        raise invalid("The file is empty")
    longest = max(map(len, text.splitlines()))
    if longest > MAX_LINE:
        raise invalid(f"The file has a line of {longest} characters; at most {MAX_LINE} "
                      "are accepted")
    if text.lstrip()[:11].upper() == "BEGIN:VCARD":
        if len(_BEGIN.findall(text)) > MAX_CARDS:
            raise invalid(f"The file holds more than {MAX_CARDS} cards")
        cards = list(vcard.parse_cards(text, region))
        if not cards:  # `BEGIN:VCARDX`: it looked like vCard, but holds no card
            raise invalid("The file holds no vCard (no BEGIN:VCARD line)")
        return cards
    csv.field_size_limit(MAX_LINE)
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        cards = list(csvformat.parse_rows(rows, region))
    except csvformat.UnknownHeader as exc:
        raise invalid(f"The file is neither vCard nor a CSV this API reads: {exc}") from exc
    except csv.Error as exc:
        raise invalid(f"The CSV file cannot be read: {exc}") from exc
    if not cards:
        raise invalid("The CSV file has a header but no rows")
    if len(cards) > MAX_CARDS:
        raise invalid(f"The file holds more than {MAX_CARDS} cards")
    return cards


def import_cards(owner_id: uuid.UUID, data: bytes, *, dry_run: bool = False,
                 on_conflict: str = "skip", region: str | None = None,
                 progress: Callable[[int], None] | None = None) -> dict:
    """Add the file's cards to the book, or update the ones they match; one transaction.

    `progress(n)` (the CLI's progress bar) is told as each card is placed.
    """
    cards = read_cards(data, region)
    book = Book.load(owner_id, [card for card in cards if isinstance(card, vcard.ParsedCard)])
    results = []
    for index, card in enumerate(cards):
        if isinstance(card, vcard.CardFailure):
            results.append({"index": index, "status": "failed", "id": None,
                            "error": card.error, "detail": card.detail})
            continue
        status, card_id = book.place(card, update=on_conflict == "update")
        # A dry run creates nothing, so a card that this file created (and a later card of
        # the file then skipped or updated) has no id to give.
        result = {"index": index, "status": status,
                  "id": None if dry_run and book.creates(card_id) else card_id}
        if card.warnings:
            result["warnings"] = card.warnings
        results.append(result)
        if progress is not None:
            progress(1)
    if dry_run:
        db.session.rollback()
    else:
        _write(owner_id, book)
    counts = {status: sum(r["status"] == status for r in results)
              for status in ("created", "updated", "skipped", "failed")}
    return {"dry_run": dry_run, **counts, "results": results}


def _write(owner_id: uuid.UUID, book: Book) -> None:
    """Rows first, then the clock (its lock comes last, see `changeclock`), then labels."""
    created, updated = book.created(), book.updated()
    if not created and not updated:
        db.session.rollback()
        return
    now = utcnow()
    with service.unique_addresses():
        if updated:
            db.session.execute(
                sa.update(_CARDS).where(_CARDS.c.id == sa.bindparam("card_id"))
                .values({name: sa.bindparam(name) for name in _columns(updated[0])}),
                [{"card_id": values["id"], **_columns(values)} for values in updated])
        if created:
            db.session.execute(sa.insert(_CARDS), [
                {"id": values["id"], "owner_id": owner_id, "created_at": now,
                 "updated_at": now, **_columns(values)} for values in created])
        stamp = changeclock.tick()
        for rows, names in ((created, ("created_at", "updated_at")), (updated, ("updated_at",))):
            ids = [values["id"] for values in rows]
            for start in range(0, len(ids), 1000):
                db.session.execute(sa.update(_CARDS).where(_CARDS.c.id.in_(ids[start:start + 1000]))
                                   .values({name: stamp for name in names}))
        store_labels(book.labelled())
        db.session.commit()
    invalidate_user(owner_id)


def _columns(values: dict) -> dict:
    birthday = values["birthday"]
    return {
        "first_name": values["first_name"], "last_name": values["last_name"],
        "email": values["email"], "phone": values["phone"],
        "birthday": birthday if isinstance(birthday, date) else None,
        "birthday_key": month_day_key(birthday) if birthday is not None else None,
        "additional_data": values["additional_data"], "labels": values["labels"],
        "uid": values["uid"], "vcard": values["vcard"],
    }


def export_cards(owner_id: uuid.UUID, fmt: str = "vcard", version: str = "4.0",
                 query: str | None = None) -> Iterator[str]:
    """The owner's cards (matching `query`) as vCard or CSV text, in batches."""
    return (text for _count, text in export_batches(owner_id, fmt, version, query))


def export_batches(owner_id: uuid.UUID, fmt: str = "vcard", version: str = "4.0",
                   query: str | None = None) -> Iterator[tuple[int, str]]:
    """(cards, text) per batch. The statement is built (and `query` checked) at once; rows
    are then read from a server-side cursor, so memory does not grow with the book."""
    statement = service.list_statement(owner_id, query)

    def batches() -> Iterator[tuple[int, str]]:
        if fmt == "csv":
            yield 0, csvformat.header()
        rows = db.session.execute(statement.execution_options(yield_per=EXPORT_BATCH))
        for partition in rows.partitions():
            if fmt == "csv":
                yield len(partition), "".join(csvformat.row(row) for row in partition)
            else:
                yield len(partition), "".join(vcard.render_card(row, version)
                                              for row in partition)

    return batches()


def count_cards(owner_id: uuid.UUID, query: str | None = None) -> int:
    statement = service.list_statement(owner_id, query).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
