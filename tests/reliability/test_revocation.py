"""A revoked access token is refused by every worker process at once, whatever state the
Redis that holds the cached responses is in: up, down, or back without its data.

Cached GET responses live in Redis, shared by the workers, while revocations live in the
database: every authenticated request reads the account and the token's revocation in
one query, before the cache is looked at. So after a logout the token gets the revoked
token's 401 on each of two gunicorn workers, never a cached body and never a 304 for a
body it saw before, while the same user's other login keeps being served: from the cache
while Redis is up, from the database while it is down (the cache fails open, the
revocation check does not).

Every request goes on a new connection with a probe id of its own; the access log, which
names the worker pid, tells which worker gave which answer, and each check needs an
answer from both. Runs in the PostgreSQL and Redis pass; the server's Redis is a private
redis-server that the test stops and starts again.
"""

import os
import re
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import pytest
import redis
import requests

from conftest import DATABASE_URL, PASSWORD, free_port, gunicorn, needs_redis

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL"),
    pytest.mark.redis,
    needs_redis,
]

WORKERS = 2
#: Requests sent before looking at which workers answered them, and the most one check
#: sends while waiting for an answer from every worker.
BATCH = 40
MOST = 10 * BATCH
#: gunicorn's worker pid atom is `<pid>`; `{x-probe}i` is the request's X-Probe header.
ACCESS_FORMAT = "probe=%({x-probe}i)s pid=%(p)s status=%(s)s"
ACCESS_LINE = re.compile(r"^probe=([0-9a-f]{32}) pid=<(\d+)> status=(\d+)$", re.MULTILINE)
REVOKED = {"error": "unauthorized", "detail": "Token has been revoked"}
CHALLENGE = 'Bearer realm="contacts"'
CARD = {"first_name": "John", "last_name": "Doe", "email": "john@example.com"}


class TwoWorkers(NamedTuple):
    url: str
    log: Path  # stdout and stderr, access log included
    pids: frozenset[int]  # the worker processes


def worker_pids(master: int) -> frozenset[int]:
    """The master's child processes, once WORKERS of them are running."""
    for _ in range(200):
        pids = frozenset(int(pid) for task in Path(f"/proc/{master}/task").iterdir()
                         for pid in (task / "children").read_text().split())
        if len(pids) == WORKERS:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"gunicorn runs workers {sorted(pids)}, not {WORKERS}")


