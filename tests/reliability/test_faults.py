"""Real servers going away mid-run: a private Redis stopped and restarted, and PostgreSQL
cut off behind a TCP proxy of our own (the shared server itself is never touched)."""

import contextlib
import logging
import select
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy.engine import make_url

from conftest import DATABASE_URL, PASSWORD, base_config, basic, free_port
from contacts_api import create_app


def birthday_soon():
    day = datetime.now(UTC).date() + timedelta(days=2)
    return day.replace(year=day.year - 30).isoformat()


def tour(client, alice, bob, headers, tag):
    """Every kind of endpoint once, as a user would; each answer must be the right one."""
    card = {"first_name": "Card", "last_name": tag, "email": f"{tag}@example.com",
            "birthday": birthday_soon()}
    seen = []

    def call(method, path, status, **kwargs):
        response = getattr(client, method)(path, **kwargs)
        seen.append((method.upper(), path.split("?")[0], response.status_code))
        assert response.status_code == status, (method, path, response.get_data())
        return response

    ip = {"REMOTE_ADDR": f"10.9.0.{sum(tag.encode())}"}
    call("get", "/api/users/me", 200, headers=headers)
    created = call("post", "/api/contacts/", 201, json=card, headers=headers).get_json()
    path = f"/api/contacts/{created['id']}"
    assert call("get", "/api/contacts/", 200, headers=headers).get_json()[-1] == created
    call("get", "/api/contacts/", 200, headers=headers)
    assert call("get", path, 200, headers=headers).get_json() == created
    call("patch", path, 200, json={"first_name": "Renamed"}, headers=headers)
    assert call("get", path, 200, headers=headers).get_json()["first_name"] == "Renamed"
    upcoming = call("get", "/api/contacts/get-upcoming-birthday", 200, headers=headers)
    assert tag in [c["last_name"] for c in upcoming.get_json()]
    call("delete", path, 200, headers=headers)
    call("get", path, 404, headers=headers)
    call("get", "/1/you", 200, headers=basic("alice"))
    call("get", "/1/you", 200, headers=basic("alice"))  # the Basic cache's second look
    call("post", "/1/requests", 200, data={"id": bob.id.hex}, headers=headers)
    sent = call("get", "/1/requests/sent", 200, headers=basic("alice")).get_json()
    assert [u["id"] for u in sent] == [bob.id.hex]
    call("delete", f"/1/requests/sent/{bob.id.hex}", 200, headers=headers)
    call("get", "/1/contacts", 200, headers=basic("alice"))
    call("get", "/1/search?q=bui", 200, headers=headers)
    pair = call("post", "/api/auth/login", 200, data={"username": "alice", "password": PASSWORD},
                environ_base=ip).get_json()
    renewed = call("post", "/api/auth/refresh-token", 200,
                   json={"refresh_token": pair["refresh_token"]}, environ_base=ip).get_json()
    own = {"Authorization": f"Bearer {renewed['access_token']}"}
    call("post", "/api/auth/logout", 200, headers=own)
    call("get", "/api/users/me", 401, headers=own, environ_base=ip)
    assert all(status < 500 for *_, status in seen)


@pytest.fixture
def people(make_user):
    alice = make_user("alice", first_name="Alice", last_name="Liddell")
    bob = make_user("bob", first_name="Bob", last_name="Builder")
    return alice, bob


def health(client):
    """The health check, as a load balancer calls it (from its own address)."""
    return client.get("/api/healthchecker", environ_base={"REMOTE_ADDR": "10.9.8.8"})


def limiter_uses(store: redis.Redis) -> bool:
    return any(key.startswith(b"LIMITS") for key in store.keys("*"))


