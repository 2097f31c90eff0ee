"""A site's GitHub Pages workflow (README, "Publishing on GitHub Pages"): what it installs, when it runs.

``init --github-pages`` writes it from ``scaffold_files/pages.yml``; ``upgrade`` rewrites only the
``SITE_BUILDER:`` line and the ``cron:`` lines of a site's copy, so a team's own edits stay.

The install is pinned to one release (``site-builder==X.Y.Z``), so a site builds with the version it
was made with until someone upgrades it, and a name registered later by somebody else is never run.
The daily run is computed from the site's time zone: GitHub reads cron times as UTC, so a zone with
summer time gets one line per UTC offset, each landing just after local midnight, and a post dated
today is published on its own day all year round.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from importlib.resources import files

from . import __version__
from .diagnostics import Diagnostic, error

DISTRIBUTION = "site-builder"  # the name on the package index; the command has the same name
WORKFLOW = ".github/workflows/pages.yml"
# A quarter past midnight, site time: GitHub starts scheduled runs late at the top of the hour.
RUN_AT = dt.time(0, 15)
SOURCE_PLACEHOLDER = "__SITE_BUILDER__"
_CRON_PLACEHOLDER = re.compile(r'^( *)- cron: "__CRON__"\n', re.MULTILINE)
_SOURCE_LINE = re.compile(r"^( +)SITE_BUILDER:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_CRON_LINE = re.compile(r"^( *)- cron:.*$", re.MULTILINE)


def pinned() -> str:
    """The requirement the workflow installs by default: exactly this version."""
    return f"{DISTRIBUTION}=={__version__}"


def template() -> str:
    return (files(__package__) / "scaffold_files" / "pages.yml").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class DailyRun:
    """One ``cron:`` line: a UTC time of day, and the UTC offsets of the zone it is local midnight for."""

    hour: int
    minute: int
    offsets: tuple[dt.timedelta, ...]

    @property
    def cron(self) -> str:
        return f"{self.minute} {self.hour} * * *"

    def line(self, indent: str, timezone: str) -> str:
        zones = " or ".join(_offset(o) for o in self.offsets)
        local = RUN_AT.strftime("%H:%M")
        return f'{indent}- cron: "{self.cron}"  # {local} in {timezone} when it is {zones}\n'


def daily_runs(timezone: str, year: int) -> list[DailyRun]:
    """The UTC times at which it is ``RUN_AT`` in ``timezone``, over ``year`` and the year after.

    Every day is looked at, so any rule the zone database knows (summer time, a zone that changes
    its offset for good, half-hour offsets) gives its own line. On a day whose midnight is skipped
    by a clock change, ``RUN_AT`` is read with the offset from before the change, which is still
    after the day has begun.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    found: dict[tuple[int, int], set[dt.timedelta]] = {}
    day, end = dt.date(year, 1, 1), dt.date(year + 2, 1, 1)
    while day < end:
        local = dt.datetime.combine(day, RUN_AT, zone)
        utc = local.astimezone(dt.UTC)
        offset = local.utcoffset()
        assert offset is not None  # a ZoneInfo always has one
        found.setdefault((utc.hour, utc.minute), set()).add(offset)
        day += dt.timedelta(days=1)
    return [DailyRun(h, m, tuple(sorted(offsets))) for (h, m), offsets in sorted(found.items())]


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone ``site.toml`` accepts, or None."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}: use an IANA name such as Europe/London or America/New_York"
    return None


def _offset(offset: dt.timedelta) -> str:
    if not offset:
        return "UTC"
    sign, rest = ("+", offset) if offset > dt.timedelta(0) else ("-", -offset)
    hours, seconds = divmod(int(rest.total_seconds()), 3600)
    return f"UTC{sign}{hours:02d}:{seconds // 60:02d}"


def render(tool_source: str, timezone: str, year: int) -> str:
    """The workflow for a new site: the template with the install and the schedule filled in."""
    text = template()
    match = _CRON_PLACEHOLDER.search(text)
    assert match is not None, "scaffold_files/pages.yml lost its cron placeholder"
    lines = "".join(run.line(match.group(1), timezone) for run in daily_runs(timezone, year))
    return text[: match.start()] + lines + text[match.end() :].replace(SOURCE_PLACEHOLDER, tool_source)


# --- what a site may install -------------------------------------------------------------------

# Safe inside a YAML double-quoted string and an environment variable: no quotes, backslashes,
# spaces, "${{" (a GitHub expression) or "$(" (in case a step ever drops the quotes around it).
_URL_SAFE = re.compile(r"[A-Za-z0-9._~:/?#@!&+=%,\[\]-]+")
_PINNED = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9.+!_-]+")


