"""All console output: progress on a terminal, diagnostics once at the end, the summary line."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from .diagnostics import Diagnostic, Severity

# Never written as themselves: C0 and C1 controls (ESC starts a terminal escape sequence, CR
# rewrites the line, LF starts a new one), DEL, the Unicode line and paragraph separators, and the
# bidirectional controls that reorder what a reader sees. "##[" is the GitHub runner's older
# command syntax, which it recognises anywhere in a line, not only at its start.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|##\[")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "##[": "##\\x5b"}


def interactive(stream: TextIO) -> bool:
    """Progress bars only for a person at a terminal, never in CI logs, where each redraw is a line."""
    return stream.isatty() and not os.environ.get("CI")


class Reporter:
    """Prints to stderr (diagnostics, progress) and stdout (the summary)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.console = Console(
            file=self.err, highlight=False, soft_wrap=True, force_terminal=interactive(self.err) or None
        )
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._drawn = 0.0  # when the bar was last redrawn

    def progress(self, stage: str, done: int, total: int) -> None:
        if not interactive(self.err):
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}", markup=False),  # a stage name, never markup
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console,
                transient=True,
                auto_refresh=False,  # redrawn from here: no thread of its own while workers fork
            )
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        assert self._task is not None
        self._progress.update(self._task, description=stage, completed=done, total=total)
        now = time.monotonic()
        if now - self._drawn >= 0.1 or done == total:  # ten redraws a second at most
            self._progress.refresh()
            self._drawn = now

    def stop_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def diagnostics(self, items: Iterable[Diagnostic]) -> None:
        """Each problem once, even when several workers met the same template fault."""
        self.stop_progress()
        for d in unique(items):
            self.err.write(format_text(d) + "\n")

    def line(self, text: str) -> None:
        """``text`` on stdout; its line breaks are kept, any other control character is shown escaped."""
        self.stop_progress()
        self.out.write("\n".join(printable(part) for part in text.split("\n")) + "\n")


def unique(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """In order, without repeats: a render chunk per worker reports the same broken template."""
    return list(dict.fromkeys(items))


def printable(value: str) -> str:
    """``value`` as inert visible text on one line: a file name or message from a contribution
    cannot start a line, move the cursor, recolour the terminal or issue a CI runner command, and
    it is never read as rich markup (nothing here goes through rich)."""
    return _UNSAFE.sub(_escaped, value)


def _escaped(match: re.Match[str]) -> str:
    found = match.group()
    if found in _NAMED:
        return _NAMED[found]
    code = ord(found)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def format_text(d: Diagnostic) -> str:
    where = printable(d.path) + (f":{d.line}" if d.line else "")
    if where[:1].isspace() or where.startswith(":"):  # the runner reads "::x::" at a line's start
        where = "./" + where
    text = f"{where}: {d.severity.value}: {printable(d.message)} [{printable(d.code)}]"
    return text + (f"\n  hint: {printable(d.hint)}" if d.hint else "")


def format_json(items: Iterable[Diagnostic]) -> str:
    """JSON escapes every control and non-ASCII character itself; ``[`` after ``##`` is written
    ``\\u005b`` (the same string to a JSON reader) so no line of it is a runner command."""
    text = json.dumps(
        [
            {
                "severity": d.severity.value,
                "code": d.code,
                "path": d.path,
                "line": d.line,
                "message": d.message,
                "hint": d.hint,
            }
            for d in items
        ],
        indent=2,
    )
    return text.replace("##[", "##\\u005b")


def escape_data(value: str) -> str:
    """A workflow command's message, escaped as actions/toolkit's ``escapeData`` does: the runner
    reads one command per line (a line ends at LF or CR) and turns these back into the characters."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped as ``escapeProperty``
    does: ``,`` separates properties and ``::`` ends them."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(d: Diagnostic) -> str:
    """A workflow command, so a pull request shows the problem on the line that has it.

    Every value goes through ``printable`` and then the escaping of its kind, so whatever a file is
    called this stays one well-formed command (SECURITY.md, "Workflow annotations cannot be
    forged"); a problem without a line is put on line 1.
    """
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}[d.severity]
    properties = [f"file={escape_property(printable(d.path))}"] if d.path else []
    # A problem of the whole file (a future date) goes on its first line, so a pull request shows it.
    properties += [f"line={d.line or 1}"] if d.path else []
    properties.append(f"title={escape_property(printable(d.code))}")
    message = f"{d.message}. {d.hint}" if d.hint else d.message
    return f"::{kind} {','.join(properties)}::{escape_data(printable(message))}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
