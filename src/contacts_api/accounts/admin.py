"""User administration: listing accounts and changing roles (API and CLI alike)."""

import uuid

import sqlalchemy as sa

from ..database import db, paged, paginate
from ..http import Forbidden, NotFound, Page, PageRequest
from .models import Role, User

_USERS = paged(sa.select(User.__table__).order_by(User.created_at, User.id))


def list_users(page: PageRequest) -> Page:
    return paginate(_USERS, page)


def set_role(actor: User, user_id: uuid.UUID, role: Role) -> User:
    """Change a role. Admins cannot change their own, so the last admin always stays one."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("User not found")
    if user.id == actor.id:
        raise Forbidden(detail="Admins cannot change their own role")
    user.role = role
    db.session.commit()
    return user
