"""The Flask extensions, as bare instances; `create_app` binds them to the app."""

from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_mail import Mail

from .database import db
from .http import Api
from .ratelimits import limiter
from .stores import RedisStore

api = Api()
# No templates are rendered: the Jinja environment that the `{% cache %}` tag would need is
# never built.
cache = Cache(with_jinja2_ext=False)
jwt = JWTManager()
mail = Mail()
redis_store = RedisStore()

__all__ = ["api", "cache", "db", "jwt", "limiter", "mail", "redis_store"]
