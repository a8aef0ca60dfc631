"""Schema-driven fuzzing of every operation of `/openapi.json` (schemathesis).

Every request is authenticated as a real, verified admin (so the admin operations are
exercised past their 403). Operations that may end a session (logout, refresh, a
password or role change) get a fresh account per example, so they never strand the next
one. Failures are fixed in the code or in the document, never excluded.
"""

import tempfile
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import DATABASE_URL, base_config, basic
from contacts_api import create_app
from contacts_api.accounts.models import Role

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"),
                       reason="fuzzing runs in the PostgreSQL pass"),
    # Authenticated requests are unlimited except GET /api/users/me.
    pytest.mark.config(RATELIMIT_ME="100000 per minute"),
]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def load_schema():
    """The document, read from an app built for that; each test calls its own `app`."""
    document_app = create_app(base_config(Path(tempfile.mkdtemp(prefix="openapi-"))))
    return schemathesis.openapi.from_wsgi("/openapi.json", document_app)


schema = load_schema()
# Basic repeats the /1/ operations with random data only; the boundary cases of the
# coverage phase do not depend on the scheme and already ran with Bearer.
network_schema = load_schema().include(path_regex=r"^/1/")
network_schema.config.phases.coverage.enabled = False
examples = Counter()
operations = defaultdict(set)


def count(run, case):
    examples[run] += 1
    operations[run].add(case.operation.label)


# Operations that can end the caller's session or rights get an account of their own.
SESSION_ENDING = {"/api/auth/logout", "/api/auth/refresh-token", "/api/auth/set-password",
                  "/api/users/{user_id}/role", "/1/you"}


@pytest.fixture
def account_for(make_user):
    """`account_for(case)` → a verified admin; a fresh one when the operation may end it."""
    shared = []

    def new():
        return make_user(f"fuzz{uuid.uuid4().hex[:12]}", role=Role.ADMIN,
                         first_name="Fuzz", last_name="Tester")

    def account(case):
        if case.method.upper() != "GET" and case.path in SESSION_ENDING:
            return new()
        if not shared:
            shared.append(new())
        return shared[0]

    return account


@schema.parametrize()
@FUZZ
def test_every_operation_with_bearer(case, app, account_for, bearer):
    count("bearer", case)
    case.call_and_validate(app=app, headers=bearer(account_for(case)), checks=CHECKS)


@network_schema.parametrize()
@FUZZ
def test_network_operations_with_basic(case, app, account_for):
    count("basic", case)
    case.call_and_validate(app=app, headers=basic(account_for(case).username), checks=CHECKS)
