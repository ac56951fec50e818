"""Validation of data values that become parts of object keys, paths or ids.

A value from a source (a campaign ``_id``, say) may only become one segment of a key when it is
plain: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit, at most 128
characters. Anything else (``..``, ``/``, quotes, NUL, spaces, invisible characters) is refused
with the value and what it was for, so nothing can leave its prefix.
"""

import re

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class UnsafeKeyError(ValueError):
    """A data value that cannot be used inside an object key or path."""


def key_segment(value: object, what: str) -> str:
    """``value`` as one key segment, or ``UnsafeKeyError`` naming ``what`` it was meant for."""
    text = str(value)
    if not _SEGMENT.fullmatch(text) or ".." in text:
        raise UnsafeKeyError(
            f"{what} {text!r} cannot be part of an object key: use 1-128 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit, without '..'"
        )
    return text


def checked_key(key: str) -> str:
    """A store-relative key without empty, ``.`` or ``..`` segments, NUL or backslashes."""
    parts = key.strip("/").split("/")
    if key.strip("/") and (
        any(p in ("", ".", "..") for p in parts) or "\x00" in key or "\\" in key
    ):
        raise UnsafeKeyError(f"object key {key!r} has an empty, '.' or '..' segment, NUL or '\\'")
    return key.strip("/")
