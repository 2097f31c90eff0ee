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


def write_output(outputs: Iterable[Output], out: Path) -> int:
    """Write every output to a staging folder beside ``out``, then swap; returns files written."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        count = 0
        for output in sorted(outputs, key=lambda o: o.path):
            target = staging / output.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if output.data is not None:
                target.write_bytes(output.data)
            elif output.source is not None:
                shutil.copyfile(output.source, target)
            count += 1
        (staging / MARKER).write_text(json.dumps({"tool": "site-builder", "files": count}) + "\n")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
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
