"""The preview's builder: rebuilds the site in memory on each batch of edits and installs the result.

Each build renders the site (``pipeline.build(goal=Goal.PREVIEW)``: only changed routes are
rendered, the rest reused from the memory the last build left) into a new immutable generation,
and the server swaps to it in one assignment. Nothing is written per build (writing a generation
folder cost seconds at 10,000 posts: BENCHMARKS.md, "In-memory generations"); ``output/`` is never
touched. A failed build keeps the last good generation on screen and sends the diagnostics to the
browser's overlay.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import ConfigError, SiteConfig, load_config
from ..diagnostics import Diagnostic, warning
from ..model import BuildOptions
from ..pipeline import ANYTHING, BuildResult, Changes, Goal, Memory, build
from ..report import Reporter, plural, printable
from ..search import BUNDLE as SEARCH_FOLDER
from ..search import index_site
from ..theme import builtin_theme
from .generation import Generation, generation_files, write_generation
from .http import DevServer
from .livereload import error_data
from .watch import ChangeSet


@dataclass(frozen=True, slots=True)
class Rebuild:
    """One build as the log line reports it; ``ok`` is False when the last good site stayed up."""

    ok: bool
    seconds: float
    pages: int = 0
    feeds: int = 0
    changes: ChangeSet | None = None
    dropped: bool = False  # stale: sources changed while it read them, so the next build replaces it


class Builder:
    """Owns the generation, the config and the pipeline's memory; only the builder thread calls ``build``."""

    def __init__(self, root: Path, opts: BuildOptions, config: SiteConfig, reporter: Reporter) -> None:
        self.root, self.opts, self.config, self.reporter = root, opts, config, reporter
        self.memory = Memory()  # what the last build left for the next; in memory only, never on disk
        self.current = Generation({}, config.base_path)  # served until a first build succeeds
        self.server: DevServer | None = None
        self.errors: list[Diagnostic] = []  # why the last build failed; empty after a good one
        self.search = SearchIndex(reporter) if opts.search else None
        self._last_reported: list[Diagnostic] = []
        # Sources changed since the last good build (None: anything may have): a failed build's edits
        # are still unbuilt, so they are passed again with the next one.
        self._unbuilt: set[Path] | None = None
        self._extra: dict[str, Path] = {}  # added to every generation: the search index
        self._extra_roots: tuple[Path, ...] = ()  # the folder it was written to
        self._lock = threading.Lock()  # the builder and the search thread both install generations

    def build(self, changes: ChangeSet | None = None, stale: Callable[[], bool] | None = None) -> Rebuild:
        """Render the site in memory; swap and notify only if it built without errors.

        When ``stale()`` says more edits arrived while the sources were read, the result is dropped
        unseen (``dropped``): it may hold a file caught mid-save (an empty post would vanish from the
        site for one build, a cut-off one would flash an error), and the next build, which passes these
        changes again, replaces it anyway.
        """
        started = time.perf_counter()
        if changes is None or changes.config_changed:
            self._unbuilt = None
            try:
                self.config = load_config(self.root)
            except ConfigError as exc:
                self._report(exc.diagnostics)
                return self._failed(exc.diagnostics, started, changes)
        elif self._unbuilt is not None:
            self._unbuilt.update(self.root / path for path in changes.paths)
        result = self._render(None if self._unbuilt is None else frozenset(self._unbuilt))
        if stale is not None and stale():
            return Rebuild(False, time.perf_counter() - started, changes=changes, dropped=True)
        self._report(result.diagnostics.sorted())
        if result.diagnostics.has_errors(self.opts.strict):
            return self._failed(result.diagnostics.errors or result.diagnostics.sorted(), started, changes)
        self._unbuilt = set()
        gen = self._install(generation_files(result.outputs))
        self._notify(changes)
        outcome = self._succeeded(result, started, changes)
        if self.search is not None and not self.search.started:
            self.search.start(gen, self.add_files)
        return outcome

    def _render(self, changed: frozenset[Path] | None) -> BuildResult:
        """The one pipeline call: the site rendered in memory, reusing ``self.memory`` for every
        source not in ``changed`` (None: any may have changed). No ``base_url`` override: links must
        agree with the base path the generation is served under, which is site.toml's."""
        opts = replace(self.opts, base_url=None)
        changes = ANYTHING if changed is None else Changes(changed)
        result = build(self.config, opts, changes, goal=Goal.PREVIEW, memory_of=self.memory)
        self.memory = result.memory or self.memory
        return result

    def attach(self, server: DevServer) -> None:
        """Serve through ``server`` from now on, starting with the newest generation."""
        with self._lock:
            self.server = server
            server.swap(self.current)

    def add_files(self, extra: dict[str, Path], root: Path) -> None:
        """Add files from under ``root`` to the current generation and every later one (search)."""
        with self._lock:
            self._extra, self._extra_roots = extra, (root,)
            self._swap(self.current.with_files(extra, self._extra_roots))

    def _install(self, files: dict[str, bytes | Path]) -> Generation:
        # Static sources are served from the folders the build reads them from, and only those.
        roots = (self.config.root, builtin_theme(), *self._extra_roots)
        with self._lock:
            gen = Generation({**self._extra, **files}, self.config.base_path, roots)
            moved = gen.base_path != self.current.base_path
            self._swap(gen)
        if moved and self.server is not None:  # base_url changed in site.toml
            self.reporter.line(f"Now serving at {self.server.url}")
        return gen

    def _swap(self, gen: Generation) -> None:
        """Make ``gen`` current; one reference assignment in the server, atomic for requests."""
        self.current = gen
        if self.server is not None:
            self.server.swap(gen)

    def _notify(self, changes: ChangeSet | None) -> None:
        if self.server is None:
            return
        events = self.server.events
        name = "css" if changes is not None and changes.css_only and events.error is None else "reload"
        events.publish(("ok", ""), (name, ""))

    def _succeeded(self, result: BuildResult, started: float, changes: ChangeSet | None) -> Rebuild:
        self.errors = []
        stats = result.stats
        ms = (time.perf_counter() - started) * 1000
        what = f"{plural(stats.rendered_pages, 'page')}, {plural(stats.rendered_feeds, 'feed')}"
        if changes is None:
            self.reporter.line(f"Built {what} in {ms:.0f} ms.")
        else:
            self.reporter.line(f"Rebuilt {what} in {ms:.0f} ms ({printable(changes.describe())})")
        return Rebuild(True, ms / 1000, stats.rendered_pages, stats.rendered_feeds, changes)

    def _failed(self, problems: list[Diagnostic], started: float, changes: ChangeSet | None) -> Rebuild:
        """Keep the last good generation up and show ``problems`` in every open tab."""
        self.errors = problems
        why = plural(len(problems), "error")
        self.reporter.line(f"Build failed ({why}); still serving the last good build.")
        if self.server is not None:
            self.server.events.publish(("error", error_data(problems)))
        return Rebuild(False, time.perf_counter() - started, changes=changes)

    def _report(self, problems: list[Diagnostic]) -> None:
        """Print diagnostics when they differ from the last build's, not the same warnings every save."""
        if problems and problems != self._last_reported:
            self.reporter.diagnostics(problems)
        self._last_reported = problems

    def close(self) -> None:
        if self.search is not None:
            self.search.close()


