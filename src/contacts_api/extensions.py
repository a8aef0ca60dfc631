"""The Flask extensions, as bare instances; `create_app` binds them to the app."""

from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_mail import Mail
from flask_migrate import Migrate

from .database import db
from .http import Api
from .stores import RedisStore

api = Api()
cache = Cache()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)
mail = Mail()
migrate = Migrate()
redis_store = RedisStore()

__all__ = ["api", "cache", "db", "jwt", "limiter", "mail", "migrate", "redis_store"]