@pytest.fixture
def two_workers(migrated, private_redis, tmp_path):
    """gunicorn as `make run` starts it, with two workers, on the test database and the
    private Redis; its access log names the worker that answered each probe."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": private_redis.url,
        "APP_ENV": "development",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "64",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "AVATAR_DIR": str(tmp_path / "avatars"),
        # Every refused request counts against the unauthenticated budget of our address.
        "RATELIMIT_UNAUTHENTICATED": "1000000 per minute",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",  # the access log is read while the server runs
    }
    arguments = ["--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(WORKERS), "--access-logformat", ACCESS_FORMAT, "wsgi:app"]
    with gunicorn(arguments, env, log, port) as master:
        yield TwoWorkers(f"http://127.0.0.1:{port}", log, worker_pids(master.pid))


def fresh(method: str, url: str, headers=None, **kwargs) -> requests.Response:
    """One request on a connection of its own (`requests` without a session)."""
    return requests.request(method, url, headers={"Connection": "close", **(headers or {})},
                            timeout=30, **kwargs)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(server: TwoWorkers) -> str:
    """A new login (token family) of alice; its access token."""
    response = fresh("POST", server.url + "/api/auth/login",
                     json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def logged(server: TwoWorkers, probes: set[str]) -> dict[str, tuple[int, int]]:
    """probe → (worker pid, status) from the access log, once every probe's line is there
    (a worker writes it just after sending the response)."""
    for _ in range(200):
        lines = {probe: (int(pid), int(status))
                 for probe, pid, status in ACCESS_LINE.findall(server.log.read_text())}
        if probes <= lines.keys():
            return {probe: lines[probe] for probe in probes}
        time.sleep(0.05)
    raise AssertionError(f"no access log line for probes {sorted(probes - lines.keys())}")


def ask(server: TwoWorkers, path: str, token: str, headers=None,
        until=lambda response: True) -> list[requests.Response]:
    """GET `path` with `token`, each time on a new connection, BATCH requests at a time
    until every worker has given an answer that `until` accepts; every answer."""
    answers = {pid: [] for pid in server.pids}
    while sum(map(len, answers.values())) < MOST:
        sent = {}
        for _ in range(BATCH):
            probe = uuid.uuid4().hex
            sent[probe] = fresh("GET", server.url + path,
                                headers={"X-Probe": probe, **bearer(token), **(headers or {})})
        for probe, (pid, status) in logged(server, set(sent)).items():
            assert pid in answers, f"worker {pid} is not one of {sorted(server.pids)}"
            assert status == sent[probe].status_code
            answers[pid].append(sent[probe])
        if all(any(map(until, responses)) for responses in answers.values()):
            return [response for responses in answers.values() for response in responses]
    counts = {pid: [r.status_code for r in responses] for pid, responses in answers.items()}
    raise AssertionError(f"GET {path}: some worker gave no expected answer to {MOST} "
                         f"requests; statuses by worker: {counts}")


def is_hit(response: requests.Response) -> bool:
    return response.headers.get("X-Cache") == "HIT"


def assert_refused(server: TwoWorkers, token: str, etags: dict[str, str]) -> None:
    """Every worker refuses `token` as revoked on each path, also when it asks whether the
    body it saw before is still current, and none answers from the cache."""
    for path, etag in etags.items():
        for headers in ({}, {"If-None-Match": etag}):
            for response in ask(server, path, token, headers):
                assert (response.status_code, response.json()) == (401, REVOKED), path
                assert response.headers["WWW-Authenticate"] == CHALLENGE
                assert "X-Cache" not in response.headers
                assert "ETag" not in response.headers


def assert_served(server: TwoWorkers, token: str, bodies: dict, cache: str) -> dict:
    """Every worker serves `token` each path's body, from the cache (`cache="HIT"`: each
    worker answers at least once from it) or without it (`cache="MISS"`: always); the
    one ETag of each path."""
    until = is_hit if cache == "HIT" else lambda response: True
    etags = {}
    for path, body in bodies.items():
        responses = ask(server, path, token, until=until)
        for response in responses:
            assert (response.status_code, response.json()) == (200, body), path
            assert response.headers["X-Cache"] in ({"HIT", "MISS"} if cache == "HIT"
                                                   else {"MISS"})
        (etags[path],) = {response.headers["ETag"] for response in responses}
    return etags


def test_a_revoked_token_is_refused_by_every_worker_whatever_redis_does(
        make_user, two_workers, private_redis):
    server = two_workers
    make_user("alice")
    revoked, kept = login(server), login(server)
    created = fresh("POST", server.url + "/api/contacts/", headers=bearer(revoked), json=CARD)
    assert created.status_code == 201, created.text
    card = created.json()
    bodies = {"/api/contacts/": [card], f"/api/contacts/{card['id']}": card}

    # Before the logout: both workers serve the token's reads from the cache.
    etags = assert_served(server, revoked, bodies, cache="HIT")

    logout = fresh("POST", server.url + "/api/auth/logout", headers=bearer(revoked), json={})
    assert (logout.status_code, logout.json()) == (200, {"message": "Logged out"})

    # Redis up, the cached responses still there: the other login is served them.
    assert_refused(server, revoked, etags)
    assert assert_served(server, kept, bodies, cache="HIT") == etags
    for path, etag in etags.items():
        for response in ask(server, path, kept, {"If-None-Match": etag}):
            assert (response.status_code, response.content) == (304, b"")
            assert response.headers["ETag"] == etag

    # Redis down: the cache is bypassed, the revocation still read from the database.
    private_redis.stop()
    assert_refused(server, revoked, etags)
    assert_served(server, kept, bodies, cache="MISS")

    # Redis back without its data: the cache fills and serves again, still not to the token.
    private_redis.start()
    assert redis.Redis.from_url(private_redis.url).dbsize() == 0
    assert_served(server, kept, bodies, cache="HIT")
    assert_refused(server, revoked, etags)
