"""`flask --app contacts_api seed`: realistic demo and benchmark data, inserted in bulk.

Every row is built as a plain dict and written in batches (COPY on PostgreSQL, an
executemany `insert()` elsewhere); no ORM object is created per row, so a million cards
load in minutes. The ORM's mapper events that keep `user_search` and `user_identifiers`
in step with users do not fire for bulk inserts, so those rows are derived here with
the same functions (`network.indexing`).

Every seeded user gets the same password and therefore one argon2 hash, computed once:
hashing each user's own password would take minutes for 10,000 users. The data depend
only on `--seed` (ids, names, graph), so two runs with one seed produce the same rows.
"""

import random
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import click
import orjson
import phonenumbers
import sqlalchemy as sa
from flask.cli import with_appcontext

from .accounts.models import User
from .accounts.passwords import hash_password
from .addressbook.labels import fold
from .addressbook.models import Contact, ContactLabel, month_day_key
from .database import autocommit_engine, db
from .http.caching import invalidate_network
from .network.indexing import identifiers, search_text
from .network.models import ContactLink, UserIdentifier, UserSearch

DEFAULT_PASSWORD = "seed-password"  # noqa: S105 (documented demo credential)
#: The instant seeded timestamps count back from, so that a seed gives the same rows.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
USER_BATCH = 250

FIRST_NAMES = (
    "Zoë", "José", "Chloé", "Noémie", "Jürgen", "Ana", "Søren", "Ångström", "Björn", "Maëlle",
    "Élodie", "François", "Jérôme", "Inès", "Łukasz", "Ørjan", "Renée", "Andrés", "Núria",
    "Çağla", "Mário", "Sérgio", "Hélène", "Dvořák", "Miloš", "Agnès", "Anaïs", "Leïla",
    "John", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Hugo",
    "Yuki", "Aiko", "Chen", "Priya", "Arjun", "Fatima", "Omar", "Ngozi", "Kwame", "Sofía",
)
LAST_NAMES = (
    "Müller", "García", "Martín", "Pérez", "Gómez", "Núñez", "Lefèvre", "Dubois", "Böhm",
    "Schäfer", "Jørgensen", "Åberg", "Nyström", "Kovačić", "Novák", "Dvořáková", "Wójcik",
    "Gonçalves", "Conceição", "Çelik", "Öztürk", "Smith", "Johnson", "Brown", "Taylor",
    "Wilson", "Martin", "Bernard", "Rossi", "Russo", "Ferrari", "Esposito", "Tanaka",
    "Suzuki", "Wang", "Li", "Zhang", "Patel", "Sharma", "Okafor", "Mensah", "O'Brien",
)
ORGANIZATIONS = (
    "Société Générale", "Müller & Söhne", "Acme Corp", "Initech", "Globex", "Umbrella",
    "Café de Flore", "Øresund Logistics", "Nordström Design", "Crème Brûlée Studio", None,
)
TITLES = ("Engineer", "Designer", "Directrice", "Gérant", "Analyst", "Founder", None)
LABELS = ["Family", "Work", "Gym", "School", "VIP"]
CITIES = (
    ("Paris", "Île-de-France", "FR"), ("München", "Bayern", "DE"), ("São Paulo", "SP", "BR"),
    ("Zürich", "ZH", "CH"), ("Kraków", "Małopolskie", "PL"), ("Málaga", "Andalucía", "ES"),
    ("New York", "NY", "US"), ("London", "England", "GB"), ("Tōkyō", "Tokyo", "JP"),
)
DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "test.example")
PHONE_REGIONS = ("US", "FR", "DE", "ES", "GB", "BR", "IT", "CH")
PHONE_POOL = 4000


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ł", "l"))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower() or "x"


