"""The devices of a team: which installed app of which person last pushed and pulled."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from fvfield.models import Device

devices = Device.__table__
KEY = ("team_id", "device_id", "user_id")
UPSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def note_device(conn, team_id, user_id, device_id, now, event):
    """Record that a device pushed or pulled (`event` is "push" or "pull") at `now`."""
    moment = {f"last_{event}_at": now}
    key = {"team_id": team_id, "device_id": device_id, "user_id": user_id}
    insert = UPSERT.get(conn.dialect.name)
    if insert is not None:
        conn.execute(
            insert(devices)
            .values(**key, first_seen_at=now, **moment)
            .on_conflict_do_update(index_elements=list(KEY), set_=moment)
        )
        return
    where = [devices.c[name] == value for name, value in key.items()]
    if not conn.execute(sa.update(devices).where(*where).values(**moment)).rowcount:
        conn.execute(sa.insert(devices).values(**key, first_seen_at=now, **moment))
