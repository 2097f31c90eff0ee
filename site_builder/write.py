"""Stage 5: write outputs into a staging folder, then swap it in whole.

The output folder is only ever replaced or cleaned when it carries our marker file, so
``--out ~`` can never delete a home folder. A failed or killed build leaves the old output alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .diagnostics import Diagnostic, OutputError, error
from .marker import MARKER, signed

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: without it os.open reads text, and a PNG ends early
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links need privileges to make


def _staging_prefix(out: Path) -> str:
    return f".{out.name}.staging-"


def _old_prefix(out: Path) -> str:
    return f".{out.name}.old-"


@contextlib.contextmanager
def _writing(out: Path, rel: str = "") -> Iterator[None]:
    """Turn an OSError on the output side into an ``output/write`` diagnostic naming the file."""
    try:
        yield
    except OSError as exc:
        target = out / rel if rel else out
        code = errno.errorcode.get(exc.errno or 0, "")
        why = exc.strerror or str(exc)
        hint = "check that the folder is writable, or choose another --out"
        if exc.errno == errno.ENOSPC:
            why, hint = "no space left on the device", "free some disk space, or choose another --out"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            hint = "check the folder's permissions, or choose another --out"
        raise OutputError(
            error(
                "output/write",
                str(target),
                f"cannot write the output: {why}" + (f" ({code})" if code else ""),
                hint=hint,
            )
        ) from exc


def is_build_output(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def check_out_folder(out: Path) -> Diagnostic | None:
    """A folder we may replace: missing, empty, or one of our earlier outputs."""
    recover(out)
    blocked = _blocked_parent(out)
    if blocked is not None:
        return error(
            "output/not-a-folder",
            str(out),
            f"cannot create the output folder: {blocked} is a file, not a folder",
            hint="choose another --out",
        )
    if out.exists() and not out.is_dir():
        return error(
            "output/not-a-folder",
            str(out),
            "the output path is a file, not a folder",
            hint="choose another --out",
        )
    if out.is_dir() and any(out.iterdir()) and not is_build_output(out):
        return error(
            "output/not-ours",
            str(out),
            f"{out} is not empty and was not made by site-builder; nothing in it was touched",
            hint="choose an empty or new folder with --out, or empty this one yourself",
        )
    clean_leftovers(out)
    return None


def _blocked_parent(out: Path) -> Path | None:
    """The nearest existing ancestor of ``out`` when it is a file (``--out notes.txt/site``)."""
    for parent in out.parents:
        if parent.exists() or parent.is_symlink():
            return None if parent.is_dir() else parent
    return None


class Folder(NamedTuple):
    """Where files go (a staging folder) and the output it will become, which errors name."""

    path: Path
    out: Path


def _target(folder: Folder, rel: str) -> Path:
    target = folder.path / rel
    # Planned paths are normalised (urls.normalise); one that climbs out is a bug, never written.
    if ".." in Path(rel).parts or Path(rel).is_absolute():
        raise ValueError(f"refusing to write {rel!r} outside the output folder")
    with _writing(folder.out, rel):
        target.parent.mkdir(parents=True, exist_ok=True)
    return target


def write_file(folder: Folder, rel: str, data: bytes) -> None:
    """Write one output file; any process may, so rendered bytes need not travel to the build's."""
    target = _target(folder, rel)
    with _writing(folder.out, rel):
        target.write_bytes(data)


