"""``site-builder serve``: build, serve, watch, rebuild and reload the browser.

This wires the preview together: one builder thread takes each batch of edits from the watcher,
has the builder render it in memory (``serve.builder``) and the server swap to it (``serve.http``).
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from ..config import load_config
from ..model import BuildOptions
from ..report import Reporter
from ..serve.builder import Builder, Rebuild
from ..serve.http import DevServer
from ..serve.livereload import error_data
from ..serve.watch import Watcher

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
