"""The API docs page at `/docs`, served with Swagger UI's files from the package (no CDN)."""

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint("docs_assets", __name__)

ASSETS_URL = "/docs/assets/"


@blp.route(f"{ASSETS_URL}<path:filename>")
def swagger_ui_asset(filename):
    return send_from_directory(swagger_ui_path, filename, max_age=24 * 3600)
