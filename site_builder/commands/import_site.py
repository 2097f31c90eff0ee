"""``site-builder import jekyll|hugo SRC [PATH]``: copy an old site in, then say what did not map."""

from __future__ import annotations

from pathlib import Path

from ..importers import import_site
from ..report import Reporter, plural, printable


def run(kind: str, src: Path, path: Path, section: str | None, reporter: Reporter) -> int:
    report = import_site(kind, src, path, section)
    reporter.diagnostics(report.problems)
    if report.problems and not report.posts:
        return 1
    folders = ", ".join(f"content/{s}/" for s in report.sections)
    reporter.line(
        f"Imported {plural(report.posts, 'post')} ({plural(report.drafts, 'draft')}) from {kind} into "
        f"{folders}, {plural(report.statics, 'static file')} into static/, "
        f"and {plural(report.aliases, 'old URL')} kept as aliases."
    )
    if report.unmapped:
        reporter.line("Not mapped (kept as they were, or left out):")
        for item in report.unmapped:
            # One line each: the old site's names and keys may hold line breaks (Reporter.line keeps them).
            reporter.line(f"  {printable(item.path)}: {printable(item.key)}: {printable(item.why)}")
    reporter.line(f"Next: site-builder build {path}")
    return 1 if report.problems else 0
