"""Live reload: the event channel the builder publishes to, and the script every served page gets.

Pages are told of a new build (``reload``), a stylesheet-only change (``css``) or a failed build
(``error``, shown as an overlay) over server-sent events at ``/_sb/events``. The script that listens
is added to HTML at serve time only; nothing built for publishing carries it.
"""

from __future__ import annotations

import io
import json
import re
import threading
from importlib import resources

from ..diagnostics import Diagnostic

LIVE_PREFIX = "/_sb/"
# Served at the root whatever the base path; the epoch lets a page catch up on events it missed.
_SCRIPT = '<script src="/_sb/live.js" data-epoch="{epoch}"></script>'
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
# The browser side of live reload, kept as a real file (read once, served at /_sb/live.js).
LIVE_JS = (resources.files("site_builder") / "live.js").read_bytes()


class Events:
    """Server-sent events: a Condition plus an epoch counter, with a short history for late clients."""

    KEEP = 64

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.epoch = 0
        self._history: list[tuple[int, str, str]] = []
        self.error: str | None = None  # the current error event's data, sent to every new client
        self.closed = False

    def publish(self, *events: tuple[str, str]) -> None:
        with self._cond:
            for name, data in events:
                self.epoch += 1
                self._history.append((self.epoch, name, data))
                if name == "error":
                    self.error = data
                elif name in ("ok", "reload"):
                    self.error = None
            del self._history[: -self.KEEP]
            self._cond.notify_all()

    def since(self, seen: int, timeout: float) -> tuple[int, list[tuple[int, str, str]]]:
        """Events after epoch ``seen``, waiting up to ``timeout``; a gap too old to replay is a reload."""
        with self._cond:
            self._cond.wait_for(lambda: self.epoch > seen or self.closed, timeout)
            if self.epoch > seen and (not self._history or self._history[0][0] > seen + 1):
                return self.epoch, [(self.epoch, "reload", "")]
            return self.epoch, [e for e in self._history if e[0] > seen]

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def error_data(diagnostics: list[Diagnostic]) -> str:
    """The ``error`` event's data: what the overlay shows (file, line, message, hint)."""
    keep = ("path", "line", "message", "hint", "code")
    return json.dumps({"diagnostics": [{k: getattr(d, k) for k in keep} for d in diagnostics]})


def stream(out: io.BufferedIOBase, events: Events, seen: int) -> None:
    """Write every event after epoch ``seen`` to ``out`` until ``events`` is closed.

    A client that goes away or stops reading raises from a write (BrokenPipeError, TimeoutError...):
    the caller decides that is no error.
    """
    out.write(b"retry: 500\n\n")
    if events.error is not None and seen == events.epoch:
        out.write(_event(seen, "error", events.error))
    out.flush()
    while not events.closed:
        seen, batch = events.since(seen, timeout=15)
        out.write(b"".join(_event(*e) for e in batch) or b": keepalive\n\n")
        out.flush()


def _event(epoch: int, name: str, data: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in (data or name).splitlines())
    return f"id: {epoch}\nevent: {name}\n{lines}\n".encode()


def inject(html: bytes, epoch: int) -> bytes:
    """Add the live-reload script before the last ``</body>`` (or at the end); serve time only."""
    script = _SCRIPT.format(epoch=epoch).encode()
    ends = list(_BODY_END.finditer(html))
    at = ends[-1].start() if ends else len(html)
    return html[:at] + script + html[at:]
