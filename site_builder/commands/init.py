"""``site-builder init DIR``: write a new site, make its git repository, say what to do next."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..report import Reporter
from ..scaffold import BRANCH, Git, Repository, init_site, make_repository, template_files
from ..workflow import WORKFLOW, daily_runs, pinned


def run(
    target: Path,
    github_pages: bool,
    reporter: Reporter,
    timezone: str = "UTC",
    tool_source: str | None = None,
) -> int:
    github_pages = github_pages or tool_source is not None  # a tool source only means something there
    source = tool_source or pinned()
    problems = init_site(target, github_pages, timezone, source)
    reporter.diagnostics(problems)
    if problems:
        return 1
    shown = _shown(target)
    reporter.line(f"Created a new site in {shown}:")
    for rel in sorted(template_files(github_pages)):
        reporter.line(f"  {rel}")
    repository = make_repository(target)
    reporter.line(_said(repository, github_pages))
    reporter.line("")
    reporter.line("Next:")
    reporter.line(f"  cd {shown}")
    reporter.line("  site-builder serve                  # preview it; pages reload as you edit")
    reporter.line('  site-builder new weeknote "Week 2"  # a new post, dated today')
    if repository.outcome in (Git.MADE, Git.INSIDE):
        reporter.line('  git add . && git commit -m "A new site"')
    else:
        reporter.line(f'  git init -b {BRANCH} && git add . && git commit -m "A new site"')
    if github_pages:
        _publishing(reporter, timezone, source)
    else:
        reporter.line("  site-builder deploy --remote origin   # publish output/ on a gh-pages branch")
    return 0


def _said(repository: Repository, github_pages: bool) -> str:
    if repository.outcome is Git.MADE:
        return f"Made a git repository on the branch {BRANCH} (nothing committed yet)."
    if repository.outcome is Git.INSIDE:
        said = f"The folder is inside the git repository at {repository.detail}, so no new one was made."
        if github_pages:
            said += f" GitHub runs only the workflows at the top of a repository, in {WORKFLOW}."
        return said
    if repository.outcome is Git.MISSING:
        return "git is not installed, so no git repository was made: install git, then make it as below."
    return f"git could not make a repository ({repository.detail}): make it as below."


def _publishing(reporter: Reporter, timezone: str, source: str) -> None:
    times = " and ".join(
        f"{run.hour:02d}:{run.minute:02d}" for run in daily_runs(timezone, dt.date.today().year)
    )
    reporter.line('Then publish it with GitHub Pages (README, "Publishing on GitHub Pages"):')
    reporter.line("  1. Make an empty repository on GitHub, then push this one to it:")
    reporter.line(
        f"     git remote add origin https://github.com/OWNER/REPO.git && git push -u origin {BRANCH}"
    )
    reporter.line('  2. On GitHub: Settings > Pages > Build and deployment > Source: "GitHub Actions".')
    reporter.line(
        f'  3. Actions tab > "Pages": every push to {BRANCH} (the default branch) builds and publishes'
    )
    reporter.line(f"     the site; pull requests are only checked; a daily run at {times} UTC (just after")
    reporter.line(f"     midnight in {timezone}) publishes posts dated that day. It installs {source}.")


def _shown(target: Path) -> str:
    """The folder as the person typed it, where that is shorter than the absolute path."""
    try:
        rel = os.path.relpath(target)
    except ValueError:  # another drive on Windows
        return str(target)
    return rel if not rel.startswith("..") and len(rel) < len(str(target)) else str(target)
