"""The default deployment, without Redis, started as `make run` and the Procfile start it:
one worker process whatever count is asked for, so a write is read back at once on any
new connection and the unauthenticated rate limit is one budget.

Runs in both CI passes: it needs no Redis (and must not see one) and keeps its SQLite
database in a folder of its own.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from conftest import PASSWORD, ROOT, free_port, gunicorn

BUDGET = 10
READS = 20
#: What each start command gets besides its port: the `make run` command line, and the
#: Procfile's bare `gunicorn wsgi:app` with the platform's WEB_CONCURRENCY (bound to
#: loopback through GUNICORN_CMD_ARGS rather than the config's 0.0.0.0).
STARTS = {
    "make-run": lambda port: (
        ["--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "wsgi:app"], {}, 2),
    "procfile": lambda port: (
        ["wsgi:app"], {"WEB_CONCURRENCY": "4", "GUNICORN_CMD_ARGS": f"--bind=127.0.0.1:{port}"},
        4),
}
ONE_WORKER = re.compile(r"REDIS_URL is not set: serving with 1 worker process, not (\d+)")


class DefaultServer(NamedTuple):
    url: str
    log: Path
    pid: int  # gunicorn's master
    asked: int  # the worker count its command line or environment asked for

    def workers(self) -> list[str]:
        """The master's child processes (whichever of its threads forked them)."""
        return [pid for task in Path(f"/proc/{self.pid}/task").iterdir()
                for pid in (task / "children").read_text().split()]

    def warnings(self) -> list[int]:
        return [int(count) for count in ONE_WORKER.findall(self.log.read_text())]


def embedded_environment(instance: Path) -> dict:
    """The environment of a fresh clone's server: no Redis, SQLite in the instance folder."""
    unset = {"REDIS_URL", "DATABASE_URL", "CACHE_TYPE", "WEB_CONCURRENCY", "GUNICORN_THREADS",
             "GUNICORN_CMD_ARGS", "PORT", "TEST_DATABASE_URL", "TEST_REDIS_URL"}
    return {key: value for key, value in os.environ.items() if key not in unset} | {
        "INSTANCE_PATH": str(instance),
        "APP_ENV": "development",
        "EMAIL_VERIFICATION_REQUIRED": "false",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "64",
        "RATELIMIT_UNAUTHENTICATED": f"{BUDGET} per minute",
        "PYTHONUNBUFFERED": "1",  # the log is read while the server runs
    }


@pytest.fixture(scope="module")
def migrated_instance(tmp_path_factory) -> Path:
    """An instance folder whose SQLite database `flask db upgrade` built, as `make run` does."""
    instance = tmp_path_factory.mktemp("default-instance")
    subprocess.run(  # noqa: S603 - a fixed, trusted command line
        [str(Path(sys.executable).with_name("flask")), "--app", "contacts_api", "db", "upgrade"],
        cwd=ROOT, env=embedded_environment(instance), check=True, capture_output=True,
    )
    return instance


@pytest.fixture(params=sorted(STARTS))
def default_server(request, migrated_instance, tmp_path):
    """A server started one of the STARTS ways, on a copy of the migrated instance folder."""
    instance = tmp_path / "instance"
    shutil.copytree(migrated_instance, instance)
    port = free_port()
    arguments, extra, asked = STARTS[request.param](port)
    with gunicorn(arguments, embedded_environment(instance) | extra, tmp_path / "server.log",
                  port) as process:
        yield DefaultServer(f"http://127.0.0.1:{port}", tmp_path / "server.log", process.pid,
                            asked)


def fresh(method: str, url: str, headers=None, **kwargs) -> requests.Response:
    """One request on a connection of its own (`requests` without a session)."""
    return requests.request(method, url, headers={"Connection": "close", **(headers or {})},
                            timeout=30, **kwargs)


def test_one_worker_process_whatever_count_is_asked(default_server):
    assert fresh("GET", default_server.url + "/api/healthchecker").json() == {
        "message": "ok", "database": "ok", "cache": "in-process"}
    assert len(default_server.workers()) == 1
    assert default_server.warnings() == [default_server.asked]
    # SIGTTIN asks for one worker more; the server logs that it keeps one.
    os.kill(default_server.pid, signal.SIGTTIN)
    for _ in range(200):
        if len(default_server.warnings()) == 2:
            break
        time.sleep(0.05)
    assert default_server.warnings() == [default_server.asked, 2]
    assert len(default_server.workers()) == 1


def test_a_write_is_read_back_on_every_new_connection(default_server):
    url = default_server.url
    account = {"username": "fresh", "email": "fresh@example.com", "password": PASSWORD}
    assert fresh("POST", url + "/api/auth/register", json=account).status_code == 201
    login = fresh("POST", url + "/api/auth/login",
                  json={"username": "fresh", "password": PASSWORD})
    assert login.status_code == 200
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    created = fresh("POST", url + "/api/contacts/", headers=bearer,
                    json={"first_name": "John", "last_name": "Doe", "email": "john@example.com"})
    assert created.status_code == 201
    card = url + f"/api/contacts/{created.json()['id']}"
    for _ in range(READS // 2):  # fill every cache that could answer later
        assert [c["first_name"] for c in fresh("GET", url + "/api/contacts/",
                                               headers=bearer).json()] == ["John"]
        assert fresh("GET", card, headers=bearer).json()["first_name"] == "John"

    patched = fresh("PATCH", card, headers=bearer, json={"first_name": "Johnny"})
    assert (patched.status_code, patched.json()["first_name"]) == (200, "Johnny")
    for _ in range(READS):
        listed = fresh("GET", url + "/api/contacts/", headers=bearer)
        assert [c["first_name"] for c in listed.json()] == ["Johnny"]
        assert fresh("GET", card, headers=bearer).json()["first_name"] == "Johnny"


def test_one_rate_limit_budget(default_server):
    responses = [fresh("GET", default_server.url + "/api/healthchecker")
                 for _ in range(BUDGET + 1)]
    assert [r.status_code for r in responses] == [200] * BUDGET + [429]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == [
        str(n) for n in range(BUDGET - 1, -1, -1)] + ["0"]
    assert responses[-1].json() == {"error": "rate_limited",
                                    "detail": f"Rate limit exceeded: {BUDGET} per 1 minute"}
