"""watch.py: classify paths, drop editor temp files, debounce bursts (driven by a fake clock)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from site_builder.serve.watch import ChangeKind, ChangeSet, Debouncer, Watcher, _Forward, classify

ROOT = Path("/site")


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("site.toml", ChangeKind.CONFIG),
        ("content/weeknotes/x.md", ChangeKind.CONTENT),
        ("content/weeknotes/_index.md", ChangeKind.CONTENT),
        ("content/case-studies/diagram.png", ChangeKind.CONTENT),
        ("content/weeknotes", ChangeKind.CONTENT),  # a folder renamed or deleted
        ("themes/mine/templates/post.html", ChangeKind.THEME),
        ("themes/mine/templates/_macros.html", ChangeKind.THEME),  # partials matter in a theme
        ("themes/mine/static/css/site.css", ChangeKind.STATIC),
        ("static/images/logo.png", ChangeKind.STATIC),
        ("static/css/extra.css", ChangeKind.STATIC),
        ("output/index.html", ChangeKind.IGNORED),
        (".site-builder/cache/parse.msgpack", ChangeKind.IGNORED),
        ("README.md", ChangeKind.IGNORED),
        ("content", ChangeKind.IGNORED),
        ("content/nested/site.toml", ChangeKind.CONTENT),
        ("content/_draft-partial.md", ChangeKind.IGNORED),  # discover skips "_" files in content
        ("content/.git/HEAD", ChangeKind.IGNORED),
    ],
)
def test_classify(rel: str, kind: ChangeKind) -> None:
    assert classify(ROOT / rel, ROOT) is kind


@pytest.mark.parametrize(
    "name",
    [".x.md.swp", ".x.md.swx", "x.md~", ".#x.md", "#x.md#", "4913", ".DS_Store", "x.md.tmp", ".hidden"],
)
@pytest.mark.parametrize("folder", ["content/weeknotes", "themes/mine/templates", "static/css"])
def test_editor_temp_files_are_ignored(folder: str, name: str) -> None:
    assert classify(ROOT / folder / name, ROOT) is ChangeKind.IGNORED


def test_classify_outside_the_root() -> None:
    assert classify(Path("/elsewhere/content/x.md"), ROOT) is ChangeKind.IGNORED


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_debounce_waits_for_quiet() -> None:
    clock = Clock()
    d = Debouncer(ROOT, quiet=0.1, longest=1.0, clock=clock)
    assert d.due_in() is None and d.take() is None
    assert d.add(ROOT / "content/a.md")
    clock.now += 0.05
    assert d.take() is None
    assert d.due_in() == pytest.approx(0.05)
    assert d.add(ROOT / "content/a.md")  # the same path again restarts the quiet spell
    clock.now += 0.09
    assert d.take() is None
    clock.now += 0.02
    batch = d.take()
    assert batch == ChangeSet((("content/a.md", ChangeKind.CONTENT),))
    assert d.take() is None and d.due_in() is None


def test_debounce_releases_a_long_burst_after_the_longest_wait() -> None:
    clock = Clock()
    d = Debouncer(ROOT, quiet=0.125, longest=1.0, clock=clock)  # binary fractions: exact sums
    released = []
    for _ in range(50):  # an edit every 62.5 ms: never 125 ms of quiet
        d.add(ROOT / "content/a.md")
        clock.now += 0.0625
        if d.take() is not None:
            released.append(clock.now - 100.0)
    assert released == [1.0, 2.0, 3.0]  # each batch at most 1 s after its first event


def test_debounce_collects_a_burst_into_one_change_set() -> None:
    clock = Clock()
    d = Debouncer(ROOT, clock=clock)
    for rel in ("content/b.md", "content/.b.md.swp", "content/a.md", "site.toml", "output/x.html"):
        d.add(ROOT / rel)
    clock.now += 0.2
    batch = d.take()
    assert batch is not None
    assert batch.paths == ("content/a.md", "content/b.md", "site.toml")
    assert batch.config_changed
    assert batch.kinds == {ChangeKind.CONTENT, ChangeKind.CONFIG}
    assert batch.describe() == "content/a.md and 2 more"


def test_change_set_css_only() -> None:
    css = ChangeSet((("static/css/a.css", ChangeKind.STATIC), ("themes/t/static/b.css", ChangeKind.STATIC)))
    assert css.css_only
    assert css.describe() == "static/css/a.css and 1 more"
    mixed = ChangeSet((("static/css/a.css", ChangeKind.STATIC), ("content/x.md", ChangeKind.CONTENT)))
    assert not mixed.css_only
    assert not ChangeSet((("static/logo.png", ChangeKind.STATIC),)).css_only


def test_ignored_paths_never_start_a_batch() -> None:
    d = Debouncer(ROOT, clock=Clock())
    assert not d.add(ROOT / "content/.x.md.swp")
    assert not d.add(ROOT / "content/4913")
    assert d.due_in() is None


def test_wait_returns_the_batch_with_a_real_clock() -> None:
    d = Debouncer(ROOT, quiet=0.02, longest=0.2)
    threading.Timer(0.01, d.add, args=(ROOT / "content/a.md",)).start()
    started = time.monotonic()
    batch = d.wait(timeout=2)
    assert batch is not None and batch.paths == ("content/a.md",)
    assert time.monotonic() - started < 1.5
    assert d.wait(timeout=0.01) is None


def forward(*events: object) -> list[str]:
    """Feed synthetic watchdog events through the real handler; returns the pending paths."""
    clock = Clock()
    watcher = Watcher(ROOT, Debouncer(ROOT, clock=clock))
    handler = _Forward(watcher)
    for event in events:
        handler.on_any_event(event)  # type: ignore[arg-type]
    clock.now += 5
    batch = watcher.debouncer.take()
    return list(batch.paths) if batch else []


def test_atomic_rename_save_counts_the_destination() -> None:
    # vim-style: write a temp file, then rename it over the post
    paths = forward(
        FileCreatedEvent("/site/content/weeknotes/.x.md.swp"),
        FileModifiedEvent("/site/content/weeknotes/.x.md.swp"),
        FileMovedEvent("/site/content/weeknotes/.x.md.swp", "/site/content/weeknotes/x.md"),
    )
    assert paths == ["content/weeknotes/x.md"]


def test_rename_of_a_post_counts_both_names() -> None:
    paths = forward(FileMovedEvent("/site/content/a.md", "/site/content/b.md"))
    assert paths == ["content/a.md", "content/b.md"]


def test_reads_and_folder_mtimes_are_not_edits() -> None:
    # the build itself opens every source: counting that would rebuild forever
    paths = forward(
        FileOpenedEvent("/site/content/a.md"),
        FileClosedNoWriteEvent("/site/content/a.md"),
        DirModifiedEvent("/site/content"),
    )
    assert paths == []


def test_writes_and_deletes_are_edits() -> None:
    paths = forward(FileClosedEvent("/site/content/a.md"), FileDeletedEvent("/site/static/old.png"))
    assert paths == ["content/a.md", "static/old.png"]


def test_real_observer_sees_an_edit(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "content").mkdir()
    (root / "site.toml").write_text("")
    watcher = Watcher(root, Debouncer(root, quiet=0.02, longest=0.5))
    watcher.start()
    try:
        (root / "content" / "a.md").write_text("hello")
        (root / "content" / ".a.md.swp").write_text("junk")
        batch = watcher.next_changes(timeout=5)
        assert batch is not None and batch.paths == ("content/a.md",)
        (root / "site.toml").write_text("title = 'x'\n")
        batch = watcher.next_changes(timeout=5)
        assert batch is not None and batch.config_changed
        # static/ created after the watch started, with a file written before its watch exists
        (root / "static" / "css").mkdir(parents=True)
        (root / "static" / "css" / "s.css").write_text("a{}")
        batch = watcher.next_changes(timeout=5)
        assert batch is not None and "static/css/s.css" in batch.paths
        (root / "static" / "css" / "s.css").write_text("b{}")  # and watched from then on
        batch = watcher.next_changes(timeout=5)
        assert batch is not None and batch.paths == ("static/css/s.css",)
    finally:
        watcher.stop()
