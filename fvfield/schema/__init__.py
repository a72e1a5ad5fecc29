"""Questionnaires as data: form definitions, their field types and checks."""