@pytest.mark.config(RATELIMIT_ME="1000 per minute")
def test_redis_stopped_mid_run_and_back(app, tmp_path, people, bearer, private_redis, caplog):
    alice, bob = people
    redis_app = create_app({**base_config(tmp_path), "REDIS_URL": private_redis.url,
                            "RATELIMIT_ME": "1000 per minute",
                            "RATELIMIT_UNAUTHENTICATED": "3 per minute"})
    client = redis_app.test_client()
    headers = bearer(alice)
    store = redis.Redis.from_url(private_redis.url)

    tour(client, alice, bob, headers, "up")
    assert health(client).get_json()["cache"] == "ok"
    assert limiter_uses(store)

    private_redis.stop()
    with caplog.at_level(logging.WARNING):
        tour(client, alice, bob, headers, "down")
        response = health(client)
        assert (response.status_code, response.get_json()) == (
            200, {"message": "ok", "database": "ok", "cache": "unavailable"})
        # The unauthenticated budget is still enforced, now in process.
        ip = {"REMOTE_ADDR": "10.9.9.9"}
        statuses = [client.get("/1/you", environ_base=ip).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("bypassing the cache" in m for m in messages)
    assert any("redis unavailable" in m for m in messages)
    assert any("falling back to in-memory" in m.lower() for m in messages)

    private_redis.start()
    store.flushall()
    assert health(client).get_json()["cache"] == "ok"
    tour(client, alice, bob, headers, "back")
    first = client.get("/api/contacts/", headers=headers)
    again = client.get("/api/contacts/", headers=headers)
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("MISS", "HIT")
    # The limiter re-checks its storage with a backoff of a few seconds, then uses it again.
    deadline = time.monotonic() + 40
    while not limiter_uses(store) and time.monotonic() < deadline:
        health(client)
        time.sleep(0.5)
    assert limiter_uses(store)


class TcpProxy:
    """A threaded TCP forwarder to `target` that can be cut (every connection dropped and
    new ones refused) and restored on the same port: a real outage between app and DB."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            self._close(a, b)

    def _close(self, *sockets: socket.socket) -> None:
        with self._lock:
            for sock in sockets:
                self._sockets.discard(sock)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            self._close(self._listener)
            self._listener = None
        with self._lock:
            live = list(self._sockets)
        self._close(*live)

    def restore(self) -> None:
        self.start()


@pytest.fixture
def postgres_proxy():
    url = make_url(DATABASE_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    yield proxy
    proxy.cut()


DATA_ENDPOINTS = [
    ("get", "/api/contacts/", "bearer"),
    ("post", "/api/contacts/", "bearer"),
    ("get", "/api/users/me", "bearer"),
    ("get", "/1/you", "basic"),
    ("get", "/1/contacts", "bearer"),
    ("post", "/1/requests", "bearer"),
    ("post", "/api/auth/login", None),
    ("post", "/api/auth/register", None),
]


@pytest.mark.postgres
@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL")
@pytest.mark.config(RATELIMIT_ME="1000 per minute")
def test_postgres_unreachable_is_503_and_recovers(app, tmp_path, people, bearer,
                                                  postgres_proxy, caplog):
    alice, bob = people
    proxied = make_url(DATABASE_URL).set(drivername="postgresql+psycopg", host="127.0.0.1",
                                         port=postgres_proxy.port)
    db_app = create_app({**base_config(tmp_path),
                         "SQLALCHEMY_DATABASE_URI": proxied.render_as_string(False),
                         "RATELIMIT_ME": "1000 per minute",
                         "RATELIMIT_UNAUTHENTICATED": "1000 per minute"})
    client = db_app.test_client()
    headers = bearer(alice)
    credentials = {"bearer": headers, "basic": basic("alice"), None: {}}
    bodies = {"/api/contacts/": {"first_name": "A", "last_name": "B", "email": "ab@example.com"},
              "/1/requests": {"id": bob.id.hex},
              "/api/auth/login": {"username": "alice", "password": PASSWORD},
              "/api/auth/register": {"username": "newbie", "email": "newbie@example.com",
                                     "password": PASSWORD}}

    def call(method, path, auth):
        return getattr(client, method)(path, headers=credentials[auth], json=bodies.get(path))

    assert health(client).status_code == 200
    assert client.get("/1/contacts", headers=headers).status_code == 200

    postgres_proxy.cut()
    with caplog.at_level(logging.WARNING):
        response = health(client)
        assert response.status_code == 503
        assert response.get_json() == {"error": "unavailable", "detail": "Database unavailable"}
        for method, path, auth in DATA_ENDPOINTS:
            response = call(method, path, auth)
            assert response.status_code == 503, (method, path, response.get_data())
            assert response.get_json() == {"error": "unavailable",
                                           "detail": "Database unavailable"}
            assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert any("database unavailable" in r.getMessage() for r in caplog.records)

    postgres_proxy.restore()
    assert health(client).get_json() == {"message": "ok", "database": "ok",
                                         "cache": "ok" if db_app.config["REDIS_URL"]
                                         else "in-process"}
    expected = {"/api/contacts/": 201, "/api/auth/register": 201}
    for method, path, auth in DATA_ENDPOINTS:
        response = call(method, path, auth)
        assert response.status_code == (expected.get(path, 200) if method == "post" else 200), (
            method, path, response.get_data())