def phone_pool(rng: random.Random, size: int = PHONE_POOL) -> list[str]:
    """E.164 numbers that `phonenumbers` accepts as valid, from several countries."""
    pool = []
    while len(pool) < size:
        region = rng.choice(PHONE_REGIONS)
        example = phonenumbers.example_number_for_type(
            region, rng.choice((phonenumbers.PhoneNumberType.MOBILE,
                                phonenumbers.PhoneNumberType.FIXED_LINE))
        )
        national = str(example.national_number)
        # Vary the last four digits; keep only numbers the metadata calls valid.
        candidate = national[:-4] + f"{rng.randrange(10_000):04d}"
        number = phonenumbers.parse(f"+{example.country_code}{candidate}", None)
        if phonenumbers.is_valid_number(number):
            pool.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return pool


def random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def random_birthday(rng: random.Random) -> date:
    """Any day of the year, 29 February included (about one card in 1,461)."""
    return date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))


class Seeder:
    def __init__(self, rng: random.Random, password_hash: str, prefix: str):
        self.rng = rng
        self.password_hash = password_hash
        self.prefix = prefix
        self.phones = phone_pool(rng)

    def user_row(self, index: int) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, region, country = rng.choice(CITIES)
        created = EPOCH - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        username = f"{self.prefix}{index:05d}"
        return {
            "id": random_uuid(rng), "username": username, "email": f"{username}@example.com",
            "password_hash": self.password_hash, "role": "user", "is_verified": True,
            "avatar": None, "token_generation": 0,
            "profile_updated_at": created, "created_at": created, "updated_at": created,
            "first_name": first, "last_name": last,
            "organization": rng.choice(ORGANIZATIONS), "title": rng.choice(TITLES),
            "home_locality": city, "home_region": region, "home_country": country,
            "work_locality": None, "work_region": None, "work_country": None,
            "home_email": f"{ascii_slug(first)}.{ascii_slug(last)}.{index}@{rng.choice(DOMAINS)}",
            "home_mobile": rng.choice(self.phones),
            "home_pin": None, "home_phone": None, "home_phone_2": None,
            "home_street": f"{rng.randrange(1, 200)} Rue de la Paix", "home_street_2": None,
            "home_postal_code": f"{rng.randrange(10000, 99999)}",
            "work_email": None, "work_mobile": None, "work_pin": None,
            "work_phone": rng.choice(self.phones) if rng.random() < 0.3 else None,
            "work_phone_2": None, "work_street": None, "work_street_2": None,
            "work_postal_code": None,
        }

    def card_rows(self, owner_id: uuid.UUID, count: int) -> list[dict]:
        rng = self.rng
        rows = []
        for number in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            birthday = random_birthday(rng) if rng.random() < 0.85 else None
            created = EPOCH - timedelta(seconds=rng.randrange(2 * 365 * 86400))
            extra = {"company": rng.choice(ORGANIZATIONS[:-1]), "position": rng.choice(TITLES[:-1])}
            card_labels = rng.sample(LABELS, 2) if rng.random() < 0.3 else []
            rows.append({
                "id": random_uuid(rng), "owner_id": owner_id,
                "first_name": first, "last_name": last,
                # The index keeps emails unique per owner; the number makes them so.
                "email": f"{ascii_slug(first)}.{ascii_slug(last)}{number}@{rng.choice(DOMAINS)}",
                "phone": rng.choice(self.phones) if rng.random() < 0.9 else None,
                "birthday": birthday,
                "birthday_key": month_day_key(birthday) if birthday else None,
                "additional_data": extra, "labels": card_labels,
                "created_at": created, "updated_at": created,
            })
        return rows

    def graph(self, user_ids: list[uuid.UUID], per_user: int) -> list[tuple[int, int]]:
        """Undirected edges, about `per_user` per user, mostly inside clusters of ~50.

        Friends of friends then share many contacts, which is what suggestions rank by.
        """
        rng = self.rng
        count = len(user_ids)
        if count < 2 or per_user <= 0:
            return []
        cluster = max(per_user * 2, 50)
        edges: set[tuple[int, int]] = set()
        wanted = count * per_user // 2
        attempts = 0
        while len(edges) < wanted and attempts < wanted * 4:
            attempts += 1
            a = rng.randrange(count)
            if rng.random() < 0.8:
                start = a - a % cluster
                b = start + rng.randrange(min(cluster, count - start))
            else:
                b = rng.randrange(count)
            if a != b:
                edges.add((min(a, b), max(a, b)))
        return sorted(edges)


