"""Photos: files on disk named by the sha256 of their bytes, linked to the teams that uploaded them.

The bytes never enter the database. A file is written to a temporary name
in the attachments folder while it is hashed, flushed to disk, and renamed
into place, so a crash never leaves half a photo under a real name.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import Attachment
from fvfield.problems import Problem, said

SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 64 * 1024
# The first bytes of each image type the field app may send.
MAGIC = {
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


class AttachmentRefused(Problem):
    """An upload the server does not keep; `code` says why."""


def path_of(folder, sha256):
    """Return where the file of a hash lives: <folder>/<first two hex digits>/<hash>."""
    return Path(folder) / sha256[:2] / sha256


def find(team_id, sha256):
    """Return the team's attachment with this hash, or None."""
    return db.session.scalar(
        sa.select(Attachment).where(Attachment.team_id == team_id, Attachment.sha256 == sha256)
    )


def receive(stream, folder, sha256, content_type, limit):
    """Write the bytes of `stream` under their hash; return their size.

    Raises AttachmentRefused for bytes that are not the declared image type
    (415), more than `limit` bytes (413) or bytes with another hash (400).
    """
    folder = Path(folder)
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    fd, temporary = tempfile.mkstemp(dir=folder / "tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if len(head) < 12:
                    head += chunk[: 12 - len(head)]
                    if len(head) >= 12 and not MAGIC[content_type](head):
                        raise not_an_image(content_type)
                size += len(chunk)
                if size > limit:
                    raise AttachmentRefused(
                        "attachment_too_large", said("A photo may have at most %(limit)s bytes.", limit=limit)
                    )
                digest.update(chunk)
                out.write(chunk)
            if not MAGIC[content_type](head):
                raise not_an_image(content_type)
            if digest.hexdigest() != sha256:
                raise AttachmentRefused(
                    "hash_mismatch",
                    said(
                        "These bytes do not hash to the name they were sent under: upload them as their sha256, in "
                        "lower-case hex."
                    ),
                )
            out.flush()
            os.fsync(out.fileno())
        final = path_of(folder, sha256)
        final.parent.mkdir(exist_ok=True)
        os.replace(temporary, final)
        sync_folder(final.parent)
        return size
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def not_an_image(content_type):
    """Return the refusal of bytes that are not the image type they were sent as."""
    return AttachmentRefused(
        "unsupported_media_type",
        said("These bytes are not a %(content_type)s image.", content_type=NAMES[content_type]),
    )


def sync_folder(folder):
    """Flush a folder's entries to disk, so that a rename survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
