"""The Flask extensions, as bare instances; `create_app` binds them to the app."""

from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_mail import Mail

from .database import db
from .http import Api
from .ratelimits import limiter
from .stores import RedisStore

api = Api()
cache = Cache()
jwt = JWTManager()
mail = Mail()
redis_store = RedisStore()

__all__ = ["api", "cache", "db", "jwt", "limiter", "mail", "redis_store"]
