"""Load test: gunicorn on PostgreSQL + Redis, driven by locust headless for a bounded time.

    LOADTEST_DATABASE_URL=postgresql://... LOADTEST_REDIS_URL=redis://... \\
        python loadtest/run.py --run-time 60s --users 20

Migrates the database, serves `wsgi:app` with several workers on a free port, runs
`loadtest/locustfile.py` against it, and exits non-zero on any failed request, on a
5xx, or on a traceback in the server's log. Prints the request count and failures.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if process.poll() is not None:
                sys.exit("loadtest: gunicorn exited")
            time.sleep(0.1)
    sys.exit("loadtest: gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    database = os.environ.get("LOADTEST_DATABASE_URL")
    if not database:
        sys.exit("loadtest: set LOADTEST_DATABASE_URL (PostgreSQL) and LOADTEST_REDIS_URL")
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("LOADTEST_REDIS_URL", ""),
        "INSTANCE_PATH": str(work / "instance"),
        "MAIL_OUTBOX_DIR": str(work / "outbox"),
        "LOADTEST_OUTBOX": str(work / "outbox"),
        # Every simulated person sends its own X-Forwarded-For, as behind one proxy.
        "TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([BIN / "flask", "--app", "contacts_api", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    log = work / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [BIN / "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, server)
        locust = subprocess.run(
            [BIN / "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
             "--host", f"http://127.0.0.1:{port}", "--users", str(args.users),
             "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
             "--stop-timeout", "10", "--only-summary", "--json-file", str(work / "stats")],
            cwd=ROOT, env=env,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    entries = json.loads((work / "stats.json").read_text())
    requests = sum(entry["num_requests"] for entry in entries)
    failures = sum(entry["num_failures"] for entry in entries)
    server_errors = sum(count for entry in entries
                        for status, count in entry.get("response_codes", {}).items()
                        if int(status) >= 500)
    tracebacks = log.read_text().count("Traceback")
    print(f"loadtest: {requests} requests, {failures} failures, {server_errors} 5xx, "
          f"{tracebacks} server tracebacks ({args.users} users, {args.run_time})")
    if locust.returncode or failures or server_errors or tracebacks or not requests:
        print(log.read_text()[-5000:], file=sys.stderr)
        return 1
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
