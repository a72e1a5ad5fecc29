"""Tell a full or read-only disk apart from other failures, so the answer can say what happened.

A write that the disk refused is not a bug of the server: the client is told
503 storage_unavailable (try again later, nothing was stored) rather than a
bare 500, and /readyz warns before it happens.
"""

import errno
import os
import shutil

import sqlalchemy as sa

# The errors of an operating system whose disk is full, read-only or over quota.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}
# What SQLite and PostgreSQL say when they cannot write for the same reasons.
STORAGE_WORDS = (
    "database or disk is full",
    "attempt to write a readonly database",
    "readonly database",
    "no space left on device",
    "could not extend file",
    "read-only file system",
    "disk quota exceeded",
)
# PostgreSQL's SQLSTATE of disk_full and insufficient_resources.
STORAGE_SQLSTATES = {"53100", "53000"}

MESSAGE = (
    "The server cannot store anything right now: its disk is full or read-only. "
    "Nothing of this request was stored; keep it and try again later. The server's administrator has been told."
)


def is_storage_failure(error):
    """Return whether `error` (or what caused it) is a disk that is full or cannot be written."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
            return True
        if isinstance(error, sa.exc.DBAPIError):
            if getattr(error.orig, "sqlstate", None) in STORAGE_SQLSTATES:
                return True
            if any(words in str(error.orig).lower() for words in STORAGE_WORDS):
                return True
        error = error.__cause__ or error.__context__
    return False


def free_bytes(folder):
    """Return the free bytes of the disk holding `folder` (its nearest existing parent)."""
    path = os.path.abspath(folder)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return shutil.disk_usage(path).free


def writable(folder):
    """Return whether a file can be made in `folder` (a real write: os.access trusts permissions, not mounts)."""
    probe = os.path.join(folder, f".fvfield-write-check-{os.getpid()}")
    try:
        with open(probe, "w") as out:
            out.write("ok")
        os.unlink(probe)
    except OSError:
        return False
    return True
