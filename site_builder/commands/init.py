"""``site-builder init DIR [--github-pages]``: write a new site, then say what to do next (SPEC §6)."""

from __future__ import annotations

import os
from pathlib import Path

from ..report import Reporter
from ..scaffold import WORKFLOW, init_site, template_files


def run(target: Path, github_pages: bool, reporter: Reporter) -> int:
    problems = init_site(target, github_pages)
    reporter.diagnostics(problems)
    if problems:
        return 1
    shown = _shown(target)
    reporter.line(f"Created a new site in {shown}:")
    for rel in sorted(template_files(github_pages)):
        reporter.line(f"  {rel}")
    reporter.line("")
    reporter.line("Next:")
    reporter.line(f"  cd {shown}")
    reporter.line("  site-builder build          # build the site into output/")
    reporter.line('  site-builder new weeknote "Week 2"')
    reporter.line('  git init && git add . && git commit -m "A new site"')
    if github_pages:
        reporter.line(
            f"Then push to GitHub and set Settings > Pages > Source to 'GitHub Actions': {WORKFLOW} "
            "builds and publishes on every push to main, and every day for future-dated posts."
        )
    else:
        reporter.line("  site-builder deploy --remote origin   # publish output/ on a gh-pages branch")
    return 0


def _shown(target: Path) -> str:
    """The folder as the person typed it, where that is shorter than the absolute path."""
    try:
        rel = os.path.relpath(target)
    except ValueError:  # another drive on Windows
        return str(target)
    return rel if not rel.startswith("..") and len(rel) < len(str(target)) else str(target)
