"""``site-builder deploy``: build, commit output/ to a branch (gh-pages), and push it (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

from ..config import load_config, placeholder_problem
from ..discover import output_problem
from ..model import BuildOptions
from ..pipeline import run as run_pipeline
from ..publish import preflight, publish
from ..report import Reporter, plural
from ..theme import load_theme
from ..write import MARKER


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
    result = run_pipeline(config, opts, progress=reporter.progress)
    placeholder = placeholder_problem(config) if base_url is None else None
    reporter.diagnostics([*([placeholder] if placeholder else []), *result.diagnostics.sorted()])
    if not result.written:
        errors = plural(len(result.diagnostics.errors), "error")
        reporter.line(f"Build failed ({errors}); nothing was deployed.")
        return 1
    # The marker is write.py's bookkeeping for safe swaps, not part of the published site.
    published, problems = publish(root, out, branch, remote, skip={MARKER})
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