def bulk_insert(table: sa.Table, rows: list[dict]) -> None:
    """COPY on PostgreSQL (several times faster than INSERT), executemany elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([
                orjson.dumps(row[c]).decode() if c in json_columns and row[c] is not None
                else row[c]
                for c in columns
            ])


@click.command("seed")
@click.option("--users", "user_count", type=click.IntRange(1), default=100, show_default=True)
@click.option("--cards-per-user", type=click.IntRange(0), default=100, show_default=True,
              help="Address-book cards (/api/contacts/) of each user.")
@click.option("--contacts-per-user", type=click.IntRange(0), default=20, show_default=True,
              help="Average /1/ contacts of each user (clustered friendships).")
@click.option("--seed", "seed", type=int, default=0, show_default=True,
              help="Same seed, same data.")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True,
              help="The one password of every seeded user.")
@click.option("--prefix", default="user", show_default=True,
              help="Usernames are <prefix>00000, <prefix>00001, ...")
@with_appcontext
def seed_command(user_count, cards_per_user, contacts_per_user, seed, password, prefix):
    """Fill the database with users, address-book cards and a contact graph."""
    if db.session.scalar(sa.select(sa.exists().where(User.username == f"{prefix}00000"))):
        raise click.ClickException(
            f"{prefix}00000 already exists; use another --prefix or an empty database"
        )
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    seeder = Seeder(rng, hash_password(password), prefix)
    user_ids: list[uuid.UUID] = []
    with click.progressbar(length=user_count, label="users and cards") as bar:
        for start in range(0, user_count, USER_BATCH):
            users = [seeder.user_row(i) for i in range(start, min(start + USER_BATCH, user_count))]
            bulk_insert(User.__table__, users)
            profiles = [SimpleNamespace(**row) for row in users]
            bulk_insert(UserSearch.__table__,
                        [{"user_id": p.id, "text": search_text(p)} for p in profiles])
            bulk_insert(UserIdentifier.__table__,
                        [row for p in profiles for row in identifiers(p)])
            cards = [card for row in users for card in seeder.card_rows(row["id"], cards_per_user)]
            bulk_insert(Contact.__table__, cards)
            bulk_insert(ContactLabel.__table__, [
                {"contact_id": card["id"], "owner_id": card["owner_id"], "folded": fold(label)}
                for card in cards for label in card["labels"]])
            db.session.commit()
            user_ids += [row["id"] for row in users]
            bar.update(len(users))

    edges = seeder.graph(user_ids, contacts_per_user)
    with click.progressbar(length=len(edges), label="contact links") as bar:
        for start in range(0, len(edges), 20_000):
            links = []
            for a, b in edges[start:start + 20_000]:
                added = EPOCH - timedelta(seconds=rng.randrange(365 * 86400))
                links.append({"user_id": user_ids[a], "contact_id": user_ids[b], "added_at": added})
                links.append({"user_id": user_ids[b], "contact_id": user_ids[a], "added_at": added})
            bulk_insert(ContactLink.__table__, links)
            db.session.commit()
            bar.update(len(links) // 2)
    # Bulk rows bypass the session events that end cached /1/ reads; end them here.
    invalidate_network()
    if db.engine.dialect.name == "postgresql":
        # VACUUM too: until the visibility map is set, as it is in a database that has
        # run a while, every index-only scan (contact_links) also reads the table.
        with autocommit_engine().connect() as connection:
            connection.execute(sa.text("VACUUM (ANALYZE)"))
    click.echo(f"{user_count} users, {user_count * cards_per_user} cards, "
               f"{len(edges) * 2} contact links; password of every user: {password!r}")
