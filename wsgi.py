"""WSGI entry point: `gunicorn wsgi:app`."""

from contacts_api import create_app

# The web process needs no migration machinery (`flask db upgrade` runs from the CLI).
app = create_app({"DATABASE_MIGRATIONS": False})
