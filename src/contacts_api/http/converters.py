"""The `<id:name>` URL converter: a path id that is not a UUID is `400 invalid_id`, not 404."""

import re

from werkzeug.routing import BaseConverter

from .errors import InvalidId
from .fields import parse_id


class IdConverter(BaseConverter):
    """Accepts any path segment so that a malformed id is reported as such.

    Except the names of sibling routes, given as arguments: `<id("batch"):contact_id>`
    beside `/batch`. Without that, `GET /1/contacts/batch` would be an invalid id rather
    than a method the `batch` route does not allow (405, with that route's `Allow`).
    """

    def __init__(self, map, *siblings: str):
        super().__init__(map)
        if siblings:
            names = "|".join(re.escape(name) for name in siblings)
            self.regex = rf"(?!(?:{names})$)[^/]+"

    def to_python(self, value):
        parsed = parse_id(value)
        if parsed is None:
            # Raised during routing: Flask stores it and renders it as the response.
            raise InvalidId(value)
        return parsed

    def to_url(self, value):
        return value.hex if hasattr(value, "hex") else str(value)
