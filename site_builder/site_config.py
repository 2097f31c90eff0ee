"""The loaded site configuration: plain frozen data every stage reads (``config`` loads and checks it)."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# A content folder with one of these names holds that kind without a [sections] table in site.toml.
DEFAULT_KINDS = {"weeknotes": "weeknote", "case-studies": "case-study", "contributions": "contribution"}
# The seven common blockers of digital change: what a case study's 'challenges' name when site.toml
# gives no [challenges] of its own.
DEFAULT_CHALLENGES = {
    "governance": "Who decides, and how long deciding takes.",
    "funding": "Money that comes in projects, not in services.",
    "procurement": "Buying things in ways that fit how digital work is done.",
    "recruitment": "Hiring and keeping people with digital skills.",
    "communications": "Telling people what is happening, and hearing back.",
    "technology": "Legacy systems, locked-down laptops and blocked websites.",
    "leadership": "Leaders who understand, sponsor and protect the work.",
}


@dataclass(frozen=True, slots=True)
class SectionConfig:
    kind: str
    permalink: str
    paginate: int
    title: str = ""
    # Untrusted sections (SECURITY.md) get no raw HTML, no template syntax and only inert files, in
    # every file of the section, its _index.md included. Contributions are never trusted.
    trusted: bool = True


@dataclass(frozen=True, slots=True)
class Profile:
    """An author or team profile. ``cadence`` (weekly or fortnightly) is how often a stream of
    weeknotes is due: every team has one; an author has one only when site.toml gives it, since
    most authors write in a team's stream and a streak of their own would read as a reproach."""

    name: str
    bio: str = ""
    url: str = ""
    avatar: str = ""
    cadence: str = "weekly"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path
    title: str = "My site"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    timezone: str = "UTC"
    feed_limit: int = 20
    paginate: int = 10
    home_limit: int = 5
    domain: str = ""
    theme: str = "default"
    sections: Mapping[str, SectionConfig] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    authors: Mapping[str, Profile] = field(default_factory=dict)
    teams: Mapping[str, Profile] = field(default_factory=dict)
    challenges: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CHALLENGES))
    tools: tuple[str, ...] = ()  # known tools for contributions; empty: any tool is fine

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always ending in "/": "/repo/" for a project site."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    def section(self, name: str) -> SectionConfig:
        """The settings of a content folder; one site.toml does not name takes the defaults of its
        folder name (weeknotes/, case-studies/, contributions/; any other folder holds pages)."""
        if name in self.sections:
            return self.sections[name]
        kind = DEFAULT_KINDS.get(name, "page")
        return SectionConfig(
            kind, default_permalink(kind, name), self.paginate, trusted=kind != "contribution"
        )

    def trusted(self, section: str) -> bool:
        """Whether a content folder holds the team's own writing (SECURITY.md); "" is the root."""
        return self.section(section).trusted if section else True

    def parse_fingerprint(self) -> str:
        """What parsing reads from the config; base_url is left out so --base-url keeps caches."""
        parts = [self.timezone, repr(sorted(self.sections.items())), repr(sorted(self.challenges))]
        parts += [repr(sorted(self.teams)), repr(sorted((s, p.name) for s, p in self.authors.items()))]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def default_permalink(kind: str, section: str) -> str:
    if not section:
        return "/:slug/"
    if kind == "weeknote":
        return "/:section/:year/:month/:slug/"
    return "/:section/:slug/"
