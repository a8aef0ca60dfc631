"""`/1/legal/privacy` and `/1/legal/terms`: shipped texts, overridable by files."""

import os
from datetime import UTC, datetime

import pytest


@pytest.mark.parametrize(("name", "title"), [("privacy", "Privacy Policy"),
                                             ("terms", "Terms of Use")])
def test_shipped_texts_need_no_authentication(client, name, title):
    response = client.get(f"/1/legal/{name}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"title", "text", "updated"}
    assert body["title"] == title
    assert body["text"].startswith(("This service", "By creating"))
    assert body["updated"].endswith("Z")


def test_a_file_in_legal_dir_overrides_the_shipped_text(app, client, tmp_path):
    path = tmp_path / "terms.md"
    path.write_text("# House Rules\n\nBe nice.\n", encoding="utf-8")
    moment = datetime(2025, 4, 16, 12, 28, 54, 744000, tzinfo=UTC).timestamp()
    os.utime(path, (moment, moment))
    app.config["LEGAL_DIR"] = str(tmp_path)
    response = client.get("/1/legal/terms")
    assert response.get_json() == {"title": "House Rules", "text": "Be nice.",
                                   "updated": "2025-04-16T12:28:54.744Z"}
    # No override for the other document: the shipped one is served.
    assert client.get("/1/legal/privacy").get_json()["title"] == "Privacy Policy"


def test_a_text_without_heading_gets_the_default_title(app, client, tmp_path):
    (tmp_path / "privacy.md").write_text("We keep nothing.", encoding="utf-8")
    app.config["LEGAL_DIR"] = str(tmp_path)
    assert client.get("/1/legal/privacy").get_json()["title"] == "Privacy Policy"
    assert client.get("/1/legal/privacy").get_json()["text"] == "We keep nothing."
