"""The marker file every output folder of ours carries: the files of the build, each with its key,
and what the build recorded (its fingerprint, warnings, counts), signed with this user's key.

A build reads it to link unchanged files and to tell at once that nothing changed; ``deploy``
reads it to publish only the files a build made. The output folder is not trusted (SECURITY.md):
a marker this user's site-builder did not sign is no marker at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .signing import sign, signed_by_us

MARKER = ".site-builder-output"


def signed(marker: dict[str, Any]) -> bytes:
    """The marker's bytes: a line with this user's signature of the JSON that follows it."""
    text = (json.dumps(marker, indent=0) + "\n").encode()
    return f"{_SIGNATURE}{sign(text)}\n".encode() + text


_SIGNATURE = "signed "


def read_marker(folder: Path | None) -> dict[str, Any]:
    """The marker of an earlier build: its manifest and what the build recorded; empty if there is
    none, or if this user's site-builder did not write it. The output folder is not trusted
    (SECURITY.md): a marker planted with it would make a build reuse the pages planted beside it."""
    if folder is None:
        return {}
    try:
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(folder / MARKER, flags)
        with open(fd, "rb") as f:
            first, _, text = f.read().partition(b"\n")
        mac = first.decode("ascii").removeprefix(_SIGNATURE)
        if not first.startswith(_SIGNATURE.encode()) or not signed_by_us(text, mac):
            return {}
        data = json.loads(text)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def update_marker(folder: Path, about: dict[str, object]) -> None:
    """Record a build that changed no output in the marker, atomically; the outputs stay as they are.
    Written under a fresh name, never through a link someone left in the output."""
    marker = {**read_marker(folder), **about}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{MARKER}.")
    try:
        with open(fd, "wb") as f:
            f.write(signed(marker))
        os.replace(tmp, folder / MARKER)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_manifest(folder: Path | None) -> dict[str, str]:
    """Output path -> key, from the marker file of an earlier build (empty when there is none). A
    path that is not a plain relative path of the output is no file of ours: none is kept."""
    files = read_marker(folder).get("files", {})
    if not isinstance(files, dict):
        return {}
    ok = all(isinstance(k, str) and isinstance(v, str) and _inside(k) for k, v in files.items())
    return files if ok else {}


def _inside(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and ".." not in parts and not Path(rel).is_absolute()
