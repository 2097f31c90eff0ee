"""The parse cache on disk: saved by a forked child while the build goes on, or here if it cannot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.cache import CACHE_DIR, ParseCache
from site_builder.diagnostics import warning


def _cache(root: Path) -> tuple[ParseCache, str]:
    """A cache as a build leaves it: one file looked up by its stat, parsed, and put."""
    (root / "a.md").write_text("")
    cache = ParseCache.load(root)
    key = cache.key_for("settings", "a.md", root / "a.md")
    cache.put(key, (None, (warning("content/empty", "content/a.md", "the file is empty"),)))
    return cache, key


def test_saved_aside_loads_as_it_was(tmp_path: Path) -> None:
    cache, key = _cache(tmp_path)
    wait = cache.save_aside()
    cache.put("key-b", (None, ()))  # after the fork: not in the file being written
    wait()
    loaded = ParseCache.load(tmp_path)
    assert loaded.entries == {key: cache.entries[key]}
    assert list(loaded.keys.values()) == [key]
    assert loaded.key_for("settings", "a.md", tmp_path / "a.md") == key
    assert (tmp_path / ".site-builder" / ".gitignore").read_text() == "*\n"


def test_a_child_that_fails_leaves_the_saving_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, write = os.getpid(), ParseCache._write
    written_by: list[int] = []

    def only_here(self: ParseCache) -> None:
        if os.getpid() != here:
            raise OSError(28, "No space left on device")
        written_by.append(os.getpid())
        write(self)

    monkeypatch.setattr(ParseCache, "_write", only_here)
    cache, key = _cache(tmp_path)
    cache.save_aside()()
    assert written_by == [here]
    assert ParseCache.load(tmp_path).entries.keys() == {key}


def test_nothing_used_or_changed_writes_nothing(tmp_path: Path) -> None:
    _cache(tmp_path)[0].save_aside()()
    saved = tmp_path / CACHE_DIR / "parse.pickle"
    before = saved.stat().st_ino  # a write replaces the file: a new inode
    again = ParseCache.load(tmp_path)  # the next build: the same file, by the same stat
    assert again.get(again.key_for("settings", "a.md", tmp_path / "a.md")) is not None
    again.save_aside()()
    assert saved.stat().st_ino == before
