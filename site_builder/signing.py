"""This user's key, kept where no commit can reach (the user's cache folder), and what it signs:
the parse cache and the output folder's marker. A file in the site or its output that this
machine's site-builder did not write is never believed (SECURITY.md).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

MAC_BYTES = 32


def secret_path() -> Path:
    """This user's key for parse caches: in the user's cache folder, where no commit can reach."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "site-builder" / "cache-key"


def machine_key() -> bytes:
    """The key, made on first use; two first builds at once agree on one (``link`` never replaces)."""
    path = secret_path()
    with contextlib.suppress(FileNotFoundError):
        key = path.read_bytes()
        if len(key) == MAC_BYTES:
            return key
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)  # readable by this user only
    try:
        with open(fd, "wb") as f:
            f.write(secrets.token_bytes(MAC_BYTES))
        try:
            os.link(tmp, path)
        except FileExistsError:
            if len(path.read_bytes()) != MAC_BYTES:
                os.replace(tmp, path)  # a damaged key: the caches it signed are lost anyway
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    key = path.read_bytes()
    if len(key) != MAC_BYTES:
        raise OSError(f"{path} is not a key")
    return key


def sign(data: bytes) -> str:
    """An HMAC-SHA256 of ``data`` with this user's key, as hex."""
    return hmac.new(machine_key(), data, "sha256").hexdigest()


def signed_by_us(data: bytes, mac: object) -> bool:
    """Whether ``mac`` is this user's signature of ``data`` (False for anything that is not)."""
    return isinstance(mac, str) and hmac.compare_digest(sign(data), mac)
