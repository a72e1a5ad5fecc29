"""API v1: the session a phone starts from."""

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from fvfield import i18n
from fvfield.accounts.access import teams_of
from fvfield.api import bp
from fvfield.errors import ApiError
from fvfield.extensions import begin_write, db
from fvfield.models import Membership, User, utcnow
from fvfield.teams.phone_history import phone_history


def limits():
    """Return the sync limits the phone must respect (one source: the config)."""
    config = current_app.config
    return {
        "max_changes": config["MAX_CHANGES"],
        "max_body_bytes": config["MAX_BODY_BYTES"],
        "max_attachment_bytes": config["MAX_ATTACHMENT_BYTES"],
    }


def members_of(team_ids):
    """Return {team id: [{"id", "name"}]} of the members of these teams, by name.

    A team's phones name who recorded what ("Asha, Tue 25 Nov") from this
    list; it holds the user's own teams only, never anyone else's.
    """
    found = {team_id: [] for team_id in team_ids}
    if team_ids:
        rows = db.session.execute(
            sa.select(Membership.team_id, User.id, User.name)
            .join(User, User.id == Membership.user_id)
            .where(Membership.team_id.in_(team_ids))
            .order_by(User.name)
        )
        for team_id, user_id, name in rows:
            found[team_id].append({"id": user_id, "name": name})
    return found


@bp.get("/session")
@login_required
def session():
    """Describe the logged-in user, their teams (with their members' names), a CSRF token and the limits."""
    memberships = teams_of()
    members = members_of([m.team_id for m in memberships])
    return {
        "user": {
            "id": current_user.id,
            "email": current_user.email,
            "name": current_user.name,
            "language": current_user.language,
        },
        "teams": [
            {
                "slug": m.team.slug,
                "name": m.team.name,
                "kind": m.team.kind,
                "role": m.role,
                "members": members[m.team_id],
                "phone_history": phone_history(m.team),
            }
            for m in memberships
        ],
        "csrf_token": generate_csrf(),
        "server_time": utcnow().isoformat(timespec="seconds"),
        "limits": limits(),
    }


@bp.put("/session/language")
@login_required
def save_language():
    """Keep the language the person chose on their phone in their account: {"language": "bn"}."""
    body = request.get_json(silent=True)
    code = i18n.known(body.get("language")) if isinstance(body, dict) else None
    if code is None:
        raise ApiError(400, "bad_request", gettext("Choose one of the languages fvfield speaks."))
    begin_write()
    db.session.merge(current_user).language = code
    db.session.commit()
    return {"language": code}
