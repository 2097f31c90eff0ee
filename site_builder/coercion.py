"""Front matter -> the typed values of a kind's fields (``kinds``), each field read by its type,
with problems that name the field and what to write. ``parse`` (build), ``check`` and ``new`` share
it, so a field is read one way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, error, warning
from .kinds import IGNORED, KIND_FIELDS, Field, _as_list, _imported, fields_of, to_datetime
from .model import Contributor
from .urls import TOKEN, UnsafePath, site_path, web_url


@dataclass(frozen=True, slots=True)
class Coerced:
    """Front matter read for one kind: what ``parse`` makes a Document from."""

    values: dict[str, Any]  # typed field values; absent fields are absent
    fields: dict[str, Any]  # the kind-specific part, for Document.fields
    params: dict[str, Any]  # front matter no kind knows, for templates


@dataclass(frozen=True, slots=True)
class _Source:
    """Whose front matter this is and what the site allows: what every check below needs."""

    kind: str
    path: str  # for messages, e.g. content/weeknotes/week-12.md
    lines: Mapping[str, int]  # top-level key -> its line in the file
    tz: dt.tzinfo
    challenges: Mapping[str, str]
    tools: Sequence[str]


def coerce(
    kind: str,
    meta: Mapping[str, Any],
    path: str,
    stem: str,
    tz: dt.tzinfo,
    challenges: Mapping[str, str],
    lines: Mapping[str, int],
    tools: Sequence[str] = (),
) -> tuple[Coerced, list[Diagnostic]]:
    """Check and convert front matter for ``kind``; problems name the field and what to write."""
    source = _Source(kind, path, lines, tz, challenges, tools)
    meta = _imported(meta, stem)
    values, problems = _field_values(meta, source)
    values.setdefault("draft", meta.get("published") is False)
    kind_names = {f.name for f in KIND_FIELDS[kind]} - {"date"}
    fields = {k: v for k, v in values.items() if k in kind_names}
    values = {k: v for k, v in values.items() if k not in kind_names}
    problems += _challenge_problems(fields, source) + _tool_warnings(fields, source)
    known = {f.name for f in fields_of(kind)}
    params = {k: v for k, v in meta.items() if k not in known and k not in IGNORED}
    extra, refused = _imported_values(meta, source)
    return Coerced(values | extra, fields, params), problems + refused


def _field_values(meta: Mapping[str, Any], source: _Source) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The kind's fields that ``meta`` gives, converted by type; those that do not convert are left out."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for f in fields_of(source.kind):
        if meta.get(f.name) is None:
            if f.required:
                problems.append(
                    error(
                        "front-matter/missing",
                        source.path,
                        f"'{f.name}' is required for a {source.kind}",
                        1,
                        hint=f"add '{f.name}:' ({f.help})",
                    )
                )
            continue
        converted, found = _field_value(f, meta[f.name], source)
        problems += found
        if not found:
            values[f.name] = converted
    return values, problems


def _field_value(f: Field, value: Any, source: _Source) -> tuple[Any, list[Diagnostic]]:
    """One field's value converted by its type, or the problems that say why it cannot be."""
    if f.type == "paths":
        converted, unsafe = _paths(value, f.name, source.path, source.lines)
        if unsafe:
            return None, unsafe
    else:
        converted = _CONVERT[f.type](value, source.tz)
    if converted is not None:
        return converted, []
    return None, [
        error(
            "front-matter/type",
            source.path,
            f"'{f.name}' should be {_WHAT[f.type]}, not {value!r}",
            source.lines.get(f.name, 1),
            hint=f"{f.name}: {f.help}",
        )
    ]


def _challenge_problems(fields: Mapping[str, Any], source: _Source) -> list[Diagnostic]:
    """A case study names blockers from site.toml's [challenges]; any other name is an error."""
    if source.kind != "case-study":
        return []
    return [
        error(
            "front-matter/challenge",
            source.path,
            f"unknown challenge {challenge!r}",
            source.lines.get("challenges", 1),
            hint=f"use one of: {', '.join(source.challenges)} (site.toml [challenges])",
        )
        for challenge in fields.get("challenges", ())
        if challenge not in source.challenges
    ]


