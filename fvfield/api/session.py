"""API v1: the session a phone starts from."""

from flask import current_app
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from fvfield.accounts.access import teams_of
from fvfield.api import bp
from fvfield.models import utcnow


def limits():
    """Return the sync limits the phone must respect (one source: the config)."""
    config = current_app.config
    return {
        "max_changes": config["MAX_CHANGES"],
        "max_body_bytes": config["MAX_BODY_BYTES"],
        "max_attachment_bytes": config["MAX_ATTACHMENT_BYTES"],
    }


@bp.get("/session")
@login_required
def session():
    """Describe the logged-in user, their teams, a CSRF token and the limits."""
    return {
        "user": {"id": current_user.id, "email": current_user.email, "name": current_user.name},
        "teams": [
            {"slug": m.team.slug, "name": m.team.name, "kind": m.team.kind, "role": m.role}
            for m in teams_of()
        ],
        "csrf_token": generate_csrf(),
        "server_time": utcnow().isoformat(timespec="seconds"),
        "limits": limits(),
    }
