"""`flask legal show` and `flask cache clear` (API.md §4, the Flask CLI)."""

import os
from datetime import UTC, datetime

import pytest
import redis

from addressbook_helpers import URL, add
from conftest import REDIS_URL, needs_redis


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


class TestLegalShow:
    def test_prints_what_the_endpoint_serves_and_its_file(self, app, client, cli, tmp_path):
        path = tmp_path / "terms.md"
        path.write_text("# House Rules\n\nBe nice.\n\nOr else.\n", encoding="utf-8")
        moment = datetime(2025, 4, 16, 12, 28, 54, 744000, tzinfo=UTC).timestamp()
        os.utime(path, (moment, moment))
        app.config["LEGAL_DIR"] = str(tmp_path)
        result = cli("legal", "show", "terms")
        assert result.exit_code == 0, result.output
        assert result.output == (f"House Rules\n{path}, updated 2025-04-16T12:28:54.744Z\n\n"
                                 "Be nice.\n\nOr else.\n")
        assert client.get("/1/legal/terms").get_json()["text"] == "Be nice.\n\nOr else."

    def test_the_shipped_text(self, client, cli):
        served = client.get("/1/legal/privacy").get_json()
        result = cli("legal", "show", "privacy")
        assert result.exit_code == 0, result.output
        title, origin, blank, *text = result.output.split("\n")
        assert (title, blank) == ("Privacy Policy", "")
        assert origin.endswith(f"contacts_api/legal/privacy.md, updated {served['updated']}")
        assert "\n".join(text) == served["text"] + "\n"

    def test_an_unknown_name_is_a_usage_error(self, cli):
        result = cli("legal", "show", "cookies")
        assert result.exit_code == 2
        assert "'cookies' is not one of 'privacy', 'terms'" in result.output


class TestCacheClear:
    @pytest.mark.skipif(bool(REDIS_URL), reason="the in-process cache")
    def test_the_in_process_cache_cannot_be_reached_from_the_shell(self, cli):
        result = cli("cache", "clear")
        assert result.exit_code == 1
        assert result.output == (
            "Error: The response cache is in-process (REDIS_URL is not set): each server "
            "process keeps its own, and restarting the server clears it.\n"
        )

    @needs_redis
    def test_drops_cached_responses_and_nothing_else(self, client, auth_headers, cli):
        add(client, auth_headers)
        assert client.get(URL, headers=auth_headers).headers["X-Cache"] == "MISS"
        assert client.get(URL, headers=auth_headers).headers["X-Cache"] == "HIT"
        assert client.get("/api/healthchecker").status_code == 200  # spends a rate limit
        store = redis.Redis.from_url(REDIS_URL)
        others = sorted(k for k in store.scan_iter() if not k.startswith(b"flask_cache_"))
        assert others

        result = cli("cache", "clear")
        assert result.exit_code == 0, result.output
        assert result.output == "Cleared the response cache (RedisCache)\n"
        assert not list(store.scan_iter("flask_cache_*"))
        assert sorted(store.scan_iter()) == others
        assert client.get(URL, headers=auth_headers).headers["X-Cache"] == "MISS"

    @pytest.mark.config(CACHE_TYPE="NullCache")
    @pytest.mark.filterwarnings("ignore:Flask-Caching. CACHE_TYPE is set to NullCache")
    def test_with_the_cache_off_there_is_nothing_to_clear(self, cli):
        result = cli("cache", "clear")
        assert result.exit_code == 0, result.output
        assert result.output == "Cleared the response cache (NullCache)\n"
