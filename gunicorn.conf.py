"""gunicorn settings, read from the environment the way Heroku-style platforms set it."""

import gc
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
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
