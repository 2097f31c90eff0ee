"""The four kinds of content as schemas: their fields, the types and help of each, and the spellings
Jekyll and Hugo sites use for them (file-name dates, ``author``, ``lastmod``, loose date text).

``coercion`` reads front matter against these fields, ``new`` writes every field of a kind and
templates list them, so the schema lives in one place.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, warning

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
# Front matter Jekyll and Hugo write that has no field of its own: read without a warning and kept
# out of a page's params, so that an imported site builds as it was.
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


# --- what Jekyll and Hugo write -------------------------------------------------------------------


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
