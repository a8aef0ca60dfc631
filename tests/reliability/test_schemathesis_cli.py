"""The schemathesis command line, every check and every phase (stateful included), against
a live gunicorn: the server and `/openapi.json` must agree.

Runs as its own step of `.ci/run` (`SCHEMATHESIS_CLI=1`), bounded by `--max-examples`
and `--max-time`. The account is a verified admin created with `flask users create`;
one run authenticates with its Bearer token, a second repeats `/1/` with Basic.
The exceptions, each a deliberate behaviour, are in `schemathesis.toml` beside this
file and explained in docs/api.md ("Deliberate behaviours schemathesis reports").
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from conftest import DATABASE_URL, PASSWORD

pytestmark = pytest.mark.skipif(
    not os.environ.get("SCHEMATHESIS_CLI"),
    reason="a step of its own in .ci/run (set SCHEMATHESIS_CLI=1)",
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10")
MAX_TIME = os.environ.get("SCHEMATHESIS_MAX_TIME", "50")
# Operations that end the caller's session: the in-pytest fuzzing gives them an account
# per example (tests/reliability/test_fuzz_openapi.py).
# One worker thread: CPython 3.11 keeps the `ast` module's recursion counter per
# interpreter, and Hypothesis parses sources with `ast` while describing strategies, so two
# threads doing so at once break it ("AST constructor recursion depth mismatch",
# python/cpython#106905) and the run ends in a tool error instead of a verdict.
SESSION_ENDING = ["--exclude-path", "/api/auth/logout", "--exclude-name", "PUT /1/you"]


@pytest.fixture(scope="module")
def admin(server):
    """A verified admin made with the CLI, on the server's database."""
    username = f"st{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "ARGON2_TIME_COST": "1",
           "ARGON2_MEMORY_COST": "64"}
    subprocess.run(  # noqa: S603 - a fixed, trusted command line
        [str(BIN / "flask"), "--app", "contacts_api", "users", "create", username,
         f"{username}@example.com", "--password", PASSWORD, "--admin"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    return username


def schemathesis(server, *arguments, report: Path):
    """Run the CLI; returns (exit code, its output)."""
    command = [
        str(BIN / "schemathesis"), "--config-file", str(CONFIG), "--no-color", "run",
        f"{server.url}/openapi.json", "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", MAX_EXAMPLES,
        "--max-time", MAX_TIME, "--workers", "1", "--generation-deterministic",
        "--request-timeout", "20", "--report", "junit",
        "--report-dir", str(report), *SESSION_ENDING, *arguments,
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    return result.returncode, result.stdout + result.stderr


def summary(output: str) -> str:
    """schemathesis's own summary: operations tested, cases generated, failures, warnings."""
    return "SUMMARY" + output.rsplit("SUMMARY", 1)[-1] if "SUMMARY" in output else output


def test_bearer_run_has_no_failures(server, admin, tmp_path):
    login = requests.post(f"{server.url}/api/auth/login",
                          json={"username": admin, "password": PASSWORD}, timeout=30)
    token = login.json()["access_token"]
    code, output = schemathesis(server, "--header", f"Authorization: Bearer {token}",
                                report=tmp_path)
    print(summary(output))
    assert code == 0, output


def test_network_run_with_basic_has_no_failures(server, admin, tmp_path):
    code, output = schemathesis(server, "--auth", f"{admin}:{PASSWORD}",
                                "--include-path-regex", "^/1/", report=tmp_path)
    print(summary(output))
    assert code == 0, output
