"""What the OpenAPI document says about the shared formats, so clients are generated typed.

One place maps each field class of `http.fields` (and the `<id:…>` converter) to its
JSON Schema: schemathesis checks the server against it and client generators read
their types from it, so it must be as strict as the parsing, and no stricter.
"""

from .fields import EmailAddress, Id, OrRemoved, SyncTime, Timestamp

#: What the server accepts: 32 hex or hyphenated, any case (API.md §1, IDs).
ID_INPUT_PATTERN = (
    r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
    r"-[0-9a-fA-F]{12})$"
)
#: What the server renders.
ID_OUTPUT_PATTERN = r"^[0-9a-f]{32}$"
EPOCH_SECONDS_PATTERN = r"^\d{1,12}(\.\d+)?$"
#: 9999-12-31T23:59:59Z, the last instant a timestamp can hold.
MAX_EPOCH_SECONDS = 253402300799

INFO = {
    "description": (
        "A private address book (`/api/`) and the Atomic Contacts v1 network (`/1/`) on one "
        "user base. Ids are 32 lowercase hex characters; timestamps are ISO 8601 UTC with "
        "milliseconds and `Z`. Every write also accepts its body as "
        "`application/x-www-form-urlencoded` or `multipart/form-data` with the same fields "
        "(lists repeated or comma-separated); the document describes the JSON body."
    ),
    "contact": {"name": "contacts_api maintainers"},
    "license": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"},
}


def id_parameter_schema(converter) -> dict:
    """A path id: any accepted spelling; anything else is `400 invalid_id`."""
    return {"type": "string", "pattern": ID_INPUT_PATTERN}


def field_properties(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: the JSON Schema of the project's own field classes."""
    if "default" in ret and ret["default"] is None:
        # "Omitted means null" is said by `nullable`; a `default` would make TypeScript
        # generators require the property in request bodies.
        del ret["default"]
    if "anyOf" in field.metadata:
        # A field of several forms (a birthday: a date, or a month-day without a year)
        # is described by its `anyOf` alone, so generators type each form.
        # OpenAPI 3.0 honours `nullable` only beside a `type`, so each form carries it.
        for keyword in ("type", "format", "pattern"):
            ret.pop(keyword, None)
        if ret.pop("nullable", False):
            ret["anyOf"] = [{**form, "nullable": True} for form in ret["anyOf"]]
        return {}
    if isinstance(field, Id):
        pattern = ID_OUTPUT_PATTERN if field.dump_only else ID_INPUT_PATTERN
        return {"type": "string", "pattern": pattern}
    if isinstance(field, OrRemoved):
        ret.pop("$ref", None)
        ret.pop("allOf", None)
        return {"oneOf": [self.resolve_nested_schema(field.schema),
                          self.resolve_nested_schema(field.removed_schema)]}
    if isinstance(field, SyncTime):
        variants = [{"type": "string", "format": "date-time"},
                    {"type": "string", "pattern": EPOCH_SECONDS_PATTERN},
                    {"type": "number", "minimum": 0, "maximum": MAX_EPOCH_SECONDS}]
        return {"anyOf": variants}
    if isinstance(field, Timestamp):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, EmailAddress):
        return {"format": "email", "maxLength": 255}
    return {}
