"""`skip`/`limit` paging: the query schema, the result type and the response headers."""

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, post_load, validate

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: The largest OFFSET the databases take (a signed 64-bit integer).
MAX_SKIP = 2**63 - 1


@dataclass(frozen=True)
class PageRequest:
    skip: int = 0
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class Page:
    """One page of a list: the items and the number of records matching in all."""

    items: list[Any]
    total: int


class PageQuerySchema(Schema):
    skip = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_SKIP),
        metadata={"description": "Records to skip"},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Records per page, 1..{MAX_LIMIT}"},
    )

    @post_load
    def make_request(self, data, **kwargs):
        return PageRequest(**data)


def _page_url(skip: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "skip"]
    return f"{request.base_url}?{urlencode([*args, ('skip', skip)])}"


def page_headers(page: Page, page_request: PageRequest) -> dict[str, str]:
    """X-Total-Count, X-Page-Count, X-Current-Page, X-Per-Page and an RFC 8288 Link."""
    skip, limit = page_request.skip, page_request.limit
    headers = {
        "X-Total-Count": str(page.total),
        "X-Page-Count": str(math.ceil(page.total / limit)),
        "X-Current-Page": str(skip // limit + 1),
        "X-Per-Page": str(limit),
    }
    links = []
    if skip + limit < page.total:
        links.append(f'<{_page_url(skip + limit)}>; rel="next"')
    if skip > 0:
        links.append(f'<{_page_url(max(skip - limit, 0))}>; rel="prev"')
    if links:
        headers["Link"] = ", ".join(links)
    return headers
