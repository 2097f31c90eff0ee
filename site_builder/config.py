"""Load and validate ``site.toml``: unknown keys and wrong types are errors naming the key."""

from __future__ import annotations

import hashlib
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, error, warning
from .urls import TOKENS

CONFIG_FILE = "site.toml"
KIND_NAMES = ("weeknote", "case-study", "contribution", "page")
DEFAULT_KINDS = {"weeknotes": "weeknote", "case-studies": "case-study", "contributions": "contribution"}
# SPEC §3: the seven common blockers of digital change.
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
        """The settings of a content folder, with defaults by folder name (SPEC §3)."""
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


def placeholder_problem(config: SiteConfig) -> Diagnostic | None:
    """A warning when ``base_url`` is still the placeholder ``init`` writes (a host under the
    reserved ``.example`` name, never a real site): feeds, the sitemap and canonical links would
    point there."""
    host = (urlsplit(config.base_url).hostname or "").lower()
    if not (host == "example" or host.endswith(".example")):
        return None
    return warning(
        "config/base-url",
        CONFIG_FILE,
        f"base_url is still the placeholder {config.base_url}: feeds, the sitemap and canonical links "
        "would point there",
        hint="set base_url in site.toml to the address the site is published at, or pass --base-url",
    )


def default_permalink(kind: str, section: str) -> str:
    if not section:
        return "/:slug/"
    if kind == "weeknote":
        return "/:section/:year/:month/:slug/"
    return "/:section/:slug/"


# key -> (type, description used in messages)
_TOP: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "a string"),
    "description": (str, "a string"),
    "base_url": (str, "a URL such as https://example.org/"),
    "language": (str, "a language tag such as en-GB"),
    "timezone": (str, "an IANA time zone such as Europe/London"),
    "feed_limit": (int, "a whole number"),
    "paginate": (int, "a whole number"),
    "home_limit": (int, "a whole number"),
    "domain": (str, "a domain name such as example.org"),
    "theme": (str, "the name of a folder under themes/"),
    "sections": (dict, "a table of [sections.<folder>] tables"),
    "tags": (dict, "a table of tag = display name"),
    "authors": (dict, "a table of [authors.<slug>] tables"),
    "teams": (dict, "a table of [teams.<slug>] tables"),
    "challenges": (dict, "a table of challenge = description"),
    "tools": (list, "a list of the tools contributions may name, e.g. [Trello, YouTube]"),
}
_SECTION = {"kind": str, "permalink": str, "paginate": int, "title": str, "trusted": bool}
_PROFILE = {"name": str, "bio": str, "url": str, "avatar": str, "cadence": str}


