"""Every output byte of the sites in tests/golden.py is what was recorded: rearranging the code
changes nothing a reader sees. A deliberate change of output records again (scripts/record_digests.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.pipeline import Goal
from site_builder.pipeline import build as run_build
from tests.golden import MARKER, NOW, RECORD, SITES, build, digests

RECORDED: dict[str, dict[str, str]] = json.loads(RECORD.read_text(encoding="utf-8"))


def test_every_site_is_recorded() -> None:
    assert set(RECORDED) == set(SITES)
    assert all(len(files) > 10 for files in RECORDED.values())


def changed(name: str, found: dict[str, str]) -> dict[str, list[str]]:
    want = RECORDED[name]
    return {
        "differ": sorted(p for p in want.keys() & found.keys() if want[p] != found[p]),
        "missing": sorted(want.keys() - found.keys()),
        "new": sorted(found.keys() - want.keys()),
    }


@pytest.mark.parametrize("name", sorted(SITES))
def test_output_is_byte_for_byte_as_recorded(name: str, tmp_path: Path) -> None:
    assert changed(name, build(name, tmp_path)) == {"differ": [], "missing": [], "new": []}


def test_one_process_writes_the_same_bytes(tmp_path: Path) -> None:
    assert changed("sample", build("sample", tmp_path, jobs=1)) == {"differ": [], "missing": [], "new": []}


def test_rendering_in_memory_gives_the_same_bytes(tmp_path: Path) -> None:
    """What ``serve`` holds in memory is what ``build`` writes."""
    root = SITES["sample"](tmp_path / "sample")
    result = run_build(load_config(root), BuildOptions(jobs=2, now=NOW, search=False), goal=Goal.PREVIEW)
    found = {
        o.path: hashlib.sha256(o.data if o.data is not None else o.source.read_bytes()).hexdigest()[:32]
        for o in result.outputs
        if o.path != MARKER and (o.data is not None or o.source is not None)
    }
    assert changed("sample", found) == {"differ": [], "missing": [], "new": []}


def test_the_digests_see_a_changed_byte(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>a</p>")
    before = digests(tmp_path)
    (tmp_path / "a.html").write_bytes(b"<p>b</p>")
    (tmp_path / MARKER).write_bytes(b"anything")
    assert digests(tmp_path).keys() == before.keys() and digests(tmp_path) != before
