"""``site-builder serve``: build, serve, watch, rebuild and reload the browser (SPEC §6, STYLE §8.7).

Each build renders the site in memory (``pipeline.run(until="render")``: only changed routes are
rendered, the rest reused from the state) into a new immutable *generation*, and the server swaps
to it in one assignment. Nothing is written per build (issue 7: writing a generation folder cost
seconds at 10,000 posts); ``output/`` is never touched. A failed build keeps the last good
generation on screen and sends the diagnostics to the browser's overlay.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import ConfigError, SiteConfig, load_config
from ..diagnostics import Diagnostic, warning
from ..model import BuildOptions, Output
from ..pipeline import BuildResult, BuildState
from ..pipeline import run as run_pipeline
from ..report import Reporter, plural, printable
from ..search import BUNDLE as SEARCH_FOLDER
from ..search import index_site
from ..server import DevServer, Generation, error_data, open_source
from ..theme import builtin_theme
from ..watch import ChangeSet, Watcher


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
    """Owns the generation, the config and the pipeline state; only the builder thread calls ``build``."""

    def __init__(self, root: Path, opts: BuildOptions, config: SiteConfig, reporter: Reporter) -> None:
        self.root, self.opts, self.config, self.reporter = root, opts, config, reporter
        self.state = BuildState()
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
        changed = None if self._unbuilt is None else frozenset(self._unbuilt)
        opts = replace(self.opts, base_url=None)
        result = run_pipeline(self.config, opts, until="render", state=self.state, changed=changed)
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


def generation_files(outputs: list[Output]) -> dict[str, bytes | Path]:
    """Output path -> the page's bytes, or a static file's source (read when it is requested)."""
    files: dict[str, bytes | Path] = {}
    for output in outputs:
        body = output.data if output.data is not None else output.source
        if body is not None:
            files[output.path] = body
    return files


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


DROP_STALE_FOR = 5.0  # seconds: the longest a stream of saves may hold back every new build


class Session:
    """A running preview: server, watcher and builder threads. ``stop()`` ends all three."""

    def __init__(self, builder: Builder, server: DevServer, watcher: Watcher) -> None:
        self.builder, self.server, self.watcher = builder, server, watcher
        self.rebuilds: list[Rebuild] = []
        self._done = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sb-builder", daemon=True)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        self.server.start()
        self.watcher.start()
        self._thread.start()

    def _loop(self) -> None:
        """The one builder thread: builds never overlap, and a bug in one does not end the preview.

        A build whose sources changed while it ran is dropped, but for no longer than DROP_STALE_FOR
        seconds in a row, so an endless stream of saves still shows progress.
        """
        debouncer = self.watcher.debouncer
        dropping_since: float | None = None
        while not self._stop.is_set():
            changes = self.watcher.next_changes(timeout=0.2)
            if changes is None:
                continue
            now = time.monotonic()
            may_drop = dropping_since is None or now - dropping_since < DROP_STALE_FOR
            try:
                outcome = self.builder.build(changes, stale=debouncer.pending if may_drop else None)
            except Exception:
                if self._stop.is_set():
                    break  # Ctrl-C reached a worker process mid-build: not a bug
                self.builder.reporter.err.write(traceback.format_exc())
                self.builder.reporter.line("This is a bug in site-builder, please report it.")
                outcome = Rebuild(False, 0.0, changes=changes)
            if outcome.dropped:
                dropping_since = dropping_since or now
                continue
            dropping_since = None
            with self._done:
                self.rebuilds.append(outcome)
                self._done.notify_all()

    def wait_rebuilds(self, count: int, timeout: float) -> list[Rebuild]:
        """Block until ``count`` rebuilds (good or failed) have finished; returns them all."""
        with self._done:
            self._done.wait_for(lambda: len(self.rebuilds) >= count, timeout)
            return list(self.rebuilds)

    def stop(self) -> None:
        self._stop.set()
        self.watcher.stop()
        self._thread.join(timeout=30)
        self.server.stop()
        self.builder.close()


def start(root: Path, host: str, port: int, opts: BuildOptions, reporter: Reporter) -> Session:
    """Build once, then serve and watch; a bad ``site.toml`` at start is a ConfigError (exit 1)."""
    config = load_config(root)
    builder = Builder(root, opts, config, reporter)
    try:
        first = builder.build()
        server = DevServer(
            builder.current,
            host,
            port,
            on_busy=lambda busy, used: reporter.line(f"Port {busy} is busy; using {used} instead."),
        )
    except BaseException:
        builder.close()
        raise
    builder.attach(server)
    if not first.ok:  # serve anyway: the overlay shows what to fix, and fixing it reloads
        server.events.publish(("error", error_data(builder.errors)))
    session = Session(builder, server, Watcher(root))
    session.start()
    return session


def run(root: Path, host: str, port: int, opts: BuildOptions, reporter: Reporter) -> int:
    """Serve until Ctrl-C, then stop the threads and remove the search folder; exit 0."""
    session = start(root, host, port, opts, reporter)
    reporter.line(f"Serving {root.name} at {session.url} (press Ctrl-C to stop)")
    if not host.startswith("127.") and host not in ("localhost", "::1"):
        reporter.line(f"Listening on {host}: other machines on the network can see this preview.")
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        reporter.line("Stopping.")
    finally:
        session.stop()
    return 0
