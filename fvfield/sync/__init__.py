"""The sync engine: plain functions over the store, no request objects (api/ is the HTTP layer).

push.py applies a device's changes (batch.py decides each one, merge.py the
field rule); pull.py answers what changed since a cursor; forms.py publishes
questionnaire versions; documents.py is the store's tables and change log;
web_edits.py and phone_copy.py bring the coordinators' edits and a phone's
saved file through the same rules. docs/sync.md is the contract.
"""
