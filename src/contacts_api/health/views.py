"""The health check a load balancer polls."""

import sqlalchemy as sa
from marshmallow import Schema, fields

from ..database import db
from ..extensions import redis_store
from ..http import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api", description="Service health")


class HealthSchema(Schema):
    message = fields.String(required=True)
    database = fields.String(required=True)
    cache = fields.String(required=True, metadata={"enum": ["ok", "in-process", "unavailable"]})


@blp.route("/healthchecker")
@blp.response(200, HealthSchema)
def healthchecker():
    """Report database and cache health; 503 when the database cannot be reached."""
    db.session.execute(sa.text("SELECT 1"))
    return {"message": "ok", "database": "ok", "cache": redis_store.status()}
