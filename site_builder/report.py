"""All console output: progress on a terminal, diagnostics once at the end, the summary line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from .diagnostics import Diagnostic, Severity


def interactive(stream: TextIO) -> bool:
    """Progress bars only for a person at a terminal, never in CI logs (SPEC §6)."""
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
        self._task: int | None = None

    def progress(self, stage: str, done: int, total: int) -> None:
        if not interactive(self.err):
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        assert self._task is not None
        self._progress.update(self._task, description=stage, completed=done, total=total)

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
        self.stop_progress()
        self.out.write(text + "\n")


def unique(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """In order, without repeats: a render chunk per worker reports the same broken template."""
    return list(dict.fromkeys(items))


def format_text(d: Diagnostic) -> str:
    text = f"{d.location()}: {d.severity.value}: {d.message} [{d.code}]"
    return text + (f"\n  hint: {d.hint}" if d.hint else "")


def format_json(items: Iterable[Diagnostic]) -> str:
    return json.dumps(
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


def format_github(d: Diagnostic) -> str:
    """A workflow command, so a pull request shows the problem on the line that has it."""
    kind = "error" if d.severity is Severity.ERROR else "warning"
    where = f"file={d.path}" + (f",line={d.line}" if d.line else "")
    message = f"{d.message}. {d.hint}".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{kind} {where},title={d.code}::{message}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
