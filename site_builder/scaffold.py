"""A new site from the files in ``scaffold_files/`` (``site-builder init``): config, sample posts, workflow,
and the git repository it lives in.

The files are real files in the package (shipped in the wheel), read with importlib.resources, so
they can be edited and linted as they are. ``__TODAY__`` in them becomes today's date and
``__TIMEZONE__`` the site's time zone; the workflow is filled in by ``workflow.render``.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import subprocess
import zoneinfo
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .kinds import fields_of
from .urls import slugify
from .workflow import WORKFLOW, render

TODAY = "__TODAY__"
TIMEZONE = "__TIMEZONE__"
BRANCH = "main"  # GitHub's default for new repositories, so the first push makes it the default branch
# Package data cannot be called .gitignore (tools read it as an ignore file), so it is renamed.
_RENAMES = {"gitignore": ".gitignore"}


def template_files(github_pages: bool) -> dict[str, str]:
    """Site-relative POSIX path -> text, before the placeholders are filled in."""
    root = files(__package__) / "scaffold_files"
    found: dict[str, str] = {}
    _walk(root / "site", "", found)
    if github_pages:
        found[WORKFLOW] = (root / "pages.yml").read_text(encoding="utf-8")
    return found


def _walk(folder: Traversable, prefix: str, found: dict[str, str]) -> None:
    for entry in folder.iterdir():
        rel = prefix + _RENAMES.get(entry.name, entry.name)
        if entry.is_dir():
            _walk(entry, rel + "/", found)
        elif not entry.name.endswith((".pyc", ".pyo")):
            found[rel] = entry.read_text(encoding="utf-8")


def new_site_files(
    github_pages: bool, timezone: str, tool_source: str, today: dt.date | None = None
) -> dict[str, str]:
    """Site-relative path -> the text ``init`` writes. The sample weeknote is dated today in the
    site's time zone, so it is never "in the future" there."""
    zone = zoneinfo.ZoneInfo(timezone)
    day = today or dt.datetime.now(zone).date()
    filled = {
        rel: text.replace(TODAY, day.isoformat()).replace(TIMEZONE, timezone)
        for rel, text in template_files(github_pages).items()
    }
    if github_pages:
        filled[WORKFLOW] = render(tool_source, timezone, day.year)
    return filled


def init_site(
    target: Path,
    github_pages: bool,
    timezone: str,
    tool_source: str,
    today: dt.date | None = None,
) -> list[Diagnostic]:
    """Write a new site into ``target`` (missing or empty); nothing is written when it is refused."""
    if problem := _refuse(target):
        return [problem]
    try:
        for rel, text in sorted(new_site_files(github_pages, timezone, tool_source, today).items()):
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")  # the same files on every system
    except OSError as exc:
        return [
            error(
                "init/write",
                str(target),
                f"could not write the new site: {exc.strerror or exc}",
                hint="check the folder's permissions and free space, then try again in an empty folder",
            )
        ]
    return []


def _refuse(target: Path) -> Diagnostic | None:
    if target.exists() and not target.is_dir():
        return error(
            "init/not-a-folder",
            str(target),
            f"{target} is a file, not a folder",
            hint="choose a new folder name for the site",
        )
    if target.is_dir() and any(target.iterdir()):
        return error(
            "init/not-empty",
            str(target),
            f"{target} is not empty; nothing was written, so nothing in it was changed",
            hint="choose a new or empty folder, e.g. 'site-builder init my-site'",
        )
    return None


# --- the git repository: ``init`` makes it on ``main``, so a first push deploys -----------------


class Git(enum.Enum):
    MADE = "made"  # a new repository on BRANCH
    INSIDE = "inside"  # the site is inside an existing work tree: no repository in a repository
    MISSING = "missing"  # git is not installed
    FAILED = "failed"  # git said no; ``detail`` has its words


@dataclass(frozen=True, slots=True)
class Repository:
    outcome: Git
    detail: str = ""  # the enclosing work tree, or git's error


