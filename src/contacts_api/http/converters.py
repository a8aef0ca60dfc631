"""The `<id:name>` URL converter: a path id that is not a UUID is `400 invalid_id`, not 404."""

from werkzeug.routing import BaseConverter

from .errors import InvalidId
from .fields import parse_id


class IdConverter(BaseConverter):
    """Accepts any path segment so that a malformed id is reported as such."""

    def to_python(self, value):
        parsed = parse_id(value)
        if parsed is None:
            # Raised during routing: Flask stores it and renders it as the response.
            raise InvalidId(value)
        return parsed

    def to_url(self, value):
        return value.hex if hasattr(value, "hex") else str(value)
