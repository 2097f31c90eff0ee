"""The published generation: one complete build in memory, immutable, which the server reads.

Requests read the current generation through one reference, so a rebuild never makes them wait and
never shows a half-built site (mkdocs makes requests wait while it rebuilds). A URL path names one
of its output paths through ``resolve`` and never becomes a file-system path. A static file is kept
as its source path and read when requested, only if it is still a regular file inside the site's
folders (SECURITY.md, "The dev server answers only this machine").
"""

from __future__ import annotations

import errno
import mimetypes
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import IO
from urllib.parse import unquote

from ..model import Output

# A FIFO swapped in for a static file must not block the thread that opens it.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_TYPES = {  # the common ones fixed here: mimetypes reads the machine's own tables for the rest
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}


class Generation(Mapping[str, bytes | Path]):
    """One complete build in memory: output path (POSIX, relative) -> bytes, or the static file's source.

    Immutable once made, so a request holding it never sees a half-built site; ``base_path`` is the
    URL path it is served under ("/" or "/repo/"). ``roots`` are the folders static sources may be
    read from (the site and the built-in theme): a source that is no longer a file inside one of
    them when it is requested is not served, and without roots no source is.
    """

    __slots__ = ("_files", "_folders", "base_path", "roots")

    def __init__(
        self,
        files: Mapping[str, bytes | Path] | None = None,
        base_path: str = "/",
        roots: Iterable[Path] = (),
    ) -> None:
        self._files: Mapping[str, bytes | Path] = MappingProxyType(dict(files or {}))
        self.base_path = base_path
        self.roots = tuple(dict.fromkeys(Path(os.path.realpath(root)) for root in roots))
        self._folders: frozenset[str] | None = None  # made on the first miss: most requests hit a key

    def __getitem__(self, key: str) -> bytes | Path:
        return self._files[key]

    def __contains__(self, key: object) -> bool:
        return key in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def is_folder(self, key: str) -> bool:
        """Whether ``key`` is a folder of some output path (``posts/one`` for ``posts/one/index.html``)."""
        if key + "/index.html" in self._files:
            return True
        if self._folders is None:  # two threads may both build it: same value, one assignment
            self._folders = frozenset(
                p.rsplit("/", n)[0] for p in self._files for n in range(1, p.count("/") + 1)
            )
        return key in self._folders

    def with_files(self, extra: Mapping[str, bytes | Path], roots: Iterable[Path] = ()) -> Generation:
        """A new generation with ``extra`` (read from ``roots``) added; this one's own files win."""
        return Generation({**extra, **self._files}, self.base_path, (*self.roots, *roots))


def generation_files(outputs: Sequence[Output]) -> dict[str, bytes | Path]:
    """Output path -> the page's bytes, or a static file's source (read when it is requested)."""
    files: dict[str, bytes | Path] = {}
    for output in outputs:
        body = output.data if output.data is not None else output.source
        if body is not None:
            files[output.path] = body
    return files


def open_source(path: Path, roots: tuple[Path, ...]) -> IO[bytes]:
    """Open a static source the build listed, if it is still a regular file inside one of ``roots``.

    Since the build, the file may have been swapped for a link to a file elsewhere, or a folder above
    it for a linked folder (a ``git checkout`` while serving does both). As discovery does
    (SECURITY.md, "Links never leave the site"), the file is refused unless its real path is inside
    a root and below it in no hidden folder (``.git``). The check is made on the file actually
    opened (device and inode), so a swap between opening and checking cannot pass; a FIFO or device
    is refused without blocking. Raises OSError (PermissionError when refused).
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        real = Path(os.path.realpath(path))
        named = os.stat(real)
        same = (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
        inside = any(
            real.is_relative_to(root) and not any(p.startswith(".") for p in real.relative_to(root).parts)
            for root in roots
        )
        if not (stat.S_ISREG(opened.st_mode) and same and inside):
            raise PermissionError(errno.EACCES, "not a file inside the site's folders", str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def write_generation(gen: Generation, folder: Path) -> None:
    """Every file of ``gen`` under ``folder``: bytes written, static files copied (only those the
    server would serve: Pagefind must not index a file swapped for a link since the build)."""
    for key, body in gen.items():
        target = folder / key
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            target.write_bytes(body)
            continue
        try:
            source = open_source(body, gen.roots)
        except OSError:  # deleted or refused since the build listed it; the next build says why
            continue
        with source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)


def content_type(key: str) -> str:
    """The Content-Type for an output path, with the charset for text."""
    name = key.rpartition("/")[2]
    kind = (
        _TYPES.get(PurePosixPath(name).suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    if kind.startswith("text/") or kind in ("application/xml", "application/json"):
        kind += "; charset=utf-8"
    return kind


def resolve(url_path: str) -> str | None:
    """The output key a URL path (under the mount) names, or None for anything that tries to leave.

    Keys come from the pipeline, so a lookup alone cannot reach other files; this refusal is defence
    in depth, so that no URL can name a file outside the output whatever a later change does with it.
    Decodes until stable so double-encoded ``%252e%252e`` is caught too; refuses ``..`` segments, NUL
    and backslashes outright. Empty and ``.`` segments are dropped; a trailing ``/`` stays.
    """
    decoded = url_path
    try:
        for _ in range(4):
            once = unquote(decoded, errors="strict")
            if once == decoded:
                break
            decoded = once
        else:
            return None
    except UnicodeDecodeError:
        return None
    parts = decoded.split("/")
    if "\x00" in decoded or "\\" in decoded or any(p.strip() == ".." for p in parts):
        return None
    key = "/".join(p for p in parts if p not in ("", "."))
    return key + "/" if key and parts[-1] in ("", ".") else key
