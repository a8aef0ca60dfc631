"""flask-smorest's Api and Blueprint, subclassed once so every convention lives here.

A view is its decorators plus one call into the domain:

    @blp.route("/")
    @blp.login_required
    @blp.response(200, ContactSchema(many=True))
    @blp.paginate()
    def list_contacts(page):
        return contacts.list_for(current_user(), page)
"""

from functools import wraps

import flask_smorest
from flask import current_app, jsonify
from marshmallow import Schema, fields

from .auth import current_user_id
from .caching import NETWORK, READS, cached
from .converters import IdConverter
from .errors import register_error_handlers
from .openapi import INFO, field_properties, id_parameter_schema
from .pagination import PageQuerySchema, page_headers
from .parsing import BodyParser, NetworkParser


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"example": "not_found"})
    detail = fields.Raw(metadata={"description": "A message on /api/; the seed's value on /1/"})
    errors = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": "Per-field messages"}
    )


class Api(flask_smorest.Api):
    """The OpenAPI-documented API, with the project's error format for every error."""

    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, *args, **kwargs):
        """The document's `info`, and the schemas of the shared formats (see `http.openapi`)."""
        super()._init_spec(*args, **kwargs)
        self.spec.options["info"] = {**INFO, **self.spec.options.get("info", {})}
        self.ma_plugin.converter.add_attribute_function(field_properties)
        self._register_converter(IdConverter, id_parameter_schema)

    def _register_error_handlers(self):
        register_error_handlers(self._app)

    def _openapi_json(self):
        """The document, rendered like every other response (charset, `pretty=1`)."""
        return jsonify(self.spec.to_dict())


class Blueprint(flask_smorest.Blueprint):
    """An `/api/` blueprint: Bearer authentication, 422 with a field map on bad input."""

    ARGUMENTS_PARSER = BodyParser()
    # `body` is documented as JSON only: generated clients take one body type per
    # operation. The two form encodings are named in the document's description.
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "body": "application/json",
    }
    #: Credentials this surface accepts, in the order WWW-Authenticate offers them.
    auth_schemes: tuple[str, ...] = ("bearer",)

    def arguments(self, schema, *, location="body", **kwargs):
        """Given a Schema class, webargs would build an instance on every request (marshmallow
        deep-copies each declared field to do it); the schemas keep no per-request state, so
        one instance serves them all. A body with no required field may be left out."""
        if isinstance(schema, type):
            schema = schema()
        if location == "body":
            required = not schema.partial and any(f.required for f in schema.fields.values())
            kwargs.setdefault("required", required)
        return super().arguments(schema, location=location, **kwargs)

    def paginate(self):
        """Parse `skip`/`limit` into a `page` argument; the view returns a `Page`."""

        def decorator(func):
            @self.arguments(PageQuerySchema, location="query", arg_name="page")
            @wraps(func)
            def wrapper(*args, page, **kwargs):
                result = func(*args, page=page, **kwargs)
                return result.items, page_headers(result, page)

            return wrapper

        return decorator

    def login_required(self, func):
        """The view needs a user; documents the security schemes this surface accepts."""
        @wraps(func)
        def wrapper(*args, **kwargs):
            current_user_id()
            return current_app.ensure_sync(func)(*args, **kwargs)

        security = [{f"{scheme}Auth": []} for scheme in self.auth_schemes]
        return self.doc(security=security)(wrapper)

    def cached(self, timeout: int, vary=None, shared=(), owner=current_user_id, methods=READS):
        """Cache the view's responses per user (see `http.caching`); documents the 304."""
        def decorator(func):
            wrapper = cached(timeout, vary, shared, owner, methods)(func)
            if not methods & READS:
                return wrapper
            return self.doc(responses={"304": {"description": "Not Modified (If-None-Match)"}})(
                wrapper
            )

        return decorator


class NetworkBlueprint(Blueprint):
    """A `/1/` blueprint: Basic authentication too, and the seed's 400 error codes."""

    ARGUMENTS_PARSER = NetworkParser()
    auth_schemes = ("bearer", "basic")

    def cached(self, timeout: int = 10, vary=None, shared=(), methods=READS):
        """Cached per viewer and ended by any network write too (API.md §1: reads live
        10 s, and any network write ends them at once)."""
        return super().cached(timeout, vary, (*shared, NETWORK), methods=methods)
