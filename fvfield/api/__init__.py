"""The JSON API that phones sync through (docs/api.md, /api/v1/openapi.json).

One blueprint; each module below adds the routes of one resource.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from fvfield.api import (
    attachments,  # noqa: E402,F401
    openapi,  # noqa: E402,F401
    session,  # noqa: E402,F401  (registers routes on bp)
    sync,  # noqa: E402,F401
)