class SearchIndex:
    """Pagefind for the preview: the first good generation, written to a temp folder and indexed once.

    Pagefind needs files and takes seconds, so this runs off the builder thread and the first page is
    served at once; the ``pagefind/`` files join the generation when they are ready. Later builds keep
    that index, so results can be stale while previewing: fine for a preview (``build`` indexes afresh).
    The site's ``output/`` is never written; the folder is removed on exit.
    """

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.folder: Path | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()

    @property
    def started(self) -> bool:
        return self.folder is not None

    def start(self, gen: Generation, done: Callable[[dict[str, Path], Path], None]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="site-builder-serve-"))
        self._thread = threading.Thread(
            target=self._index, args=(gen, self.folder, done), name="sb-search", daemon=True
        )
        self._thread.start()

    def _index(self, gen: Generation, folder: Path, done: Callable[[dict[str, Path], Path], None]) -> None:
        try:
            write_generation(gen, folder)
            problems = index_site(folder)
        except OSError as exc:
            problems = [warning("search/index", str(folder), f"could not write the site for Pagefind: {exc}")]
        if self._closed.is_set():
            return
        if problems:
            self.reporter.diagnostics(problems)
        found = sorted(p for p in (folder / SEARCH_FOLDER).rglob("*") if p.is_file())
        if found:
            done({p.relative_to(folder).as_posix(): p for p in found}, folder)

    def wait(self, timeout: float) -> bool:
        """Block until indexing has finished (tests); True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is not None and not self._thread.is_alive()

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=60)  # Pagefind may still be writing into the folder
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
