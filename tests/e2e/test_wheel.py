"""The built-in theme ships inside the wheel (STYLE §8.8, issue 2)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_contains_the_default_theme(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            str(REPO),
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob("site_builder-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "site_builder/themes/default/templates/base.html" in names
    # package files read at run time: serve's live-reload script and init's workflow
    assert {"site_builder/live.js", "site_builder/scaffold_files/pages.yml"} <= set(names)
    assert "site_builder/themes/default/static/css/site.css" in names
    assert "site_builder/cli.py" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "site-builder = site_builder.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()
