"""Problems as values: stages return them and carry on, so one run names them all; the CLI prints
them once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """An error stops the build; a warning is a likely mistake (an error under ``--strict``); a
    note says what the build did on purpose (a draft left out), and never fails anything."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: ``code`` is stable (``front-matter/yaml``), ``hint`` says what to do."""

    severity: Severity
    code: str
    path: str  # relative to the site root where possible
    message: str
    line: int | None = None
    hint: str = ""

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def error(code: str, path: str, message: str, line: int | None = None, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, path, message, line, hint)


def warning(code: str, path: str, message: str, line: int | None = None, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, path, message, line, hint)


def note(code: str, path: str, message: str, line: int | None = None, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.NOTE, code, path, message, line, hint)


@dataclass(slots=True)
class Diagnostics:
    """An append-only list that each stage adds to; the pipeline reads it between stages."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, *diagnostics: Diagnostic) -> None:
        self.items.extend(diagnostics)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.NOTE]

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        """Errors first, then warnings, then notes, each by file and line: stable between runs."""
        rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
        return sorted(self.items, key=lambda d: (rank[d.severity], d.path, d.line or 0, d.code))


class OutputError(Exception):
    """The output could not be written (disk full, no permission): a problem to report, not a bug.

    The staging folder is dropped and the previous output is left as it was; ``cli`` prints the
    diagnostic and exits 1 (README.md, "Errors and warnings").
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
