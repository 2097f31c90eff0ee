"""``site-builder deploy``: build, commit output/ to a branch (gh-pages), and push it."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import load_config, placeholder_problem
from ..diagnostics import Diagnostic, warning
from ..discover import output_problem
from ..marker import MARKER, read_manifest
from ..model import BuildOptions
from ..pipeline import build
from ..publish import preflight, publish
from ..report import Reporter, plural
from ..theme import load_theme


def run(root: Path, remote: str | None, branch: str, base_url: str | None, reporter: Reporter) -> int:
    config = load_config(root, base_url)
    theme = load_theme(config)
    out = root / "output"
    # Before the build: no git, no deploy; an output/ that static/ links to would be read back in.
    problems = preflight(root, branch)
    if not problems and (problem := output_problem(out, root, (*theme.template_dirs, *theme.static_dirs))):
        problems = [problem]
    if problems:
        reporter.diagnostics(problems)
        return 1
    opts = BuildOptions(base_url=base_url)
    result = build(config, opts, progress=reporter.progress)
    placeholder = placeholder_problem(config) if base_url is None else None
    reporter.diagnostics([*([placeholder] if placeholder else []), *result.diagnostics.sorted()])
    if not result.written:
        errors = plural(len(result.diagnostics.errors), "error")
        reporter.line(f"Build failed ({errors}); nothing was deployed.")
        return 1
    # The marker is write.py's bookkeeping for safe swaps, not part of the published site; a file
    # that no build made (dropped into output/ by hand or by a checkout) is not published either.
    extra = _unplanned(out, set(read_manifest(out)))
    if extra:
        reporter.diagnostics([_left_out(extra)])
    published, problems = publish(root, out, branch, remote, skip={MARKER, *extra})
    reporter.diagnostics(problems)
    if published is None:
        return 1
    shown = f"{out.relative_to(root).as_posix()}/" if out.is_relative_to(root) else str(out)
    short = published.commit[:7]
    if published.changed:
        text = f"Deployed {shown} to {branch} as {short}"
    else:
        text = f"Nothing changed: {branch} is still {short}"
    if published.pushed:
        text += f", pushed to {published.remote}"
    reporter.line(text + ".")
    return 0


def _unplanned(out: Path, planned: set[str]) -> set[str]:
    """Files in the output that the build's own record does not list (links are not followed)."""
    found = set()
    for folder, _, names in os.walk(out):
        for name in names:
            rel = (Path(folder) / name).relative_to(out).as_posix()
            if rel != MARKER and rel not in planned:
                found.add(rel)
    return found


def _left_out(extra: set[str]) -> Diagnostic:
    shown = ", ".join(sorted(extra)[:5]) + (", ..." if len(extra) > 5 else "")
    return warning(
        "deploy/unplanned",
        "output",
        f"not deployed, as no build made {'it' if len(extra) == 1 else 'them'}: "
        f"{plural(len(extra), 'file')} in the output ({shown})",
        hint="put files to publish in static/; delete output/ to start clean",
    )
