"""WSGI entry point: `gunicorn wsgi:app`."""

from contacts_api import create_app

app = create_app()
