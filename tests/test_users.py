"""/api/users/: the caller's profile, avatars, and user administration."""

import io
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from contacts_api.accounts.models import Role

AVATAR_URL = re.compile(r"http://localhost/media/avatars/[0-9a-f]{32}\.png")
NOT_ADMIN = {"error": "forbidden", "detail": "Admin role required"}


def image_bytes(fmt="PNG", size=(300, 100), mode="RGB", colors=None):
    """An image whose left, middle and right thirds are red, green and blue."""
    image = Image.new(mode, size)
    width, height = size
    for i, color in enumerate(colors or ["red", "green", "blue"]):
        band = Image.new(mode, (width // 3 + 1, height), color)
        image.paste(band, (i * width // 3, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(client, headers, data, filename="me.png"):
    return client.patch("/api/users/avatar", headers=headers,
                        data={"file": (io.BytesIO(data), filename)},
                        content_type="multipart/form-data")


def stored_files(app):
    folder = Path(app.config["AVATAR_DIR"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class TestMe:
    def test_returns_the_user(self, client, user, auth_headers):
        response = client.get("/api/users/me", headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json() == {
            "id": user.id.hex, "username": "alice", "email": "alice@example.com",
            "created_at": response.get_json()["created_at"], "avatar": None,
            "is_verified": True, "role": "user",
        }
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                            response.get_json()["created_at"])

    def test_needs_a_token(self, client):
        response = client.get("/api/users/me")
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'

    def test_basic_is_not_accepted_on_api(self, client, user):
        from conftest import basic

        response = client.get("/api/users/me", headers=basic("alice"))
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Unsupported authorization scheme"

    def test_unverified_users_token_stops_working(self, client, make_user, bearer):
        carol = make_user("carol", verified=False)
        response = client.get("/api/users/me", headers=bearer(carol))
        assert response.status_code == 401
        assert response.get_json()["detail"] == "User is not verified"


class TestAvatar:
    def test_round_trip(self, app, client, auth_headers):
        response = upload(client, auth_headers, image_bytes())
        assert response.status_code == 200
        url = response.get_json()["avatar"]
        assert AVATAR_URL.fullmatch(url)
        assert client.get("/api/users/me", headers=auth_headers).get_json()["avatar"] == url

        image_response = client.get(urlsplit(url).path)
        assert image_response.status_code == 200
        assert image_response.headers["Content-Type"] == "image/png"
        assert "max-age=31536000" in image_response.headers["Cache-Control"]
        image = Image.open(io.BytesIO(image_response.data))
        assert image.format == "PNG"
        assert image.size == (256, 256)
        # The centred square of a red|green|blue strip is all green.
        rgb = image.convert("RGB")
        for point in [(8, 8), (247, 8), (128, 128), (8, 247), (247, 247)]:
            red, green, blue = rgb.getpixel(point)
            assert green > 100 and red < 30 and blue < 30, point

    @pytest.mark.parametrize(("fmt", "mode"),
                             [("JPEG", "RGB"), ("GIF", "P"), ("WEBP", "RGBA"), ("PNG", "LA")])
    def test_accepted_formats(self, client, auth_headers, fmt, mode):
        data = image_bytes(fmt, size=(90, 300), mode=mode,
                           colors=["white", "black", "gray"] if mode in {"P", "LA"} else None)
        response = upload(client, auth_headers, data, f"me.{fmt.lower()}")
        assert response.status_code == 200
        path = urlsplit(response.get_json()["avatar"]).path
        assert Image.open(io.BytesIO(client.get(path).data)).size == (256, 256)

    @pytest.mark.config(PUBLIC_BASE_URL="https://cdn.example.org")
    def test_url_uses_the_public_base_url(self, client, auth_headers):
        response = upload(client, auth_headers, image_bytes())
        assert response.get_json()["avatar"].startswith("https://cdn.example.org/media/avatars/")

    def test_replacing_deletes_the_old_file(self, app, client, auth_headers):
        first = upload(client, auth_headers, image_bytes()).get_json()["avatar"]
        second = upload(client, auth_headers, image_bytes("JPEG")).get_json()["avatar"]
        assert first != second
        assert stored_files(app) == [second.rsplit("/", 1)[1]]
        assert client.get(urlsplit(first).path).get_json() == {
            "error": "not_found", "detail": "Avatar not found"}

    def test_delete(self, app, client, user, auth_headers):
        upload(client, auth_headers, image_bytes())
        response = client.delete("/api/users/avatar", headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json()["avatar"] is None
        assert response.get_json()["id"] == user.id.hex
        assert stored_files(app) == []

    def test_delete_without_an_avatar_is_fine(self, client, auth_headers):
        response = client.delete("/api/users/avatar", headers=auth_headers)
        assert response.status_code == 200
        assert response.get_json()["avatar"] is None

    def test_images_up_to_5_mib_pass_the_1_mib_body_limit(self, client, auth_headers):
        noise = Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
        buffer = io.BytesIO()
        noise.save(buffer, format="PNG", compress_level=0)
        assert 1024 * 1024 < len(buffer.getvalue()) <= 5 * 1024 * 1024
        assert upload(client, auth_headers, buffer.getvalue()).status_code == 200

    def test_file_over_5_mib_is_413(self, app, client, auth_headers):
        response = upload(client, auth_headers, b"\x89PNG" + b"\0" * (5 * 1024 * 1024))
        assert response.status_code == 413
        assert response.get_json() == {"error": "payload_too_large",
                                       "detail": "Avatar images may be at most 5 MiB"}
        assert stored_files(app) == []

    def test_body_far_over_5_mib_is_413(self, client, auth_headers):
        response = upload(client, auth_headers, b"\0" * (6 * 1024 * 1024))
        assert response.status_code == 413
        assert response.get_json()["error"] == "payload_too_large"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"just some text", "The file is not a valid image."),
            (image_bytes()[:60], "The file is not a valid image."),
            (image_bytes("BMP"), "Upload a PNG, JPEG, GIF or WebP image."),
            (image_bytes("TIFF"), "Upload a PNG, JPEG, GIF or WebP image."),
            (b"", "The file is empty."),
        ],
    )
    def test_not_an_allowed_image_is_422(self, app, client, auth_headers, data, message):
        response = upload(client, auth_headers, data)
        assert response.status_code == 422
        assert response.get_json() == {"error": "validation_error",
                                       "detail": f"file: {message}",
                                       "errors": {"file": [message]}}
        assert stored_files(app) == []

    def test_decompression_bomb_is_422(self, client, auth_headers):
        """36 megapixels in a few kilobytes: refused from the header, never decoded."""
        buffer = io.BytesIO()
        Image.new("1", (6_000, 6_000)).save(buffer, format="PNG")
        assert len(buffer.getvalue()) < 100_000
        response = upload(client, auth_headers, buffer.getvalue())
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"file": ["The image has too many pixels."]}

    @pytest.mark.config(AVATAR_MAX_PIXELS=100)
    def test_pixel_limit_is_configurable(self, client, auth_headers):
        response = upload(client, auth_headers, image_bytes(size=(20, 20)))
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"file": ["The image has too many pixels."]}

    def test_missing_file_is_422(self, client, auth_headers):
        response = client.patch("/api/users/avatar", headers=auth_headers, data={},
                                content_type="multipart/form-data")
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"file": ["Missing data for required field."]}

    def test_needs_a_token(self, client):
        assert upload(client, {}, image_bytes()).status_code == 401
        assert client.delete("/api/users/avatar").status_code == 401

    @pytest.mark.parametrize("name", ["nope", "..", "0" * 32 + ".png", "0" * 32 + ".PNG"])
    def test_unknown_media_is_404(self, client, name):
        response = client.get(f"/media/avatars/{name}")
        assert response.status_code == 404
        assert response.get_json() == {"error": "not_found", "detail": "Avatar not found"}

    def test_paths_outside_the_folder_are_404(self, client):
        response = client.get("/media/avatars/../../etc/passwd")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


@pytest.fixture
def admin(make_user):
    return make_user("root", role=Role.ADMIN)


class TestAdministration:
    def test_admin_lists_users_paginated(self, client, admin, make_user, bearer):
        for name in ("bob", "carol", "dave"):
            make_user(name)
        response = client.get("/api/users/?limit=2&skip=1", headers=bearer(admin))
        assert response.status_code == 200
        assert [u["username"] for u in response.get_json()] == ["bob", "carol"]
        assert response.headers["X-Total-Count"] == "4"
        assert response.headers["X-Page-Count"] == "2"
        assert response.headers["X-Per-Page"] == "2"
        assert 'rel="next"' in response.headers["Link"]

    def test_bad_paging_is_422(self, client, admin, bearer):
        assert client.get("/api/users?limit=0", headers=bearer(admin)).status_code == 422

    def test_users_cannot_list(self, client, user, auth_headers):
        response = client.get("/api/users", headers=auth_headers)
        assert response.status_code == 403
        assert response.get_json() == NOT_ADMIN

    def test_listing_needs_a_token(self, client):
        assert client.get("/api/users").status_code == 401

    def test_admin_changes_a_role(self, client, admin, user, bearer):
        response = client.patch(f"/api/users/{user.id.hex}/role", headers=bearer(admin),
                                json={"role": "admin"})
        assert response.status_code == 200
        assert response.get_json()["role"] == "admin"
        assert response.get_json()["id"] == user.id.hex
        # The new admin's existing token now carries admin rights.
        assert client.get("/api/users", headers=bearer(user)).status_code == 200

    def test_users_cannot_change_roles(self, client, admin, user, auth_headers):
        response = client.patch(f"/api/users/{admin.id.hex}/role", headers=auth_headers,
                                data={"role": "user"})
        assert response.status_code == 403
        assert response.get_json() == NOT_ADMIN

    def test_admin_cannot_change_their_own_role(self, client, admin, bearer):
        response = client.patch(f"/api/users/{admin.id.hex}/role", headers=bearer(admin),
                                json={"role": "user"})
        assert response.status_code == 403
        assert response.get_json() == {"error": "forbidden",
                                       "detail": "Admins cannot change their own role"}

    def test_unknown_user_is_404(self, client, admin, bearer):
        response = client.patch("/api/users/0123456789abcdef0123456789abcdef/role",
                                headers=bearer(admin), json={"role": "admin"})
        assert response.status_code == 404
        assert response.get_json() == {"error": "not_found", "detail": "User not found"}

    def test_malformed_id_is_400(self, client, admin, bearer):
        response = client.patch("/api/users/42/role", headers=bearer(admin),
                                json={"role": "admin"})
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_id", "detail": "42"}

    @pytest.mark.parametrize("body", [{"role": "root"}, {}, {"role": None}])
    def test_invalid_role_is_422(self, client, admin, user, bearer, body):
        response = client.patch(f"/api/users/{user.id.hex}/role", headers=bearer(admin),
                                json=body)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"role"}

    def test_role_change_needs_a_token(self, client, user):
        response = client.patch(f"/api/users/{user.id.hex}/role", json={"role": "admin"})
        assert response.status_code == 401
