"""The field app's server side: /app/ (the shell), /manifest.webmanifest and /sw.js.

precache.py builds them from the files; routes.py serves them. The app itself
is static/js and sw/sw.js (docs/field-app.md).
"""

from flask import Blueprint

bp = Blueprint("field", __name__)

from fvfield.field import routes  # noqa: E402,F401  (registers the routes on bp)
