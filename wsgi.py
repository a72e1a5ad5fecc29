"""Serve fvfield with any WSGI server: ``gunicorn wsgi:app``."""

from fvfield import create_app

app = create_app()
