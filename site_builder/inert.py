"""What an untrusted section may publish (SECURITY.md): inert files, known by their suffix and their
bytes. GitHub Pages sets Content-Type from the suffix; for these no browser runs the file as a page
or a script. SVG is not here: it carries script. The bytes must be what the suffix says, so
"photo.png" holding HTML is refused too.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .diagnostics import Diagnostic, error


def _avif(head: bytes) -> bool:
    """An ISO BMFF ``ftyp`` box naming avif/avis as its major or a compatible brand."""
    if head[4:8] != b"ftyp":
        return False
    size = min(int.from_bytes(head[:4], "big"), len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, size - 3, 4)]
    return bool({b"avif", b"avis"} & set(brands))


_SIGNATURES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".png": ("a PNG image", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("a JPEG image", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("a JPEG image", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".gif": ("a GIF image", lambda b: b[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("a WebP image", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ".avif": ("an AVIF image", _avif),
    ".pdf": ("a PDF document", lambda b: b.startswith(b"%PDF-")),
}
# Served as text/plain, text/csv and application/json: shown or downloaded, never run.
_TEXT = {".txt": "plain text", ".csv": "CSV text", ".json": "JSON"}
INERT_SUFFIXES = (*_SIGNATURES, *_TEXT)
_HEAD = 64
_CHUNK = 1 << 16
_BLANK = "\ufeff \t\r\n\f"  # a byte order mark and the whitespace a browser skips when it sniffs


def inert(path: Path, rel: str, section: str, problems: list[Diagnostic]) -> bool:
    """Whether a file of an untrusted section may be copied; a problem says why not. The suffix is
    the published name's (``rel``), as that is what sets the Content-Type."""
    shown = f"content/{rel}"
    suffix = os.path.splitext(rel)[1].lower()
    if suffix not in INERT_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file without a suffix"
        problems.append(
            error(
                "discover/untrusted-type",
                shown,
                f"{section}/ is an untrusted section, and {kind} is not one it may publish: only "
                "PNG, JPEG, GIF, WebP, AVIF, PDF, .txt, .csv and .json files are copied from it, as "
                "anything else (HTML, SVG, JavaScript, CSS, XML) could run script on the site",
                hint="convert it (an SVG or HTML file to PNG or PDF), or have the team review it "
                "and add it to static/",
            )
        )
        return False
    expected = _SIGNATURES[suffix][0] if suffix in _SIGNATURES else _TEXT[suffix]
    why = _mismatch(path, suffix)
    if why is None:
        return True
    problems.append(
        error(
            "discover/untrusted-content",
            shown,
            f"this file is named {suffix} but is not {expected}: {why}",
            hint=f"save it again as a real {suffix} file, or remove it",
        )
    )
    return False


def _mismatch(path: Path, suffix: str) -> str | None:
    """Why the bytes are not what ``suffix`` says, or None when they are."""
    try:
        with open(path, "rb") as f:
            if suffix in _SIGNATURES:
                head = f.read(_HEAD)
                if _SIGNATURES[suffix][1](head):
                    return None
                if head.decode("latin-1").lstrip(_BLANK + "\xef\xbb\xbf").startswith("<"):
                    return "it starts with '<', like HTML, SVG or XML"
                return "its first bytes are not that format's signature"
            return _text_mismatch(f, suffix == ".json")
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"


def _text_mismatch(f: BinaryIO, is_json: bool) -> str | None:
    """UTF-8 without NUL bytes, not starting with ``<`` (markup a sniffing browser could render);
    JSON must parse. Read in chunks: only JSON is kept whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    first = ""
    try:
        while True:
            chunk = f.read(_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if "\x00" in text:
                return "it holds NUL bytes, as binary files do"
            first = first or text.lstrip(_BLANK)[:1]
            if is_json:
                parts.append(text)
            if not chunk:
                break
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    if first == "<":
        return "it starts with '<', like HTML or XML, which some browsers would render as a page"
    if is_json:
        try:
            json.loads("".join(parts).removeprefix("\ufeff"))
        except json.JSONDecodeError as exc:
            return f"it is not valid JSON ({exc.msg}, line {exc.lineno})"
        except RecursionError:
            return "it is not valid JSON (nested too deeply)"
    return None
