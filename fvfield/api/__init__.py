"""The JSON API that phones sync through (docs/api.md, /api/v1/openapi.json)."""
