"""``site-builder serve``: build, serve, watch, rebuild and reload the browser (SPEC §6, STYLE §8.7).

Each build writes a new *generation* folder in a temporary directory and the server swaps to it
only when it is complete; ``output/`` is never touched. A failed build keeps the last good
generation on screen and sends the diagnostics to the browser's overlay.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import ConfigError, SiteConfig, load_config
from ..diagnostics import Diagnostic
from ..model import BuildOptions
from ..pipeline import BuildResult, BuildState
from ..pipeline import run as run_pipeline
from ..report import Reporter, plural
from ..server import DevServer, Generation, error_data
from ..watch import ChangeSet, Watcher


@dataclass(frozen=True, slots=True)
class Rebuild:
    """One build as the log line reports it; ``ok`` is False when the last good site stayed up."""

    ok: bool
    seconds: float
    pages: int = 0
    feeds: int = 0
    changes: ChangeSet | None = None


class Builder:
    """Owns the generations, the config and the pipeline state; only the builder thread calls it."""

    def __init__(self, root: Path, opts: BuildOptions, config: SiteConfig, reporter: Reporter) -> None:
        self.root, self.opts, self.config, self.reporter = root, opts, config, reporter
        self.state = BuildState()
        self.gens = Path(tempfile.mkdtemp(prefix="site-builder-serve-"))
        self.current = self.gens / "empty"  # served until a first build succeeds
        self.current.mkdir()
        self.previous: Path | None = None
        self.count = 0
        self.server: DevServer | None = None
        self.errors: list[Diagnostic] = []  # why the last build failed; empty after a good one
        self._last_reported: list[Diagnostic] = []
        self._cleaners: list[threading.Thread] = []

    def build(self, changes: ChangeSet | None = None) -> Rebuild:
        """Run the pipeline into a new generation; swap and notify only if it was written."""
        started = time.perf_counter()
        if changes is None or changes.config_changed:
            try:
                self.config = load_config(self.root)
            except ConfigError as exc:
                self._report(exc.diagnostics)
                return self._failed(exc.diagnostics, started, changes)
        self.count += 1
        gen = self.gens / f"gen-{self.count}"
        # The first build indexes search; rebuilds keep that index, since Pagefind takes seconds.
        opts = replace(self.opts, out=gen, base_url=None, search=self.count == 1)
        result = run_pipeline(self.config, opts, state=self.state, reuse_from=self.current)
        self._report(result.diagnostics.sorted())
        if not result.written:
            shutil.rmtree(gen, ignore_errors=True)
            return self._failed(result.diagnostics.errors or result.diagnostics.sorted(), started, changes)
        older = self._install(gen)
        self._notify(changes)
        outcome = self._succeeded(result, started, changes)
        if older is not None:
            self._discard(older)
        return outcome

    def _discard(self, folder: Path) -> None:
        """Delete an old generation off the builder thread: thousands of rmdirs can take seconds."""
        self._cleaners = [t for t in self._cleaners if t.is_alive()]
        cleaner = threading.Thread(target=shutil.rmtree, args=(folder, True), name="sb-cleanup", daemon=True)
        cleaner.start()
        self._cleaners.append(cleaner)

    def _install(self, gen: Path) -> Path | None:
        """Swap the server to ``gen``; returns the generation before the previous one, to delete.

        One previous generation is kept for requests still reading it.
        """
        older, self.previous, self.current = self.previous, self.current, gen
        if self.server is not None:
            moved = self.server.generation.base_path != self.config.base_path
            self.server.swap(Generation(gen, self.config.base_path))
            if moved:  # base_url changed in site.toml
                self.reporter.line(f"Now serving at {self.server.url}")
        return older

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
            self.reporter.line(f"Rebuilt {what} in {ms:.0f} ms ({changes.describe()})")
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
        for cleaner in self._cleaners:
            cleaner.join()
        shutil.rmtree(self.gens, ignore_errors=True)


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
        """The one builder thread: builds never overlap, and a bug in one does not end the preview."""
        while not self._stop.is_set():
            changes = self.watcher.next_changes(timeout=0.2)
            if changes is None:
                continue
            try:
                outcome = self.builder.build(changes)
            except Exception:
                if self._stop.is_set():
                    break  # Ctrl-C reached a worker process mid-build: not a bug
                self.builder.reporter.err.write(traceback.format_exc())
                self.builder.reporter.line("This is a bug in site-builder, please report it.")
                outcome = Rebuild(False, 0.0, changes=changes)
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
            Generation(builder.current, builder.config.base_path),
            host,
            port,
            on_busy=lambda busy, used: reporter.line(f"Port {busy} is busy; using {used} instead."),
        )
    except BaseException:
        builder.close()
        raise
    builder.server = server
    if not first.ok:  # serve anyway: the overlay shows what to fix, and fixing it reloads
        server.events.publish(("error", error_data(builder.errors)))
    session = Session(builder, server, Watcher(root))
    session.start()
    return session


def run(root: Path, host: str, port: int, opts: BuildOptions, reporter: Reporter) -> int:
    """Serve until Ctrl-C, then stop the threads and remove the generations; exit 0."""
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
