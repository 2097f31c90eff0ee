"""Watch a site for edits and hand the builder one debounced ``ChangeSet`` per burst.

Editors save in bursts (write, chmod, rename a temp file over the original), so events wait for
100 ms of quiet, but never more than 1 s after the first, before the builder hears about them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from ..config import CONFIG_FILE
from ..walk import is_ignored

WATCHED_FOLDERS = ("content", "themes", "static")
# "opened" and "closed_no_write" are left out: the build reads every source, and counting those
# reads as edits would rebuild forever.
_EDIT_EVENTS = frozenset(
    {EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED, EVENT_TYPE_CLOSED}
)


class ChangeKind(StrEnum):
    """What a changed path means for the next build (zola's ``ChangeKind``)."""

    CONTENT = "content"
    THEME = "theme"
    STATIC = "static"
    CONFIG = "config"
    IGNORED = "ignored"


# the kind of a top folder itself, when it is created, deleted or moved as a whole
_FOLDER_KINDS = {"content": ChangeKind.CONTENT, "themes": ChangeKind.THEME, "static": ChangeKind.STATIC}


def classify(path: Path | str, root: Path) -> ChangeKind:
    """Pure: which part of the site ``path`` belongs to, or IGNORED for temp files and the rest."""
    try:
        rel = PurePosixPath(Path(path).relative_to(root).as_posix())
    except ValueError:
        return ChangeKind.IGNORED
    if rel.parts == (CONFIG_FILE,):
        return ChangeKind.CONFIG
    if len(rel.parts) < 2 or rel.parts[0] not in WATCHED_FOLDERS:
        return ChangeKind.IGNORED
    top = rel.parts[0]
    for part in rel.parts[1:]:
        # Theme templates may be "_" partials (``_macros.html``); discover skips them elsewhere.
        if is_ignored(part) and not (top == "themes" and part.startswith("_")):
            return ChangeKind.IGNORED
    if top == "themes":
        return ChangeKind.STATIC if "static" in rel.parts[2:3] else ChangeKind.THEME
    return ChangeKind.CONTENT if top == "content" else ChangeKind.STATIC


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The site-relative paths one burst of edits touched, each with its kind."""

    changes: tuple[tuple[str, ChangeKind], ...]

    @property
    def kinds(self) -> frozenset[ChangeKind]:
        return frozenset(kind for _, kind in self.changes)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(path for path, _ in self.changes)

    @property
    def config_changed(self) -> bool:
        return ChangeKind.CONFIG in self.kinds

    @property
    def css_only(self) -> bool:
        """Only stylesheets changed: the browser can swap them without reloading the page."""
        return all(kind is ChangeKind.STATIC and path.endswith(".css") for path, kind in self.changes)

    def describe(self) -> str:
        """For the log line: "content/a.md" or "content/a.md and 2 more"."""
        first, rest = self.paths[0], len(self.changes) - 1
        return f"{first} and {rest} more" if rest else first


class Debouncer:
    """Collects paths and releases them as one ``ChangeSet`` after a quiet spell (or the longest wait).

    The clock is injectable so tests drive time by hand instead of sleeping.
    """

    def __init__(
        self,
        root: Path,
        quiet: float = 0.1,
        longest: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root, self.quiet, self.longest, self.clock = root, quiet, longest, clock
        self._cond = threading.Condition()
        self._pending: dict[str, ChangeKind] = {}
        self._first = self._last = 0.0

    def add(self, path: Path | str, kind: ChangeKind | None = None) -> bool:
        """Record one changed path; False when it is ignored (editor temp files, other folders).

        ``kind`` overrides ``classify`` (the watcher's own top folders, which it ignores).
        """
        if kind is None:
            kind = classify(path, self.root)
        if kind is ChangeKind.IGNORED:
            return False
        rel = Path(path).relative_to(self.root).as_posix()
        with self._cond:
            now = self.clock()
            if not self._pending:
                self._first = now
            self._pending[rel] = kind
            self._last = now
            self._cond.notify_all()
        return True

    def due_in(self) -> float | None:
        """Seconds until the pending batch is released (0: now), or None when nothing is pending."""
        with self._cond:
            if not self._pending:
                return None
            now = self.clock()
            return max(0.0, min(self._last + self.quiet, self._first + self.longest) - now)

    def pending(self) -> bool:
        """Whether any change is waiting to be released."""
        with self._cond:
            return bool(self._pending)

    def take(self) -> ChangeSet | None:
        """The pending batch if it is due, else None."""
        with self._cond:
            if self.due_in() != 0.0:
                return None
            changes = tuple(sorted(self._pending.items()))
            self._pending.clear()
            return ChangeSet(changes)

    def wait(self, timeout: float) -> ChangeSet | None:
        """Block up to ``timeout`` seconds for a due batch."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (batch := self.take()) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                due = self.due_in()
                self._cond.wait(left if due is None else min(left, max(due, 0.001)))
            return batch


class _Forward(FileSystemEventHandler):
    """Passes edit events to the debouncer; a rename counts its destination (atomic saves) and source."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EDIT_EVENTS:
            return
        if event.is_directory and event.event_type in (EVENT_TYPE_MODIFIED, EVENT_TYPE_CLOSED):
            return  # a folder's mtime changes with every file in it: the file events say more
        paths = [event.src_path]
        if event.event_type == EVENT_TYPE_MOVED:
            paths.append(event.dest_path)
        for path in paths:
            self.watcher.seen(Path(path.decode() if isinstance(path, bytes) else path))


class Watcher:
    """A native watchdog observer on content/, themes/, static/ and site.toml (inotify, not polling)."""

    def __init__(self, root: Path, debouncer: Debouncer | None = None) -> None:
        self.root = root
        self.debouncer = debouncer or Debouncer(root)
        self._observer = Observer()
        self._handler = _Forward(self)
        self._watched: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._observer.schedule(self._handler, str(self.root), recursive=False)
        for name in WATCHED_FOLDERS:
            self._watch_folder(name)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def next_changes(self, timeout: float) -> ChangeSet | None:
        return self.debouncer.wait(timeout)

    def seen(self, path: Path) -> None:
        if path.parent == self.root and path.name in WATCHED_FOLDERS:
            # content/, themes/ or static/ itself was created, deleted or moved (rm -rf and copy back,
            # a branch switch): a watch on the old folder is dead or follows it elsewhere, so the
            # folder is watched afresh, and rebuilt whole
            if self._watch_folder(path.name, renew=True):
                # what was written in it before the new watch began has no events of its own
                for found in sorted(path.rglob("*")):
                    self.debouncer.add(found)
            self.debouncer.add(path, _FOLDER_KINDS[path.name])
            return
        self.debouncer.add(path)

    def _watch_folder(self, name: str, renew: bool = False) -> bool:
        """Watch ``root/name`` if it exists; True when a watch was added.

        A folder already watched keeps its watch unless ``renew``: then the old watch is dropped (inotify
        stops watching a deleted folder, and a moved one is still followed under its new name).
        """
        with self._lock:
            folder = self.root / name
            old = self._watched.get(name)
            if old is not None and not renew:
                return False
            if old is not None:
                del self._watched[name]
                with contextlib.suppress(KeyError):  # already gone with the observer
                    self._observer.unschedule(old)
            if not folder.is_dir():
                return False
            self._watched[name] = self._observer.schedule(self._handler, str(folder), recursive=True)
            return True
