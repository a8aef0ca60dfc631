"""Rate limits (API.md §1): per IP without valid credentials, per user on /api/users/me."""

import time

import pytest

HEALTH = "/api/healthchecker"


def assert_rate_limited(response, limit="3 per 1 minute"):
    assert response.status_code == 429
    assert response.get_json() == {"error": "rate_limited",
                                   "detail": f"Rate limit exceeded: {limit}"}
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())


def test_default_limits_are_the_contract(app):
    assert app.config["RATELIMIT_UNAUTHENTICATED"] == "20 per minute"
    assert app.config["RATELIMIT_ME"] == "5 per minute"


def test_twenty_unauthenticated_requests_a_minute(client):
    for n in range(20):
        response = client.get(HEALTH)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "20"
        assert response.headers["X-RateLimit-Remaining"] == str(19 - n)
        assert "Retry-After" not in response.headers
    assert_rate_limited(client.get(HEALTH), "20 per 1 minute")


@pytest.mark.config(RATELIMIT_UNAUTHENTICATED="3 per minute")
class TestUnauthenticated:
    def test_one_budget_shared_by_every_endpoint(self, client):
        assert client.get(HEALTH).status_code == 200
        assert client.post("/api/auth/login", json={}).status_code == 422
        assert client.get("/openapi.json").status_code == 200
        for path in (HEALTH, "/docs", "/openapi.json", "/api/users/me", "/nope"):
            assert_rate_limited(client.get(path))
        assert_rate_limited(client.post("/api/auth/register", json={}))

    def test_failed_authentication_counts_as_unauthenticated(self, client, user):
        bad = {"Authorization": "Bearer not-a-token"}
        for _ in range(3):
            assert client.get("/api/users/me", headers=bad).status_code == 401
        assert_rate_limited(client.get("/api/users/me", headers=bad))

    def test_authenticated_requests_are_not_limited(self, client, auth_headers):
        for _ in range(10):
            response = client.get(HEALTH, headers=auth_headers)
            assert response.status_code == 200
            assert "X-RateLimit-Limit" not in response.headers
        # The credential check runs before the limiter: an exhausted IP budget does not
        # touch authenticated requests from that IP.
        for _ in range(3):
            client.get(HEALTH)
        assert_rate_limited(client.get(HEALTH))
        assert client.get(HEALTH, headers=auth_headers).status_code == 200

    def test_budget_is_per_client_ip(self, client):
        for _ in range(3):
            client.get(HEALTH, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert_rate_limited(client.get(HEALTH, environ_base={"REMOTE_ADDR": "10.0.0.1"}))
        assert client.get(HEALTH, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200

    def test_spoofed_forwarded_for_does_not_escape_without_trusted_proxies(self, client):
        for n in range(3):
            client.get(HEALTH, headers={"X-Forwarded-For": f"203.0.113.{n}"})
        response = client.get(HEALTH, headers={"X-Forwarded-For": "203.0.113.99"})
        assert_rate_limited(response)

    @pytest.mark.config(TRUSTED_PROXIES=1)
    def test_with_one_trusted_proxy_the_rightmost_address_is_the_client(self, client):
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for n in range(3):
            response = client.get(HEALTH, environ_base=proxy,
                                  headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.7"})
            assert response.status_code == 200
        # Whatever the client writes further left, the proxy-appended address decides ...
        assert_rate_limited(client.get(HEALTH, environ_base=proxy,
                                       headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}))
        # ... and another client behind the same proxy has its own budget.
        response = client.get(HEALTH, environ_base=proxy,
                              headers={"X-Forwarded-For": "203.0.113.7, 203.0.113.8"})
        assert response.status_code == 200


class TestMe:
    def test_five_requests_a_minute_per_user(self, client, user, make_user, bearer):
        headers = bearer(user)
        for n in range(5):
            response = client.get("/api/users/me", headers=headers)
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Limit"] == "5"
            assert response.headers["X-RateLimit-Remaining"] == str(4 - n)
        assert_rate_limited(client.get("/api/users/me", headers=headers), "5 per 1 minute")
        # Per user, not per token or per IP: a new login shares the budget, another
        # user from the same address does not.
        assert client.get("/api/users/me", headers=bearer(user)).status_code == 429
        assert client.get("/api/users/me", headers=bearer(make_user("bob"))).status_code == 200

    @pytest.mark.config(RATELIMIT_ME="1 per minute")
    def test_other_endpoints_stay_unlimited_for_the_user(self, client, auth_headers):
        assert client.get("/api/users/me", headers=auth_headers).status_code == 200
        assert client.get("/api/users/me", headers=auth_headers).status_code == 429
        for _ in range(25):
            response = client.delete("/api/users/avatar", headers=auth_headers)
            assert response.status_code == 200
