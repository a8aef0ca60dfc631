"""`/api/contacts/import` and `/api/contacts/export`: the whole book as vCard or CSV."""

from functools import wraps

from flask import request

from ...http import Blueprint, current_user_id
from ...http.errors import ApiError, ValidationFailed
from ...http.rendering import attachment
from .. import transfer
from ..schemas import ExportQuerySchema, ImportQuerySchema, ImportReportSchema

blp = Blueprint("transfer", __name__, url_prefix="/api/contacts",
                description="Import and export of the address book")

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Room for the multipart framing around a file of the largest allowed size.
MULTIPART_OVERHEAD = 64 * 1024
DOWNLOADS = {"vcard": ("text/vcard; charset=utf-8", "contacts.vcf"),
             "csv": ("text/csv; charset=utf-8", "contacts.csv")}
FILE_BODY = {"schema": {"type": "string", "format": "binary"}}
IMPORT_BODY = {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "vCard 3.0/4.0 or CSV, at most 10 MiB"}}}},
    "text/vcard": FILE_BODY, "text/x-vcard": FILE_BODY, "text/csv": FILE_BODY,
}}
EXPORT_RESPONSE = {"description": "The cards, streamed as an attachment", "content": {
    "text/vcard": FILE_BODY, "text/csv": FILE_BODY}}


def accepts_import_upload(func):
    """Raise this request's body limit from 1 MiB to the import size, before parsing."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        request.max_content_length = MAX_IMPORT_BYTES + MULTIPART_OVERHEAD
        return func(*args, **kwargs)

    return wrapper


def uploaded_file() -> bytes:
    """The file: the multipart `file` part, or else the raw body (text/vcard, text/csv)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed({"file": ["Missing data for required field."]})
        data = upload.read(MAX_IMPORT_BYTES + 1)
    else:
        data = request.get_data(cache=False)
    if len(data) > MAX_IMPORT_BYTES:
        raise ApiError(413, "payload_too_large", "Import files may be at most 10 MiB")
    return data


@blp.route("/import", methods=["POST"])
@blp.login_required
@accepts_import_upload
@blp.arguments(ImportQuerySchema, location="query")
@blp.response(200, ImportReportSchema)
@blp.doc(requestBody=IMPORT_BODY)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="Over 10 MiB")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                  description="Neither vCard nor CSV, not UTF-8/UTF-16, over 10,000 cards")
def import_cards(args):
    """Import a vCard or CSV file: cards matching the book are skipped or updated."""
    return transfer.import_cards(current_user_id(), uploaded_file(), **args)


@blp.route("/export", methods=["GET"])
@blp.login_required
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(200, description="The cards, streamed as an attachment")
@blp.doc(responses={"200": EXPORT_RESPONSE})
def export_cards(args):
    """Download your cards (or those matching `query`) as vCard 4.0/3.0 or CSV."""
    chunks = transfer.export_cards(current_user_id(), args["format"], args["version"],
                                   args.get("query"))
    return attachment(chunks, *DOWNLOADS[args["format"]])