# Variables that point git at another repository (set inside git hooks, for instance).
_REPOSITORY_VARIABLES = frozenset(
    {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR", "GIT_PREFIX"}
)


def make_repository(target: Path) -> Repository:
    """``git init`` on ``main`` in ``target``, whatever the machine's ``init.defaultBranch`` says:
    the workflow deploys the default branch, and GitHub takes the first branch pushed as that.
    Git older than 2.28 has no ``-b``, so HEAD is pointed at ``main`` by hand there."""
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args],
            cwd=target,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
            check=False,
        )

    try:
        inside = git("rev-parse", "--show-toplevel")
        if inside.returncode == 0:
            return Repository(Git.INSIDE, inside.stdout.strip())
        made = git("init", "-q", "-b", BRANCH)
        if made.returncode != 0:  # old git: "unknown switch `b'"
            made = git("init", "-q")
            if made.returncode == 0:
                made = git("symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
    except FileNotFoundError:
        return Repository(Git.MISSING)
    except (OSError, subprocess.SubprocessError) as exc:
        return Repository(Git.FAILED, str(exc))
    if made.returncode != 0:
        words = (made.stderr or made.stdout).strip().splitlines()
        return Repository(Git.FAILED, words[-1] if words else f"exit code {made.returncode}")
    return Repository(Git.MADE)


# --- ``site-builder new``: one ready-to-edit file of a kind, generated from its schema (kinds.py).

BODIES = {
    "weeknote": "What we did this week.\n\n<!--more-->\n\n## What we learned\n\n## What we're stuck on\n\n"
    "## Next week\n",
    "case-study": "## The challenge\n\n## What we did\n\n## What happened\n\n## What we'd tell others\n",
    "contribution": "Tell people what you did, with which everyday tools, and what you learned.\n",
    "page": "Write the page here.\n",
}


def new_document(
    config: SiteConfig, kind: str, title: str | None, author: str, team: str, today: dt.date
) -> tuple[Path, list[Diagnostic]]:
    """Write ``content/<section>/<slug>.md`` with every field of ``kind``, as a draft; never overwrite
    a file. A weeknote without a title is named after its team and ISO week."""
    section = next((n for n, s in config.sections.items() if s.kind == kind), SECTION_FOR_KIND[kind])
    folder = config.root / "content" / section if section else config.root / "content"
    year, week, _ = today.isocalendar()
    name = title or "-".join(filter(None, (slugify(team) if team else "", f"week-{week:02d}-{year}")))
    path = folder / f"{slugify(name)}.md"
    shown = path.relative_to(config.root).as_posix()
    if path.exists():
        return path, [
            error(
                "new/exists",
                shown,
                "the file already exists and was left as it was",
                hint="choose another title, or edit the existing file",
            )
        ]
    folder.mkdir(parents=True, exist_ok=True)
    text = front_matter(kind, title, author, team, today) + "\n" + BODIES[kind]
    path.write_text(text, encoding="utf-8", newline="\n")
    return path, []


SECTION_FOR_KIND = {
    "weeknote": "weeknotes",
    "case-study": "case-studies",
    "contribution": "contributions",
    "page": "",
}


def front_matter(kind: str, title: str | None, author: str, team: str, today: dt.date) -> str:
    """YAML with known values filled in and every other field of the kind commented with its help;
    a draft until its author deletes that line."""
    known: dict[str, str] = {"date": today.isoformat(), "draft": "true  # delete this line to publish"}
    if title:
        known["title"] = _yaml(title)
    if author:
        known["authors"] = f"[{_yaml(author)}]"
    if team and kind == "weeknote":
        known["team"] = _yaml(slugify(team))
    if kind == "contribution":
        known["contributor"] = f'\n  name: {_yaml(author or "Your name")}\n  organisation: ""\n  url: ""'
        known.pop("authors", None)
        known["licence"] = '"CC BY 4.0"'
    lines = ["---"]
    if kind == "weeknote":
        year, week, _ = today.isocalendar()
        lines.append(f"# ISO week {week}, {year}: the title defaults to 'Weeknotes: week {week}, {year}'")
    for f in fields_of(kind):
        if f.name in known:
            value = known[f.name]
            lines.append(f"{f.name}:{value}" if value.startswith("\n") else f"{f.name}: {value}")
        else:
            lines.append(f"# {f.name}: {_EMPTY[f.type]}  # {f.help}")
    lines.append("---")
    return "\n".join(lines) + "\n"


_EMPTY = {
    "str": '""',
    "list": "[]",
    "paths": "[]",
    "date": "YYYY-MM-DD",
    "bool": "false",
    "contributor": '{name: ""}',
}


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar: safe for colons, hashes and quotes in titles and names."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
