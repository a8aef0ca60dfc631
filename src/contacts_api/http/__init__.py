"""The HTTP conventions both surfaces share, in one place (see API.md §1)."""

from .auth import current_user, current_user_id
from .blueprint import Api, Blueprint, NetworkBlueprint
from .errors import ApiError, BadRequest, Conflict, Forbidden, InvalidId, NotFound
from .fields import CommaList, EmailAddress, Id, OrRemoved, SyncTime, Timestamp
from .pagination import Page, PageRequest

__all__ = [
    "Api", "ApiError", "BadRequest", "Blueprint", "CommaList", "Conflict", "EmailAddress",
    "Forbidden", "Id", "InvalidId", "NetworkBlueprint", "NotFound", "OrRemoved", "Page",
    "PageRequest",
    "SyncTime", "Timestamp", "current_user", "current_user_id",
]
