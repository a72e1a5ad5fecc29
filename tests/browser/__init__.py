"""Browser tests of the field app: real Chromium against a real server (conftest.py)."""