def tool_source_problem(text: str) -> str | None:
    """Why ``text`` cannot be what the workflow installs, or None when it can.

    Accepted: an exact release (``site-builder==1.2.0``), a git URL at a tag or commit
    (``git+https://github.com/org/site-builder@v1.2.0``) or the URL of a wheel. Each names one
    build, so the site builds the same way until someone upgrades it, and none of them can be
    read by pip as an option or by the shell as a command.
    """
    if not text or not _URL_SAFE.fullmatch(text) or text.startswith("-"):
        return (
            f"{text!r} is not a release, a git URL or a wheel URL (no spaces, quotes, '$' or a "
            "leading '-'); e.g. site-builder==1.2.0 or git+https://github.com/OWNER/REPO@v1.2.0"
        )
    lowered = text.lower()
    if lowered.startswith(("http://", "git+http://", "git://")):
        return f"{text!r} is fetched without encryption: use an https:// URL"
    if lowered.startswith(("git+ssh://", "ssh://", "git@", "git+git@")):
        return f"{text!r} needs an SSH key the workflow does not have: use the https:// URL of the repository"
    if lowered.startswith("git+https://"):
        if "@" not in text.split("://", 1)[1].split("/", 1)[-1]:
            return f"{text!r} names no tag: add one, e.g. {text}@v1.2.0, so every run installs the same code"
        return None
    if lowered.startswith("https://"):
        if not lowered.split("#", 1)[0].split("?", 1)[0].endswith(".whl"):
            return (
                f"{text!r} is not a wheel (.whl) URL: link a release's .whl file, or use a git URL at a tag"
            )
        return None
    if "://" in text or text.startswith(("/", ".", "~")) or lowered.startswith("file:"):
        return f"{text!r} is not reachable from GitHub's runners: use a release, a git URL or a wheel URL"
    if not _PINNED.fullmatch(text):
        return f"{text!r} names no exact version: pin one, e.g. {DISTRIBUTION}=={__version__}"
    return None


# --- ``upgrade``: rewrite the install and the schedule of an existing workflow -------------------


@dataclass(frozen=True, slots=True)
class Rewrite:
    text: str
    old_source: str
    old_crons: tuple[str, ...]
    new_crons: tuple[str, ...]


def rewrite(text: str, tool_source: str, timezone: str, year: int) -> Rewrite | Diagnostic:
    """``text`` with its ``SITE_BUILDER:`` value and its ``cron:`` lines replaced; a Diagnostic naming
    the line when the file does not have them as ``init`` wrote them."""
    sources = list(_SOURCE_LINE.finditer(text))
    if len(sources) != 1:
        line = _line_of(text, sources[1].start()) if sources else None
        return error(
            "upgrade/workflow",
            WORKFLOW,
            "has no SITE_BUILDER: line under env:"
            if not sources
            else "has more than one SITE_BUILDER: line, so which one to rewrite is unclear",
            line,
            hint=f'keep one line `  SITE_BUILDER: "{pinned()}"` under the workflow\'s env: (as '
            "`site-builder init --github-pages NEW-FOLDER` writes it) and run upgrade again",
        )
    crons = list(_CRON_LINE.finditer(text))
    if not crons:
        return error(
            "upgrade/workflow",
            WORKFLOW,
            "has no schedule (no `- cron:` line), so its daily run cannot be moved",
            hint="put back the schedule: block under on: (as `site-builder init --github-pages "
            "NEW-FOLDER` writes it) and run upgrade again",
        )
    crons = _first_block(crons)  # ours; any schedule a team added further down is theirs
    runs = daily_runs(timezone, year)
    indent = crons[0].group(1)
    block = "".join(run.line(indent, timezone) for run in runs)
    source = sources[0]
    # The crons come after env: in our template, but a team may have moved blocks: edit from the end.
    edits = sorted(
        [
            (source.start(2), source.end(2), f'"{tool_source}"'),
            (crons[0].start(), crons[-1].end() + 1, block),
        ],
        reverse=True,
    )
    new = text
    for start, end, replacement in edits:
        new = new[:start] + replacement + new[end:]
    return Rewrite(
        new,
        source.group(2).strip("\"'"),
        tuple(_cron_of(m.group(0)) for m in crons),
        tuple(run.cron for run in runs),
    )


def _first_block(lines: list[re.Match[str]]) -> list[re.Match[str]]:
    block = lines[:1]
    for line in lines[1:]:
        if line.start() != block[-1].end() + 1:
            break
        block.append(line)
    return block


def _cron_of(line: str) -> str:
    value = line.split("cron:", 1)[1].split("#", 1)[0].strip()
    return value.strip("\"'")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
