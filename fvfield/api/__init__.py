"""The JSON API that phones sync through (docs/api.md, /api/v1/openapi.json).

One blueprint; each module below adds the routes of one resource.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from fvfield.api import (  # noqa: E402, F401  (each registers its routes on bp)
    attachments,
    openapi,
    session,
    sync,
)
