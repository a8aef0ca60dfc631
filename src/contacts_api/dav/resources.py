"""The `/dav/` namespace: which resource a path names, and the path of each resource.

    /dav/                                     the root (discovery starts here)
    /dav/principals/<user id>/                the caller's principal
    /dav/addressbooks/<user id>/              the caller's address-book home
    /dav/addressbooks/<user id>/contacts/     the one address book
    /dav/addressbooks/<user id>/contacts/<n>  a card

Another user's id, `.` or `..` segments and anything else are 404, after authentication.
"""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote, urlsplit

from flask import request

from ..http.auth import current_user_id
from .errors import DavError

BOOK = "contacts"


class Kind(StrEnum):
    ROOT = "root"
    PRINCIPAL = "principal"
    HOME = "home"
    BOOK = "book"
    CARD = "card"


@dataclass(frozen=True)
class Resource:
    kind: Kind
    owner_id: uuid.UUID
    name: str | None = None  # a card's name

    @property
    def is_collection(self) -> bool:
        return self.kind is not Kind.CARD


def root_path() -> str:
    return f"{request.script_root}/dav/"


def principal_path(owner_id: uuid.UUID) -> str:
    return f"{root_path()}principals/{owner_id.hex}/"


def home_path(owner_id: uuid.UUID) -> str:
    return f"{root_path()}addressbooks/{owner_id.hex}/"


def book_path(owner_id: uuid.UUID) -> str:
    return f"{home_path(owner_id)}{BOOK}/"


def card_path(owner_id: uuid.UUID, name: str) -> str:
    return f"{book_path(owner_id)}{quote(name, safe='')}"


def path_of(resource: Resource) -> str:
    if resource.kind is Kind.CARD:
        return card_path(resource.owner_id, resource.name)
    if resource.kind is Kind.ROOT:
        return root_path()
    return {Kind.PRINCIPAL: principal_path, Kind.HOME: home_path,
            Kind.BOOK: book_path}[resource.kind](resource.owner_id)


def resolve(path: str) -> Resource:
    """The caller's resource at `path` (relative to `/dav/`); 404 for anything else, 400
    for a NUL character (a name PostgreSQL cannot store, nor even compare)."""
    owner_id = current_user_id()
    if "\x00" in path:
        raise DavError(400, "NUL characters are not allowed")
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in {".", ".."} for segment in segments):
        raise DavError(404, "Not found")
    if not segments:
        return Resource(Kind.ROOT, owner_id)
    top, user, *rest = [*segments, None][:2] + segments[2:]
    if user != owner_id.hex:
        raise DavError(404, "Not found")
    if top == "principals" and not rest:
        return Resource(Kind.PRINCIPAL, owner_id)
    if top == "addressbooks":
        if not rest:
            return Resource(Kind.HOME, owner_id)
        if rest[0] == BOOK and len(rest) == 1:
            return Resource(Kind.BOOK, owner_id)
        if rest[0] == BOOK and len(rest) == 2:
            return Resource(Kind.CARD, owner_id, rest[1])
    raise DavError(404, "Not found")


def resolve_href(href: str) -> Resource | None:
    """The resource an `href` in a request body names (a path or a full URL), or None."""
    path = unquote(urlsplit(href.strip()).path)
    prefix = root_path()
    if not (path + "/").startswith(prefix):
        return None
    try:
        return resolve(path[len(prefix):])
    except DavError:
        return None
