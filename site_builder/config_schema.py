"""``site.toml``'s schema: its keys, their types, and the checks on the values a right type can
still get wrong. Each check returns the value as far as it is valid with the problems it found, so
that ``config.load_config`` reports every problem at once, each naming the key and what to write.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, error
from .site_config import DEFAULT_KINDS, Profile, SectionConfig, default_permalink
from .urls import TOKENS

CONFIG_FILE = "site.toml"
KIND_NAMES = ("weeknote", "case-study", "contribution", "page")
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
_DOMAIN = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
# urls.permalink expands these; any other ":word" would be left in the URL as it is.
PERMALINK_TOKENS = frozenset(TOKENS)
_PERMALINK_TOKEN = re.compile(r":([A-Za-z_]\w*)")

_T = TypeVar("_T")
Checked = tuple[_T, list[Diagnostic]]  # a value as far as it is valid, and what was wrong with it


# --- the schema: keys and their types --------------------------------------------------------------


def _problem(key: str, message: str, hint: str) -> Diagnostic:
    return error("config/invalid", CONFIG_FILE, f"{key}: {message}", hint=hint)


def _type_problem(key: str, value: Any, kind: type | tuple[type, ...], what: str) -> Diagnostic | None:
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return None
    return _problem(
        key,
        f"expected {what}, got {type(value).__name__} {value!r}",
        f"change '{key}' in {CONFIG_FILE} to {what}",
    )


def _table(prefix: str, table: Any, schema: Mapping[str, type]) -> Checked[dict[str, Any]]:
    """The keys of ``table`` that ``schema`` knows and whose values have its type."""
    wrong = _type_problem(prefix, table, dict, "a table")
    if wrong is not None:
        return {}, [wrong]
    out: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if key not in schema:
            problems.append(_problem(name, "unknown key", f"known keys here are: {', '.join(schema)}"))
        elif (wrong := _type_problem(name, value, schema[key], f"a {schema[key].__name__}")) is not None:
            problems.append(wrong)
        else:
            out[key] = value
    return out, problems


def validate(data: dict[str, Any]) -> Checked[dict[str, Any]]:
    """The top-level keys as SiteConfig takes them, leaving out the unknown and the mistyped."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, value in data.items():
        if key not in _TOP:
            problems.append(_problem(key, "unknown key", f"known keys are: {', '.join(_TOP)}"))
            continue
        kind, what = _TOP[key]
        wrong = _type_problem(key, value, kind, what)
        if wrong is not None:
            problems.append(wrong)
            continue
        values[key], found = _value(key, value, data)
        problems += found
    return values, problems


def _value(key: str, value: Any, data: dict[str, Any]) -> Checked[Any]:
    """One top-level value of the right type, its tables and lists checked item by item."""
    if key == "sections":
        return _each(value, lambda name, table: _section(name, table, data))
    if key in ("authors", "teams"):
        default = "weekly" if key == "teams" else ""
        return _each(value, lambda slug, table: _profile(f"{key}.{slug}", slug, table, default))
    if key == "tools":
        items = [_type_problem(f"tools[{n}]", v, str, "a string") for n, v in enumerate(value)]
        return tuple(v for v, w in zip(value, items, strict=True) if w is None), [w for w in items if w]
    if key in ("tags", "challenges"):
        named = {k: _type_problem(f"{key}.{k}", v, str, "a string") for k, v in value.items()}
        return {k: v for k, v in value.items() if named[k] is None}, [w for w in named.values() if w]
    return value, []


def _each(table: dict[str, Any], check: Callable[[str, Any], Checked[_T]]) -> Checked[dict[str, _T]]:
    """``check`` applied to every entry of a table: the checked values, and the problems in order."""
    checked = {name: check(name, value) for name, value in table.items()}
    problems = [problem for _, found in checked.values() for problem in found]
    return {name: value for name, (value, _) in checked.items()}, problems


def _section(name: str, table: Any, data: dict[str, Any]) -> Checked[SectionConfig]:
    t, problems = _table(f"sections.{name}", table, _SECTION)
    kind = t.get("kind", DEFAULT_KINDS.get(name, "page"))
    if kind not in KIND_NAMES:
        problems.append(
            _problem(
                f"sections.{name}.kind", f"unknown kind {kind!r}", f"use one of: {', '.join(KIND_NAMES)}"
            )
        )
    if "permalink" in t:
        problems += _permalink_problems(f"sections.{name}.permalink", t["permalink"])
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
    permalink = t.get("permalink", default_permalink(kind, name))
    return SectionConfig(kind, permalink, paginate, t.get("title", ""), trusted), problems


def _profile(prefix: str, slug: str, table: Any, cadence: str) -> Checked[Profile]:
    t, problems = _table(prefix, table, _PROFILE)
    t = {"name": slug.replace("-", " ").title(), "cadence": cadence, **t}
    if t["cadence"] not in ("weekly", "fortnightly", cadence):
        problems.append(
            _problem(f"{prefix}.cadence", f"unknown cadence {t['cadence']!r}", "use weekly or fortnightly")
        )
        t["cadence"] = cadence
    return Profile(**t), problems


# --- the values: what a right type can still get wrong ---------------------------------------------


def check_values(values: dict[str, Any]) -> Checked[dict[str, Any]]:
    """Problems with the values; the returned copy's ``base_url`` ends in "/"."""
    problems: list[Diagnostic] = []
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
        values = {**values, "base_url": url + "/"}
    for key in ("feed_limit", "paginate", "home_limit"):
        if key in values and values[key] < 1:
            problems.append(_problem(key, "must be at least 1", f"set {key} to 1 or more"))
    domain = values.get("domain", "")
    if domain and not _DOMAIN.fullmatch(domain):  # it becomes the CNAME file GitHub Pages reads
        problems.append(
            _problem("domain", f"{domain!r} is not a domain name", "write it as weeknotes.example.org")
        )
    return values, problems


def _permalink_problems(key: str, pattern: str) -> list[Diagnostic]:
    unknown = [t for t in _PERMALINK_TOKEN.findall(pattern) if t not in PERMALINK_TOKENS]
    if not unknown:
        return []
    return [
        _problem(
            key,
            f"unknown token ':{unknown[0]}' in {pattern!r}",
            f"use the tokens {', '.join(':' + t for t in sorted(PERMALINK_TOKENS))}",
        )
    ]


def theme_problems(root: Path, theme: str) -> list[Diagnostic]:
    """A theme other than the built-in one must be a folder under themes/ (else the site would
    quietly build with the default look)."""
    if theme == "default":
        return []
    if "/" in theme or "\\" in theme or theme in (".", "..") or not (root / "themes" / theme).is_dir():
        return [
            _problem(
                "theme",
                f"no theme folder themes/{theme}/",
                f"create themes/{theme}/templates/ with the templates it overrides, or remove 'theme'",
            )
        ]
    return []
