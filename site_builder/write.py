"""Stage 5: write outputs into a staging folder, then swap it in whole (SPEC §9).

The output folder is only ever replaced or cleaned when it carries our marker file, so
``--out ~`` can never delete a home folder. A failed or killed build leaves the old output alone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .diagnostics import Diagnostic, error
from .model import Output

MARKER = ".site-builder-output"


def is_build_output(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def check_out_folder(out: Path) -> Diagnostic | None:
    """A folder we may replace: missing, empty, or one of our earlier outputs."""
    recover(out)
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
    return None


class Staging:
    """A folder beside ``out`` that outputs stream into; ``commit`` swaps it in whole, ``abort`` drops it.

    Streaming keeps memory flat on large sites: rendered pages are written as they come, not held.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-", dir=self.out.parent))
        self.manifest: dict[str, str] = {}  # output path -> the key it was made with

    def _target(self, rel: str) -> Path:
        target = self.path / rel
        # Planned paths are normalised (urls.normalise); one that climbs out is a bug, never written.
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ValueError(f"refusing to write {rel!r} outside the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, rel: str, data: bytes, key: str = "") -> None:
        self._target(rel).write_bytes(data)
        self.manifest[rel] = key

    def copy(self, rel: str, source: Path, key: str = "") -> None:
        shutil.copyfile(source, self._target(rel))
        self.manifest[rel] = key

    def link(self, rel: str, previous: Path, key: str) -> None:
        """Reuse an unchanged file of an earlier output: same inode and mtime, nothing rewritten."""
        target = self._target(rel)
        try:
            os.link(previous, target)
        except OSError:  # another file system, or links not allowed: a copy keeps the mtime
            shutil.copy2(previous, target)
        self.manifest[rel] = key

    def commit(self) -> None:
        marker = {"tool": "site-builder", "files": dict(sorted(self.manifest.items()))}
        (self.path / MARKER).write_text(json.dumps(marker, indent=0) + "\n")
        _swap(self.path, self.out)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def write_output(outputs: Iterable[Output], out: Path) -> int:
    """Write every output to a staging folder beside ``out``, then swap; returns files written."""
    staging = Staging(out)
    try:
        count = 0
        for output in sorted(outputs, key=lambda o: o.path):
            if output.data is not None:
                staging.write(output.path, output.data)
            elif output.source is not None:
                staging.copy(output.path, output.source)
            count += 1
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    return count


def _swap(staging: Path, out: Path) -> None:
    """Rename the old output aside, the staging folder into place, then delete the old one."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        if any(out.iterdir()) and not is_build_output(out):
            raise RuntimeError(f"refusing to replace {out}: it is not a site-builder output")
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def recover(out: Path) -> None:
    """After a crash between the two renames, put the previous output back."""
    if out.exists():
        return
    for old in sorted(out.parent.glob(f".{out.name}.old-*")) if out.parent.is_dir() else ():
        if is_build_output(old):
            os.replace(old, out)
            return