class ConfigError(Exception):
    """Raised with every problem found in ``site.toml``; the build cannot start without it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read ``root/site.toml``; ``base_url`` overrides the file's (``--base-url``)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            [
                error(
                    "config/missing",
                    CONFIG_FILE,
                    f"no {CONFIG_FILE} in {root}",
                    hint="run the command in a site folder, or create one with 'site-builder init DIR'",
                )
            ]
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [
                error(
                    "config/encoding",
                    CONFIG_FILE,
                    f"{CONFIG_FILE} is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                    raw[: exc.start].count(b"\n") + 1,
                    hint="re-save the file as UTF-8 in your editor",
                )
            ]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_line(str(exc))
        raise ConfigError(
            [
                error(
                    "config/toml",
                    CONFIG_FILE,
                    f"{CONFIG_FILE} is not valid TOML: {exc}",
                    line,
                    hint="fix the TOML syntax at that line",
                )
            ]
        ) from None
    problems: list[Diagnostic] = []
    values = _validate(data, problems)
    if base_url is not None:
        values["base_url"] = base_url
    _check_values(values, problems)
    _check_theme(root, values.get("theme", "default"), problems)
    if problems:
        raise ConfigError(problems)
    return SiteConfig(root=root, **values)


def _toml_line(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0].rstrip(")")
        return int(digits) if digits.isdigit() else None
    return None


def _problem(key: str, message: str, hint: str) -> Diagnostic:
    return error("config/invalid", CONFIG_FILE, f"{key}: {message}", hint=hint)


def _typed(
    key: str, value: Any, kind: type | tuple[type, ...], what: str, problems: list[Diagnostic]
) -> bool:
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return True
    problems.append(
        _problem(
            key,
            f"expected {what}, got {type(value).__name__} {value!r}",
            f"change '{key}' in {CONFIG_FILE} to {what}",
        )
    )
    return False


def _table(prefix: str, table: Any, schema: Mapping[str, type], problems: list[Diagnostic]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not _typed(prefix, table, dict, "a table", problems):
        return out
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if key not in schema:
            problems.append(_problem(name, "unknown key", f"known keys here are: {', '.join(schema)}"))
        elif _typed(name, value, schema[key], f"a {schema[key].__name__}", problems):
            out[key] = value
    return out


def _validate(data: dict[str, Any], problems: list[Diagnostic]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _TOP:
            problems.append(_problem(key, "unknown key", f"known keys are: {', '.join(_TOP)}"))
            continue
        kind, what = _TOP[key]
        if not _typed(key, value, kind, what, problems):
            continue
        if key == "sections":
            value = {name: _section(name, t, data, problems) for name, t in value.items()}
        elif key in ("authors", "teams"):
            default = "weekly" if key == "teams" else ""
            value = {slug: _profile(f"{key}.{slug}", slug, t, default, problems) for slug, t in value.items()}
        elif key == "tools":
            value = tuple(
                v for n, v in enumerate(value) if _typed(f"tools[{n}]", v, str, "a string", problems)
            )
        elif key in ("tags", "challenges"):
            value = {k: v for k, v in value.items() if _typed(f"{key}.{k}", v, str, "a string", problems)}
        values[key] = value
    return values


def _section(name: str, table: Any, data: dict[str, Any], problems: list[Diagnostic]) -> SectionConfig:
    t = _table(f"sections.{name}", table, _SECTION, problems)
    kind = t.get("kind", DEFAULT_KINDS.get(name, "page"))
    if kind not in KIND_NAMES:
        problems.append(
            _problem(
                f"sections.{name}.kind", f"unknown kind {kind!r}", f"use one of: {', '.join(KIND_NAMES)}"
            )
        )
    if "permalink" in t:
        _check_permalink(f"sections.{name}.permalink", t["permalink"], problems)
    paginate = t.get("paginate", data.get("paginate", 10))
    if "paginate" in t and paginate < 1:  # 0 would crash pagination later (range step 0)
        problems.append(_problem(f"sections.{name}.paginate", "must be at least 1", "set it to 1 or more"))
    trusted = t.get("trusted", kind != "contribution")
    if trusted and kind == "contribution":
        problems.append(
            _problem(
                f"sections.{name}.trusted",
                "a contribution section is never trusted: its files come from outside the team",
                "remove 'trusted', or give the section another kind",
            )
        )
    return SectionConfig(
        kind, t.get("permalink", default_permalink(kind, name)), paginate, t.get("title", ""), trusted
    )


def _profile(prefix: str, slug: str, table: Any, cadence: str, problems: list[Diagnostic]) -> Profile:
    t = _table(prefix, table, _PROFILE, problems)
    t.setdefault("name", slug.replace("-", " ").title())
    t.setdefault("cadence", cadence)
    if t["cadence"] not in ("weekly", "fortnightly", cadence):
        problems.append(
            _problem(f"{prefix}.cadence", f"unknown cadence {t['cadence']!r}", "use weekly or fortnightly")
        )
        t["cadence"] = cadence
    return Profile(**t)


def _check_values(values: dict[str, Any], problems: list[Diagnostic]) -> None:
    tz = values.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(
            _problem("timezone", f"unknown time zone {tz!r}", "use an IANA name such as Europe/London or UTC")
        )
    url = values.get("base_url", "http://localhost:8000/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(
            _problem(
                "base_url",
                f"{url!r} is not an absolute http(s) URL",
                "write it as https://example.org/ or https://org.github.io/repo/",
            )
        )
    elif not url.endswith("/"):
        values["base_url"] = url + "/"
    for key in ("feed_limit", "paginate", "home_limit"):
        if key in values and values[key] < 1:
            problems.append(_problem(key, "must be at least 1", f"set {key} to 1 or more"))
    domain = values.get("domain", "")
    if domain and not _DOMAIN.fullmatch(domain):  # it becomes the CNAME file GitHub Pages reads
        problems.append(
            _problem("domain", f"{domain!r} is not a domain name", "write it as weeknotes.example.org")
        )


_DOMAIN = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
# urls.permalink expands these; any other ":word" would be left in the URL as it is.
PERMALINK_TOKENS = frozenset(TOKENS)
_PERMALINK_TOKEN = re.compile(r":([A-Za-z_]\w*)")


def _check_permalink(key: str, pattern: str, problems: list[Diagnostic]) -> None:
    unknown = [t for t in _PERMALINK_TOKEN.findall(pattern) if t not in PERMALINK_TOKENS]
    if unknown:
        problems.append(
            _problem(
                key,
                f"unknown token ':{unknown[0]}' in {pattern!r}",
                f"use the tokens {', '.join(':' + t for t in sorted(PERMALINK_TOKENS))}",
            )
        )


def _check_theme(root: Path, theme: str, problems: list[Diagnostic]) -> None:
    """A theme other than the built-in one must be a folder under themes/ (else the site would
    quietly build with the default look)."""
    if theme == "default":
        return
    if "/" in theme or "\\" in theme or theme in (".", "..") or not (root / "themes" / theme).is_dir():
        problems.append(
            _problem(
                "theme",
                f"no theme folder themes/{theme}/",
                f"create themes/{theme}/templates/ with the templates it overrides, or remove 'theme'",
            )
        )
