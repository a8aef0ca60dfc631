"""gunicorn settings, read from the environment the way Heroku-style platforms set it."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The platform's router terminates TLS; X-Forwarded-* trust is decided by TRUSTED_PROXIES
# inside the app, so gunicorn itself trusts no forwarded headers.
forwarded_allow_ips = ""
accesslog = "-"
errorlog = "-"
preload_app = True
