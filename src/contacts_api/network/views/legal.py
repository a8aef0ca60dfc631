"""`/1/legal`: the privacy policy and the terms of use, without authentication."""

from marshmallow import Schema, fields

from ...http import NetworkBlueprint, Timestamp
from .. import legal

blp = NetworkBlueprint("network_legal", __name__, url_prefix="/1/legal",
                       description="Legal texts")


class LegalTextSchema(Schema):
    title = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "Markdown"})
    updated = Timestamp(required=True)


@blp.route("/privacy", methods=["GET"])
@blp.response(200, LegalTextSchema)
def privacy():
    """Fetch the privacy policy."""
    return legal.document("privacy")


@blp.route("/terms", methods=["GET"])
@blp.response(200, LegalTextSchema)
def terms():
    """Fetch the terms of use."""
    return legal.document("terms")
