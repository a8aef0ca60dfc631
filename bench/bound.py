"""The bounds: the least code that does a scenario's round trips, served like the app.

The floor measures what gunicorn and Flask cost; it touches neither PostgreSQL nor Redis.
Every scenario of the app does: it checks the caller's account (and the token's
revocation) in the database, and reads or writes the cache. These routes do the same
round trips and nothing else: one prepared psycopg statement per query on a connection
per thread, redis-py, orjson, no validation, no ORM, no framework layers besides Flask's
own. An implementation of the scenario cannot be faster than its bound on this machine,
so a target above the bound's ratio cannot be met by any code that keeps those round trips.

- `/bound/cached`: the account row, then a stored 100-card list body from Redis, as is;
- `/bound/cached-redis-only`: the same body, with the token's two revocation keys read in
  the same Redis MGET and no database query: the most a cached read could reach if
  revocations (and every other account check) lived in Redis alone;
- `/bound/list`: the account row, then the reader's first 100 cards with their total,
  rendered to JSON in Python;
- `/bound/create`: the account row, then in one transaction the card's INSERT, the change
  clock's UPDATE and the card's timestamps, then a cache generation SET.
"""

import os
import threading
import uuid
from datetime import UTC, datetime

import orjson
import psycopg
import redis
from flask import Flask, Response, request

app = Flask(__name__)

ACCOUNT = """
SELECT id, username, email, password_hash, is_verified, token_generation,
       EXISTS (SELECT * FROM revoked_tokens
               WHERE key IN (%(token_key)s, %(family_key)s) AND expires_at > %(now)s) AS revoked
FROM users WHERE id = %(user_id)s
"""
CARDS = """
SELECT id, first_name, last_name, email, phone, birthday, additional_data, created_at,
       updated_at, count(*) OVER () AS total
FROM contacts WHERE owner_id = %s ORDER BY last_name, first_name, id LIMIT 100
"""
INSERT = """
INSERT INTO contacts (id, owner_id, first_name, last_name, email, phone, birthday, birthday_key,
                      additional_data, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""
TICK = """
UPDATE change_clock SET microseconds = CASE WHEN microseconds < %(now)s THEN %(now)s
                                            ELSE microseconds + 1 END
WHERE id = 1 RETURNING microseconds
"""
STAMP = "UPDATE contacts SET created_at = %s, updated_at = %s WHERE id = %s"

_local = threading.local()
cache = redis.Redis.from_url(os.environ["REDIS_URL"])


def connection() -> psycopg.Connection:
    if not hasattr(_local, "connection"):
        _local.connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _local.connection


def check_account(owner: uuid.UUID) -> None:
    connection().execute(ACCOUNT, {"user_id": owner, "token_key": "k", "family_key": "f",
                                   "now": datetime.now(UTC)}).fetchone()


def timestamp(moment: datetime) -> str:
    milliseconds = moment.microsecond // 1000
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds:03d}Z"


def render(row) -> dict:
    return {"id": row[0].hex, "first_name": row[1], "last_name": row[2], "email": row[3],
            "phone": row[4], "birthday": row[5].isoformat() if row[5] else None,
            "additional_data": row[6], "created_at": timestamp(row[7]),
            "updated_at": timestamp(row[8])}


def page(db: psycopg.Connection, owner: uuid.UUID) -> tuple[bytes, int]:
    rows = db.execute(CARDS, (owner,)).fetchall()
    return orjson.dumps([render(row) for row in rows]), rows[0][-1] if rows else 0


# At import, in gunicorn's master: the users' ids and the stored list body. The master's
# connection is closed before it forks; each worker thread opens its own.
with psycopg.connect(os.environ["DATABASE_URL"]) as setup:
    READER, WRITER = (
        setup.execute("SELECT id FROM users WHERE username = %s", (name,)).fetchone()[0]
        for name in (os.environ["BOUND_READER"], os.environ["BOUND_WRITER"])
    )
    cache.set("bound:list", page(setup, READER)[0])


@app.get("/bound/cached")
def cached():
    check_account(READER)
    return Response(cache.get("bound:list"), content_type="application/json")


@app.get("/bound/cached-redis-only")
def cached_redis_only():
    body, *_revoked = cache.mget("bound:list", "bound:revoked:k", "bound:revoked:f")
    return Response(body, content_type="application/json")


@app.get("/bound/list")
def listed():
    check_account(READER)
    body, total = page(connection(), READER)
    return Response(body, content_type="application/json", headers={"X-Total-Count": total})


@app.post("/bound/create")
def create():
    check_account(WRITER)
    card = orjson.loads(request.get_data())
    card_id, now = uuid.uuid4(), datetime.now(UTC)
    db = connection()
    with db.transaction():
        db.execute(INSERT, (card_id, WRITER, card["first_name"], card["last_name"], card["email"],
                            card.get("phone"), card.get("birthday"), None,
                            orjson.dumps(card.get("additional_data")).decode(), now, now))
        microseconds = db.execute(TICK, {"now": int(now.timestamp() * 1e6)}).fetchone()
        stamped = datetime.fromtimestamp(microseconds[0] / 1e6, UTC) if microseconds else now
        db.execute(STAMP, (stamped, stamped, card_id))
    cache.set(f"bound:generation:{WRITER.hex}", uuid.uuid4().hex)
    card.update(id=card_id.hex, created_at=timestamp(stamped), updated_at=timestamp(stamped))
    return Response(orjson.dumps(card), status=201, content_type="application/json")
