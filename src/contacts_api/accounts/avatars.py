"""Avatars: uploaded images checked with Pillow, cropped square, 256 px, stored on disk.

An upload is decoded for real (not trusted by its name or content type), must be a PNG,
JPEG, GIF or WebP, and may not declare more pixels than `AVATAR_MAX_PIXELS`, checked
from the header before anything is decoded (a decompression bomb never gets expanded).
Stored files get random names, are re-encoded as PNG (nothing of the upload but its
pixels survives: no metadata, no trailing payload) and are never overwritten.

Pillow is imported where an upload is decoded: with its native libraries it costs every
web worker about 2 MiB, and only an avatar upload needs it.
"""

import io
import re
import secrets
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app, has_request_context, request

from ..database import db
from ..http.errors import ApiError, NotFound, ValidationFailed

if TYPE_CHECKING:
    from PIL import Image

SIZE = 256
FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
NAME_PATTERN = re.compile(r"[0-9a-f]{32}\.png")
MEDIA_PATH = "/media/avatars/"


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def _square(data: bytes) -> "Image.Image":
    """The upload decoded, cropped to a centred square and resized to SIZE px."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    max_pixels = current_app.config["AVATAR_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; any bomb is an error here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise _invalid("Upload a PNG, JPEG, GIF or WebP image.")
                width, height = probe.size
                if width * height > max_pixels:
                    raise _invalid("The image has too many pixels.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)
                # JPEG can decode at a fraction of its size: no need for every pixel.
                image.draft("RGB", (SIZE * 2, SIZE * 2))
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA")
                return ImageOps.fit(image, (SIZE, SIZE), Image.Resampling.LANCZOS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _invalid("The image has too many pixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _invalid("The file is not a valid image.") from exc


def _folder() -> Path:
    folder = Path(current_app.config["AVATAR_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(upload) -> str:
    """Check, crop and save an uploaded file; returns the stored file's name."""
    limit = current_app.config["AVATAR_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "payload_too_large", "Avatar images may be at most 5 MiB")
    if not data:
        raise _invalid("The file is empty.")
    image = _square(data)
    name = f"{secrets.token_hex(16)}.png"
    image.save(_folder() / name, format="PNG", optimize=True)
    return name


def remove(name: str | None) -> None:
    """Delete a stored avatar file, if there is one."""
    if name and NAME_PATTERN.fullmatch(name):
        (Path(current_app.config["AVATAR_DIR"]) / name).unlink(missing_ok=True)


def stored_path(name: str) -> Path:
    """The file of a stored avatar; 404 for any other name."""
    path = Path(current_app.config["AVATAR_DIR"]) / name
    if not NAME_PATTERN.fullmatch(name) or not path.is_file():
        raise NotFound("Avatar not found")
    return path


def url(name: str | None) -> str | None:
    """The absolute URL of a stored avatar (on PUBLIC_BASE_URL, or the request's host)."""
    if not name:
        return None
    base = current_app.config["PUBLIC_BASE_URL"]
    if base is None and has_request_context():
        base = request.host_url.rstrip("/")
    return f"{base or ''}{MEDIA_PATH}{name}"


def replace_avatar(user, upload) -> None:
    """Give `user` a new avatar from an upload; the previous file is deleted."""
    name = store(upload)
    previous, user.avatar = user.avatar, name
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove(name)
        raise
    remove(previous)


def delete_avatar(user) -> None:
    previous, user.avatar = user.avatar, None
    db.session.commit()
    remove(previous)
