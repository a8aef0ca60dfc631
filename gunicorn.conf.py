"""gunicorn settings, read from the environment the way Heroku-style platforms set it.

Without `REDIS_URL` the response cache and the rate limits live in the process's memory,
so the server runs ONE worker process (with more threads) whatever count was asked for:
two processes would each cache and count on their own, serving stale reads after a write
and a rate-limit budget per process. More processes, or hosts, need Redis.
"""

import gc
import multiprocessing
import os
import re
from pathlib import Path

from dotenv import load_dotenv
from gunicorn.glogging import Logger

# The app reads `.env` from the working directory too; read it first so that REDIS_URL
# means the same to the server as to the app.
load_dotenv(Path.cwd() / ".env", override=False)


def shared_store() -> bool:
    """Whether the workers share their cache and limits through Redis."""
    return bool(os.environ.get("REDIS_URL"))


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Without Redis one process is the default, so only an explicit larger count is warned about.
workers = int(os.environ.get("WEB_CONCURRENCY")
              or (min(multiprocessing.cpu_count() * 2 + 1, 8) if shared_store() else 1))
# One process alone gets the concurrency two workers of 4 threads had; more threads would
# wait for the GIL, or for SQLAlchemy's pool of 15 SQLite connections (some requests use 2).
threads = int(os.environ.get("GUNICORN_THREADS") or (4 if shared_store() else 8))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The platform's router terminates TLS; X-Forwarded-* trust is decided by TRUSTED_PROXIES
# inside the app, so gunicorn itself trusts no forwarded headers.
forwarded_allow_ips = ""
# The largest bounded request line gunicorn allows (0 would be unbounded), and the 8 KiB
# that platform routers and proxies commonly allow. Longer lines, more than 100 header
# fields or a header over 8190 bytes get gunicorn's own 400 page before the app runs
# (docs/api.md, "Deliberate behaviours schemathesis reports").
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
preload_app = True


def when_ready(server):
    """Settle the worker count before the first fork (settings and `-e` are all applied)."""
    one_worker_without_redis(server)


def nworkers_changed(server, new_value, old_value):
    """Hold one worker without Redis when the count changes later (TTIN, control socket,
    reload); the first setting, before the app and `-e` are loaded, waits for `when_ready`."""
    if old_value is not None:
        one_worker_without_redis(server)


def one_worker_without_redis(server):
    """Clamp the arbiter (and the config a reload spawns from) to one worker."""
    if shared_store() or server.num_workers <= 1:
        return
    server.log.warning(
        "REDIS_URL is not set: serving with 1 worker process, not %d (the in-process cache "
        "and rate limits would differ between processes); set REDIS_URL to run more",
        server.num_workers,
    )
    server.cfg.set("workers", 1)
    server.num_workers = 1


def pre_fork(server, worker):
    """Move the preloaded app's objects out of the garbage collector's reach before forking.

    They live as long as the process; without this, every full collection in a worker walks
    them again (CPU on the request path) and writes to their headers, which copies the
    pages the workers share with the master (memory per worker).
    """
    gc.freeze()


class RedactingLogger(Logger):
    """Access-log lines without the single-use token of an email-confirmation link,
    which travels in the URL path (API.md: `GET /api/auth/confirmed_email/<token>`)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = TOKEN_IN_PATH.sub(r"\1[redacted]", atoms[key])
        return atoms


TOKEN_IN_PATH = re.compile(r"(/confirmed_email/)[^/?\s]+")
logger_class = RedactingLogger
