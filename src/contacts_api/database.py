"""The SQLAlchemy base: UUID keys, timezone-aware timestamps, and the paging query."""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from .http.pagination import Page, PageRequest


def utcnow() -> datetime:
    return datetime.now(UTC)


_ZERO = timedelta(0)


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores `timestamptz`, and its driver returns values in the session's time
    zone, which is UTC (`_configure_connection`): they are used as returned, since
    relabelling the 200 of a page of cards cost a tenth of an uncached list (measured).
    SQLite keeps no zone, so values are normalised to UTC on the way in and marked UTC on
    the way out. Naive datetimes are refused: they are always a bug.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        if dialect.name == "postgresql":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() == _ZERO:
            # The common case (a server in UTC): relabel instead of converting, which costs
            # several microseconds per value and shows up in lists of rows.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(type_annotation_map={datetime: UTCDateTime, uuid.UUID: sa.Uuid})


class UUIDPrimaryKey:
    """A random UUID4 primary key; sequential ids are never exposed."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def _created_at(context) -> datetime:
    """A new row's `updated_at` is its `created_at`: one instant, not two clock reads."""
    return context.get_current_parameters().get("created_at") or utcnow()


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=_created_at, onupdate=utcnow)


# Objects keep their values after a commit: a request that writes then renders what it
# wrote would otherwise read every committed row back (and open a new transaction to do it).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


@sa.event.listens_for(sa.Engine, "connect")
def _configure_connection(dbapi_connection, _record) -> None:
    """Per-connection settings: SQLite ignores foreign keys (and so `ON DELETE CASCADE`)
    unless told; PostgreSQL sessions run in UTC, so that timestamps are read as UTC
    (`UTCDateTime`) whatever the server's default zone.

    Drivers are recognised by their class's module rather than `isinstance`, which would
    import sqlite3 into every worker on PostgreSQL too (1 MiB each, measured).
    """
    driver = type(dbapi_connection).__module__
    if driver == "sqlite3":
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
    elif driver.startswith("psycopg"):
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


def paged(statement: sa.Select) -> sa.Select:
    """`statement` as a page for `paginate`: with the number of rows matching in all (a
    window count over the same rows) and the page's bounds as parameters.

    Build it once where the statement's shape is fixed, with what varies per request as
    parameters: building a list's statement and SQLAlchemy's cache key for it again on
    every request cost 0.3 ms of CPU, a sixth of an uncached list (measured).
    """
    return (statement.add_columns(sa.func.count().over().label("_total"))
            .offset(sa.bindparam("_skip", type_=sa.BigInteger))
            .limit(sa.bindparam("_limit", type_=sa.BigInteger)))


def paginate(statement: sa.Select, page: PageRequest, parameters: dict | None = None) -> Page:
    """One page of a `paged` statement's rows, with the number of rows matching in all.

    Lists are the hot path of reads, so a page is one statement on an autocommit
    connection: one round trip, no transaction around it, and plain rows rather than ORM
    objects; only a page past the end counts separately. It reads committed data only:
    call it in read-only requests.
    """
    parameters = parameters or {}
    with autocommit_engine().connect() as connection:
        rows = connection.execute(
            statement, {**parameters, "_skip": page.skip, "_limit": page.limit}).all()
        if rows:
            total = rows[0]._total
        elif page.skip:  # past the end: the count needs a query of its own
            every_row = statement.order_by(None).offset(None).limit(None)
            total = connection.scalar(
                sa.select(sa.func.count()).select_from(every_row.subquery()), parameters)
        else:
            total = 0
    return Page(items=rows, total=total)


#: The bind key of the engine `autocommit_engine` returns.
AUTOCOMMIT = "autocommit"


def autocommit_bind(config: dict) -> dict:
    """The `SQLALCHEMY_BINDS` entry of the autocommit engine: the app's database again, with
    the default engine's options (Flask-SQLAlchemy applies them to that engine only)."""
    return {AUTOCOMMIT: {**config["SQLALCHEMY_ENGINE_OPTIONS"],
                         "url": config["SQLALCHEMY_DATABASE_URI"], "isolation_level": "AUTOCOMMIT"}}


def autocommit_engine() -> sa.Engine:
    """An engine whose connections never open a transaction: a one-statement read made
    through it costs one round trip, with no BEGIN and ROLLBACK around it.

    It has a pool of its own, set to autocommit once per connection: switching a
    connection of the session's pool in and out of autocommit cost 40 µs of CPU per
    checkout (measured), on every authenticated request. Flask-SQLAlchemy builds and
    disposes it with the app's other engines (`autocommit_bind`).
    """
    return db.engines[AUTOCOMMIT]


Row = TypeVar("Row", bound=tuple)


@dataclass(frozen=True)
class _DriverStatement:
    sql: str
    names: tuple[str, ...] | None  # bind names in order, for positional paramstyles
    binds: dict[str, Callable | None]
    results: tuple[Callable | None, ...]


@functools.cache
def _driver_statement(statement: sa.Select, dialect: sa.Dialect, row: type) -> _DriverStatement:
    columns = tuple(column.key for column in statement.selected_columns)
    if columns != row._fields:
        raise TypeError(f"{row.__name__} has fields {row._fields}, the statement {columns}")
    compiled = statement.compile(dialect=dialect)
    return _DriverStatement(
        sql=compiled.string,
        names=tuple(compiled.positiontup) if compiled.positional else None,
        binds={name: bind.type.dialect_impl(dialect).bind_processor(dialect)
               for name, bind in compiled.binds.items()},
        results=tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                      for column in statement.selected_columns),
    )


def first_row(statement: sa.Select, parameters: dict, row: type[Row]) -> Row | None:
    """The first row of `statement` as a `row` (a NamedTuple of its columns), read on the
    driver.

    For the statement every authenticated request runs. SQLAlchemy compiles it once per
    dialect and lends its type conversions; what is skipped is its execution machinery
    per call (Connection, execution context, result metadata), which cost 0.24 ms of CPU
    per call, a fifth of a cached response (measured). Use it for a fixed, hot statement
    only: everything else goes through the session or `autocommit_engine().connect()`.
    """
    engine = autocommit_engine()
    prepared = _driver_statement(statement, engine.dialect, row)
    bound = {name: process(parameters[name]) if process else parameters[name]
             for name, process in prepared.binds.items()}
    dbapi_error = engine.dialect.loaded_dbapi.Error
    connection = None
    try:
        connection = engine.raw_connection()
        cursor = connection.cursor()
        cursor.execute(prepared.sql,
                       [bound[name] for name in prepared.names] if prepared.names else bound)
        values = cursor.fetchone()
        cursor.close()
    except dbapi_error as error:
        # What SQLAlchemy's execution does for its own statements: a lost connection leaves
        # the pool, and the error is SQLAlchemy's (the app answers 503 for those).
        lost = connection is not None and engine.dialect.is_disconnect(
            error, connection.dbapi_connection, None)
        if lost:
            connection.invalidate(error)
        raise sa.exc.DBAPIError.instance(prepared.sql, bound, error, dbapi_error,
                                         connection_invalidated=lost) from error
    finally:
        if connection is not None:
            connection.close()
    if values is None:
        return None
    return row._make(process(value) if process else value
                     for process, value in zip(prepared.results, values, strict=True))
