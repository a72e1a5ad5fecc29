"""Coordinators' pages for a team: members, roles and invites."""
