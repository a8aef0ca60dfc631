"""The Flask extensions, as bare instances; `create_app` binds them to the app."""

from flask_jwt_extended import JWTManager
from flask_mail import Mail

from .database import db
from .http import Api
from .http.caching import cache
from .ratelimits import limiter
from .stores import RedisStore

api = Api()
jwt = JWTManager()
mail = Mail()
redis_store = RedisStore()

__all__ = ["api", "cache", "db", "jwt", "limiter", "mail", "redis_store"]
