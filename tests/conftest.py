"""Fixtures: a migrated database, a fresh app per test, users and their credentials.

The suite runs on SQLite and in-process stores by default. With TEST_DATABASE_URL
(PostgreSQL) and TEST_REDIS_URL set, the very same tests run against those servers.
"""

import base64
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

import pytest
import redis
import sqlalchemy as sa
from flask_migrate import upgrade

# Secrets and the instance folder must exist before the app reads the environment.
_INSTANCE = tempfile.mkdtemp(prefix="contacts-api-tests-")
os.environ["INSTANCE_PATH"] = _INSTANCE
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-hmac")
os.environ.setdefault("JWT_SECRET_KEY", "test-jwt-secret-key-that-is-long-enough-for-hs256")

from contacts_api import create_app  # noqa: E402
from contacts_api.accounts import tokens  # noqa: E402
from contacts_api.accounts.models import Role, User  # noqa: E402
from contacts_api.accounts.passwords import hash_password  # noqa: E402
from contacts_api.config import database_url  # noqa: E402
from contacts_api.database import db  # noqa: E402
from contacts_api.mailer import wait_for_deliveries  # noqa: E402

PASSWORD = "correct horse battery"

DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_INSTANCE}/test.db"
REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
#: For tests of what only a real Redis does (several workers sharing it, its keys).
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")


def base_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(DATABASE_URL, _INSTANCE),
        "REDIS_URL": REDIS_URL,
        # The cheapest argon2 parameters: tests check behaviour, not hashing cost.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 64,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "AVATAR_DIR": str(tmp_path / "avatars"),
    }


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**settings): app settings for this test")


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """Build the schema once per run by running the migrations on an empty database."""
    app = create_app(base_config(tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        for engine in db.engines.values():
            engine.dispose()
    return tables


def _empty_tables(tables):
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    else:
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def app(migrated, tmp_path, request):
    """A fresh app per test on the migrated database, emptied afterwards.

    `@pytest.mark.config(KEY=value)` overrides settings for one test.
    """
    config = base_config(tmp_path)
    for marker in request.node.iter_markers("config"):
        config.update(marker.kwargs)
    app = create_app(config)
    yield app
    wait_for_deliveries()  # so that no test's mail is delivered, or logged, during the next
    with app.app_context():
        _empty_tables(migrated)
        for engine in db.engines.values():
            engine.dispose()
    if REDIS_URL:
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create an account directly in the database; verified unless told otherwise."""

    def make(username="alice", email=None, password=PASSWORD, verified=True, role=Role.USER,
             **fields):
        with app.app_context():
            user = User(
                username=username,
                email=email or f"{username}@example.com",
                password_hash=hash_password(password),
                is_verified=verified,
                role=role,
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def bearer(app):
    """`bearer(user)` → headers with a real access token for that user."""

    def headers(account, refresh=False):
        with app.app_context():
            pair = tokens.issue_pair(account)
        token = pair.refresh_token if refresh else pair.access_token
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def auth_headers(user, bearer):
    return bearer(user)


def basic(login, password=PASSWORD):
    raw = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on a fixed port, which a test may stop and start again."""

    def __init__(self, executable: str):
        self.executable = executable
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed, trusted command line
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    """A `RedisServer` of our own, started; the test may `stop()` and `start()` it."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(executable)
    server.start()
    yield server
    server.stop()


class Server(NamedTuple):
    url: str
    log: Path  # stdout and stderr, access log included


ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@contextlib.contextmanager
def gunicorn(arguments: list[str], env: dict, log: Path, port: int):
    """gunicorn run from the project folder with `arguments`, once it accepts connections
    on `port`; yields its process (the master), stops it after and checks its log (stdout
    and stderr, access log included) for tracebacks."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed, trusted command line
            [GUNICORN, *arguments], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited: {log.read_text()}") from None
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text()
    assert "Traceback" not in text, text


@pytest.fixture(scope="session")
def server(migrated, tmp_path_factory):
    """gunicorn serving `wsgi:app` on a free port with several workers, on the test
    database and Redis; yields a `Server`. Its log is checked for tracebacks at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL or "",
        "APP_ENV": "development",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "64",
        "MAIL_OUTBOX_DIR": str(log.parent / "outbox"),
        "AVATAR_DIR": str(tmp_path_factory.mktemp("server-avatars")),
        "RATELIMIT_UNAUTHENTICATED": "1000000 per minute",
        "RATELIMIT_ME": "1000000 per minute",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",  # the access log is read while the server runs
    }
    arguments = ["--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                 "--workers", "4", "--threads", "4", "wsgi:app"]
    with gunicorn(arguments, env, log, port):
        yield Server(f"http://127.0.0.1:{port}", log)


def follow_while_writing(follow_once, *writers) -> None:
    """Call `follow_once()` over and over in a thread while each writer runs in its own, and
    once more after every writer has finished, so that the last call sees every write.

    For the sync tests: following the tokens must miss no change committed meanwhile.
    `follow_once` returns False to stop early (it recorded a failure).
    """
    writing = threading.Event()
    writing.set()

    def follow():
        while True:
            last_round = not writing.is_set()
            if follow_once() is False or last_round:
                return

    follower = threading.Thread(target=follow)
    threads = [threading.Thread(target=writer) for writer in writers]
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    follower.join()
