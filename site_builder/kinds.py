"""The four kinds of content as schemas: field types, coercion, defaults, imported conventions.

``coerce`` turns raw front matter into typed values. It is shared by ``parse`` (build), ``check``
and ``new`` (which writes every field of a kind), so the schema lives in one place.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, error, warning
from .model import Contributor
from .urls import TOKEN, UnsafePath, site_path, web_url

JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")  # 18F has 2024-12-5-x.md
# Date strings YAML leaves as text: "2015-03-17 14:00:00 -0400" (Jekyll), "2015-03-17 14:00 +1", "...Z".
_LOOSE_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str  # "str", "list", "paths", "date", "bool", "contributor"
    help: str
    required: bool = False


COMMON = (
    Field("title", "str", "the title; weeknotes default to 'Weeknotes: week N, YYYY'"),
    Field("date", "date", "publication date, YYYY-MM-DD or a datetime with offset"),
    Field("updated", "date", "when the post last changed materially"),
    Field("draft", "bool", "true keeps the post out of the site unless --drafts"),
    Field("slug", "str", "the last part of the URL; defaults to the file name"),
    Field("summary", "str", "one or two sentences for lists and feeds"),
    Field("tags", "list", "topics, e.g. [beta, procurement]"),
    Field("authors", "list", "names, e.g. [Amara Okafor]"),
    Field("aliases", "paths", "old URLs that should redirect here, e.g. [/2019/05/old-name/]"),
    Field("image", "str", "an image for the page and social cards"),
    Field("image_alt", "str", "what the image shows, for people who cannot see it"),
)
KIND_FIELDS: Mapping[str, tuple[Field, ...]] = {
    "weeknote": (
        Field("date", "date", "the week this note is about, YYYY-MM-DD", required=True),
        Field("team", "str", "the team slug from site.toml"),
    ),
    "case-study": (
        Field("organisation", "str", "who did the work"),
        Field("sector", "str", "e.g. local government, health"),
        Field("challenges", "list", "blockers from site.toml [challenges]"),
        Field("status", "str", "discovery, alpha, beta, live, paused or retired"),
        Field("outcome", "str", "one sentence on what changed"),
    ),
    "contribution": (
        Field("contributor", "contributor", "name, organisation and url of the author", required=True),
        Field("tools", "list", "everyday tools used, e.g. [Trello, YouTube]"),
        Field("licence", "str", "the licence the contribution is shared under, e.g. CC BY 4.0"),
    ),
    "page": (),
}
# Front matter from Jekyll and Hugo that is read but has no field of its own (SPEC §3).
IGNORED = frozenset(
    {
        "layout",
        "excerpt_separator",
        "permalink",
        "categories",
        "lastmod",
        "author",
        "description",
        "weight",
        "type",
        "published",
        "redirect_from",
        "excerpt",
        "category",
        "url",
    }
)


def fields_of(kind: str) -> tuple[Field, ...]:
    """Every field of a kind, kind-specific fields overriding common ones of the same name."""
    own = {f.name: f for f in KIND_FIELDS[kind]}
    merged = [own.pop(f.name, f) for f in COMMON]
    return (*merged, *own.values())


@dataclass(frozen=True, slots=True)
class Coerced:
    values: dict[str, Any]  # typed field values; absent fields are absent
    fields: dict[str, Any]  # the kind-specific part, for Document.fields
    params: dict[str, Any]  # front matter no kind knows, for templates


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
    problems: list[Diagnostic] = []
    meta = _imported(meta, stem)
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields_of(kind)}
    for name, f in known.items():
        if name not in meta or meta[name] is None:
            if f.required:
                problems.append(
                    error(
                        "front-matter/missing",
                        path,
                        f"'{name}' is required for a {kind}",
                        1,
                        hint=f"add '{name}:' ({f.help})",
                    )
                )
            continue
        if f.type == "paths":
            converted, unsafe = _paths(meta[name], name, path, lines)
            problems += unsafe
            if unsafe:
                continue
        else:
            converted = _CONVERT[f.type](meta[name], tz)
        if converted is None:
            problems.append(
                error(
                    "front-matter/type",
                    path,
                    f"'{name}' should be {_WHAT[f.type]}, not {meta[name]!r}",
                    lines.get(name, 1),
                    hint=f"{name}: {f.help}",
                )
            )
            continue
        values[name] = converted
    values.setdefault("draft", meta.get("published") is False)
    kind_names = {f.name for f in KIND_FIELDS[kind]} - {"date"}
    fields = {k: values.pop(k) for k in list(values) if k in kind_names}
    if kind == "case-study":
        for challenge in fields.get("challenges", ()):
            if challenge not in challenges:
                problems.append(
                    error(
                        "front-matter/challenge",
                        path,
                        f"unknown challenge {challenge!r}",
                        lines.get("challenges", 1),
                        hint=f"use one of: {', '.join(challenges)} (site.toml [challenges])",
                    )
                )
    known_tools = {t.casefold() for t in tools}
    for tool in fields.get("tools", ()) if known_tools else ():
        if tool.casefold() not in known_tools:  # a new tool is news, not an error: warn
            problems.append(
                warning(
                    "front-matter/tool",
                    path,
                    f"{tool!r} is not in site.toml's list of tools",
                    lines.get("tools", 1),
                    hint=f"use one of: {', '.join(tools)}, or add it to 'tools' in site.toml",
                )
            )
    params = {k: v for k, v in meta.items() if k not in known and k not in IGNORED}
    if isinstance(meta.get("excerpt_separator"), str):
        values["excerpt_separator"] = meta["excerpt_separator"]
    if isinstance(meta.get("permalink"), str):
        line = lines.get("permalink", lines.get("url", 1))
        # Tokens expand to safe values (urls.permalink): the rest of the pattern is checked here.
        refused = _unsafe("permalink", TOKEN.sub("x", meta["permalink"]), path, line)
        if refused is None:
            values["permalink"] = meta["permalink"]
        else:
            problems.append(refused)
    categories = _list(meta.get("categories") or meta.get("category") or [], tz)
    if categories:  # for the :categories permalink token (Jekyll)
        values["categories"] = categories
    return Coerced(values, fields, params), problems


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


def _imported(meta: Mapping[str, Any], stem: str) -> dict[str, Any]:
    """Map Jekyll and Hugo spellings onto ours: file-name dates, author, categories, lastmod,
    excerpt and description, redirect_from (jekyll-redirect-from)."""
    out = dict(meta)
    jekyll = JEKYLL_NAME.match(stem)
    if jekyll and out.get("date") is None:
        year, month, day = jekyll.groups()[:3]
        out["date"] = f"{year}-{int(month):02d}-{int(day):02d}"
    people = out.get("authors") if out.get("authors") is not None else out.get("author")
    if people is not None:
        out["authors"] = _names(people)
    if out.get("updated") is None and out.get("lastmod") is not None:
        out["updated"] = out["lastmod"]
    if out.get("summary") is None:
        for key in ("excerpt", "description"):  # Jekyll's list excerpt first, then the meta description
            if isinstance(out.get(key), str) and out[key].strip():
                out["summary"] = " ".join(html.unescape(_TAGS.sub(" ", out[key])).split())
                break
    if out.get("permalink") is None and isinstance(out.get("url"), str) and out["url"].startswith("/"):
        out["permalink"] = out["url"]  # Hugo's whole-URL override
    if out.get("redirect_from"):
        out["aliases"] = _as_list(out.get("aliases") or []) + _as_list(out["redirect_from"])
    categories = out.get("categories") or out.get("category")
    if categories:
        tags = out.get("tags") or []
        out["tags"] = _as_list(tags, split_spaces=True) + _as_list(categories, split_spaces=True)
    elif isinstance(out.get("tags"), str):
        out["tags"] = _as_list(out["tags"], split_spaces=True)
    return out


def _names(people: Any) -> Any:
    """``author: Ann``, ``authors: [ann, bo]`` or author objects (``{name: Ann, url: …}``) -> names."""
    items = people if isinstance(people, list) else [people]
    names = [p.get("name") or p.get("id") if isinstance(p, dict) else p for p in items]
    return names if all(isinstance(n, str) for n in names) else people


def _as_list(value: Any, split_spaces: bool = False) -> list[Any]:
    """Jekyll writes ``tags: a b c``; a string is split on spaces (or commas)."""
    if isinstance(value, str):
        parts = value.split(",") if "," in value else (value.split() if split_spaces else [value])
        return [p.strip() for p in parts if p.strip()]
    return list(value) if isinstance(value, list | tuple) else [value]


def jekyll_slug(stem: str) -> str:
    jekyll = JEKYLL_NAME.match(stem)
    return jekyll.group(4) if jekyll else stem


def to_datetime(value: Any, tz: dt.tzinfo) -> tuple[dt.datetime, bool] | None:
    """A date or datetime in the site time zone; naive values are read in it. (value, date_only)."""
    if isinstance(value, str):
        value = _date_text(value.strip())
        if value is None:
            return None
    if isinstance(value, dt.datetime):
        aware = value.replace(tzinfo=tz) if value.tzinfo is None else value
        try:
            return aware.astimezone(tz), False
        except OverflowError:  # 9999-12-31T23:00-12:00 is past year 9999 in the site's zone
            return None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz), True
    return None


def _date_text(text: str) -> dt.date | dt.datetime | None:
    """ISO 8601, or the looser shapes Jekyll and Hugo sites write (one-digit offsets, a space)."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    loose = _LOOSE_DATE.match(text)
    if loose is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = loose.groups()
    try:
        if hour is None and offset is None:
            return dt.date(int(year), int(month), int(day))
        tz = _offset(offset) if offset else None
        micro = int((fraction or "0").ljust(6, "0"))
        numbers = (int(hour or 0), int(minute or 0), int(second or 0), micro)
        return dt.datetime(int(year), int(month), int(day), *numbers, tzinfo=tz)
    except ValueError:
        return None


def _offset(text: str) -> dt.tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


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


def weeknote_title(date: dt.datetime) -> str:
    year, week, _ = date.isocalendar()
    return f"Weeknotes: week {week}, {year}"


def warn_unknown_kind_fields(
    kind: str, meta: Mapping[str, Any], path: str, lines: Mapping[str, int]
) -> list[Diagnostic]:
    """Fields of another kind used here are likely mistakes (a case study field on a weeknote)."""
    others = {f.name for k, fs in KIND_FIELDS.items() if k != kind for f in fs} - {
        f.name for f in fields_of(kind)
    }
    return [
        warning(
            "front-matter/field",
            path,
            f"'{name}' is not a field of a {kind}",
            lines.get(name, 1),
            hint="move the file to the right section, or remove the field",
        )
        for name in sorted(others & set(meta))
    ]