def _tool_warnings(fields: Mapping[str, Any], source: _Source) -> list[Diagnostic]:
    """Tools site.toml does not list, where it lists any: a new tool is news, not an error."""
    known_tools = {t.casefold() for t in source.tools}
    return [
        warning(
            "front-matter/tool",
            source.path,
            f"{tool!r} is not in site.toml's list of tools",
            source.lines.get("tools", 1),
            hint=f"use one of: {', '.join(source.tools)}, or add it to 'tools' in site.toml",
        )
        for tool in (fields.get("tools", ()) if known_tools else ())
        if tool.casefold() not in known_tools
    ]


def _imported_values(meta: Mapping[str, Any], source: _Source) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Jekyll's and Hugo's settings that are not fields but shape the page: the excerpt separator,
    a permalink of its own, and categories (for the :categories permalink token)."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    if isinstance(meta.get("excerpt_separator"), str):
        values["excerpt_separator"] = meta["excerpt_separator"]
    if isinstance(meta.get("permalink"), str):
        line = source.lines.get("permalink", source.lines.get("url", 1))
        # Tokens expand to safe values (urls.permalink): the rest of the pattern is checked here.
        refused = _unsafe("permalink", TOKEN.sub("x", meta["permalink"]), source.path, line)
        if refused is None:
            values["permalink"] = meta["permalink"]
        else:
            problems.append(refused)
    categories = _list(meta.get("categories") or meta.get("category") or [], source.tz)
    if categories:
        values["categories"] = categories
    return values, problems


def _paths(
    value: Any, name: str, path: str, lines: Mapping[str, int]
) -> tuple[tuple[str, ...] | None, list[Diagnostic]]:
    """Site paths (``aliases``, Jekyll's ``redirect_from``), each checked where it is read."""
    items = _list(value, dt.UTC)
    if items is None:
        return None, []
    line = lines.get(name, lines.get("redirect_from", 1))
    unsafe = [p for p in (_unsafe(name, item, path, line) for item in items) if p is not None]
    return (None if unsafe else tuple(site_path(i) for i in items)), unsafe


def _unsafe(name: str, value: str, path: str, line: int) -> Diagnostic | None:
    try:
        site_path(value)
    except UnsafePath as why:
        return error(
            "front-matter/url",
            path,
            f"'{name}' {value!r} is not a safe path on this site: {why}",
            line,
            hint="write a path of letters, digits and - _ . / only, e.g. /weeknotes/2026/week-12/",
        )
    return None


# --- one reader per field type: the typed value, or None when the value is not of that type -------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # XML 1.0 (feeds) cannot carry these


def _text(value: Any) -> str:
    return _CONTROL.sub("", str(value)).strip()


def _str(value: Any, tz: dt.tzinfo) -> str | None:
    if isinstance(value, (bool, dict | list)):
        return None
    return _text(value)


def _list(value: Any, tz: dt.tzinfo) -> tuple[str, ...] | None:
    items = _as_list(value)
    if any(isinstance(i, dict | list) or i is None for i in items):
        return None
    return tuple(_text(i) for i in items if _text(i))


def _bool(value: Any, tz: dt.tzinfo) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
        return value.lower() in ("true", "yes")
    return None


def _contributor(value: Any, tz: dt.tzinfo) -> Contributor | None:
    if isinstance(value, str) and value.strip():
        return Contributor(_text(value))
    if isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"].strip():
        extra = set(value) - {"name", "organisation", "url"}
        if extra:
            return None
        url = _text(value.get("url") or "")
        if url and web_url(url) is None:  # it becomes a link on the page and in every feed
            return None
        return Contributor(_text(value["name"]), _text(value.get("organisation") or ""), url)
    return None


_CONVERT: dict[str, Callable[[Any, dt.tzinfo], Any]] = {
    "str": _str,
    "list": _list,
    "date": to_datetime,
    "bool": _bool,
    "contributor": _contributor,
}
_WHAT = {
    "str": "text",
    "list": "a list such as [a, b]",
    "paths": "a list of paths such as [/old/url/]",
    "date": "a date such as 2026-11-23",
    "bool": "true or false",
    "contributor": "a name, or a mapping with name, organisation and an http(s) url",
}
