"""``site-builder check``: validate a site without writing it, for editors and pull requests.

It is the build's own pipeline, stopped before rendering, with the build's options: ``build``,
``serve`` and ``check`` report one set of problems (site_builder/rules.py), printed alike.
``--strict`` makes warnings fail the check, as it fails a build.
"""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigError, load_config
from ..diagnostics import Diagnostics
from ..model import BuildOptions
from ..pipeline import Goal, build
from ..report import Reporter, format_github, format_json, format_text, plural, unique


def run(root: Path, fmt: str, reporter: Reporter, opts: BuildOptions | None = None) -> int:
    opts = opts or BuildOptions()
    try:
        config = load_config(root)
    except ConfigError as exc:  # in the format asked for: a pull request's site.toml is checked too
        _print(Diagnostics(list(exc.diagnostics)), fmt, reporter)
        return 1
    result = build(config, opts, goal=Goal.CHECK)
    diagnostics = result.diagnostics
    _print(diagnostics, fmt, reporter)
    return 1 if diagnostics.has_errors(opts.strict) else 0


def _print(diagnostics: Diagnostics, fmt: str, reporter: Reporter) -> None:
    items = unique(diagnostics.sorted())
    if fmt == "json":
        reporter.line(format_json(items))
        return
    for d in items:
        reporter.line(format_github(d) if fmt == "github" else format_text(d))
    if fmt == "text":
        reporter.line(f"Checked: {counts(Diagnostics(items))}.")


def counts(diagnostics: Diagnostics) -> str:
    """ "2 errors, 1 warning" (and the notes, when there are any): the same words in every command."""
    parts = [plural(len(diagnostics.errors), "error"), plural(len(diagnostics.warnings), "warning")]
    if diagnostics.notes:
        parts.append(plural(len(diagnostics.notes), "note"))
    return ", ".join(parts)