class Staging:
    """A folder beside ``out`` that outputs stream into; ``commit`` swaps it in whole, ``abort`` drops it.

    Streaming keeps memory flat on large sites: rendered pages are written as they come, not held.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        with _writing(self.out):
            self.out.parent.mkdir(parents=True, exist_ok=True)
            # The pid in the name lets a later build tell a killed build's folder from a running one's.
            prefix = f"{_staging_prefix(self.out)}{os.getpid()}-"
            self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.out.parent))
        self.manifest: dict[str, str] = {}  # output path -> the key it was made with

    @property
    def folder(self) -> Folder:
        return Folder(self.path, self.out)

    def _target(self, rel: str) -> Path:
        return _target(self.folder, rel)

    def write(self, rel: str, data: bytes, key: str = "") -> None:
        write_file(self.folder, rel, data)
        self.manifest[rel] = key

    def record(self, rel: str, key: str) -> None:
        """A file that a worker wrote into this folder itself (``write_file``)."""
        self.manifest[rel] = key

    def copy(self, rel: str, source: Path, key: str = "") -> None:
        target = self._target(rel)
        # Opened first: a missing or unreadable source is not the output's fault, and stays an OSError.
        # Discovery hands over checked real paths: a link found here was swapped in since (SECURITY.md).
        src = os.fdopen(os.open(source, os.O_RDONLY | _NOFOLLOW | _BINARY), "rb")
        with src, _writing(self.out, rel), open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        self.manifest[rel] = key

    def link(self, rel: str, previous: Path, key: str) -> None:
        """Reuse an unchanged file of an earlier output: same inode and mtime, nothing rewritten."""
        target = self._target(rel)
        try:
            os.link(previous, target)
        except OSError:  # another file system, or links not allowed: a copy keeps the mtime
            with _writing(self.out, rel):
                shutil.copy2(previous, target)
        self.manifest[rel] = key

    def commit(self, about: dict[str, object] | None = None) -> None:
        """Swap in; ``about`` (the build's fingerprint and summary) goes into the marker too."""
        marker = {"tool": "site-builder", **(about or {}), "files": dict(sorted(self.manifest.items()))}
        with _writing(self.out, MARKER):
            (self.path / MARKER).write_bytes(signed(marker))
            _swap(self.path, self.out)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    """Rename the old output aside, the staging folder into place, then delete the old one."""
    old = out.with_name(f"{_old_prefix(out)}{os.getpid()}")
    if out.exists():
        if any(out.iterdir()) and not is_build_output(out):
            raise RuntimeError(f"refusing to replace {out}: it is not a site-builder output")
        os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        if old.exists() and not out.exists():
            os.replace(old, out)  # put the previous output back before reporting
        raise
    _remove_output(old)


def _remove_output(folder: Path) -> None:
    """Delete one of our outputs with its marker last, so a half-deleted folder still says it is ours."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for child in folder.iterdir():
        if child.name == MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                child.unlink()
    if any(child.name != MARKER for child in folder.iterdir()):
        return  # something could not be deleted: keep the marker, a later build tries again
    with contextlib.suppress(OSError):
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()


def recover(out: Path) -> None:
    """After a crash between the two renames, put the previous output back."""
    if out.exists() or out.is_symlink() or not out.parent.is_dir():
        return
    for old in sorted(out.parent.glob(f"{_old_prefix(out)}*")):
        if is_build_output(old):
            with contextlib.suppress(OSError):
                os.replace(old, out)
            return


def clean_leftovers(out: Path) -> list[Path]:
    """Remove what a killed build left beside ``out``: its staging folder and the old output it was
    deleting. Only folders with our names, made by a process that is gone, and (for old outputs)
    still carrying our marker or empty; returns what was removed."""
    removed: list[Path] = []
    if not out.parent.is_dir():
        return removed
    for path in sorted(out.parent.glob(f"{_staging_prefix(out)}*")):
        if path.is_dir() and not path.is_symlink() and not _owner_alive(path.name, _staging_prefix(out)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if not out.is_dir():
        return removed  # an old output may be all that is left: recover() needs it
    for path in sorted(out.parent.glob(f"{_old_prefix(out)}*")):
        if not path.is_dir() or path.is_symlink() or _owner_alive(path.name, _old_prefix(out)):
            continue
        if is_build_output(path) or not any(path.iterdir()):
            _remove_output(path)
            removed.append(path)
    return removed


def _owner_alive(name: str, prefix: str) -> bool:
    """Whether the process whose id is in a staging or old folder's name is still running."""
    pid_text = name[len(prefix) :].split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # an older name without a pid: made by a build that has finished
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # there, os.kill(pid, 0) would send Ctrl-C to the process's group
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but not ours to signal
    return True


def _windows_process_alive(pid: int) -> bool:
    """Whether a process runs on Windows: open it for a query and read its exit code."""
    import ctypes

    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (Windows only; not in Linux's stubs)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it runs, as someone else
    try:
        code = ctypes.c_ulong()
        alive = kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value == 259
        return bool(alive)  # 259: STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
