"""URLs: permalink patterns with Jekyll-style tokens, slugs, the base path, absolute URLs."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
from typing import NewType
from urllib.parse import quote, unquote, urljoin, urlsplit

from slugify import slugify as _slugify

TOKENS = (
    "year",
    "month",
    "day",
    "i_month",
    "i_day",
    "isoyear",
    "isoweek",
    "slug",
    "title",
    "section",
    "categories",
)
TOKEN = re.compile(r":(" + "|".join(sorted(TOKENS, key=len, reverse=True)) + r")\b")
_PLAIN_PATH = re.compile(r"/(?!/)[^?#;\t\r\n]*")  # a site path that urljoin only appends


SitePath = NewType("SitePath", str)
"""A site-relative URL read from content that passed ``site_path``: a leading slash, then only
letters, digits, spaces and ``-._~/+,@!$*()=``; no ``..`` or hidden segment. Such a path is safe in an
attribute, an XML text node and a file name, and never leads off the site (SECURITY.md)."""

# A plain space is allowed: old Jekyll URLs keep categories such as "news and views" (it is
# percent-encoded wherever an absolute URL is written).
_SAFE_PUNCTUATION = frozenset("-._~/+,@!$*()= ")
_MAX_SEGMENT_BYTES = 200  # file systems refuse names over 255 bytes; leave room for ".html"


class UnsafePath(ValueError):
    """A URL from content that is not a safe site path; the message says why, for the author."""


def site_path(raw: str) -> SitePath:
    """Check a permalink, alias or other site path from content, then normalise it.

    Percent-escapes are decoded first (``%22`` is a quote too), so the check sees what a browser and
    a file system would. Raises ``UnsafePath`` naming the first problem.
    """
    text = unquote(raw.strip())
    problem = path_problem(text)
    if problem is not None:
        raise UnsafePath(problem)
    return SitePath(normalise(text))


def path_problem(text: str) -> str | None:
    """Why ``text`` cannot be a path of this site, or None when it can."""
    if not text:
        return "it is empty"
    for char in text:
        if char in _SAFE_PUNCTUATION or unicodedata.category(char)[0] in "LMN":
            continue
        if char == "\\":
            return "it has a backslash, which browsers read as '/' (it could lead off the site)"
        if char.isspace():
            return f"it has the blank character U+{ord(char):04X} (a tab, a line break or a wide space)"
        if unicodedata.category(char)[0] == "C":
            return f"it has the invisible control character U+{ord(char):04X}"
        return f"it has the character {char!r}, which is not allowed in a URL path here"
    segments = text.split("/")
    if ".." in segments:
        return "it has a '..' segment"
    if any(s.startswith(".") and s != "." for s in segments):
        return "it has a segment starting with '.' (hidden files are not published)"
    if any(len(s.encode()) > _MAX_SEGMENT_BYTES for s in segments):
        return f"a part between slashes is over {_MAX_SEGMENT_BYTES} bytes long"
    return None


def web_url(raw: str) -> str | None:
    """An absolute http(s) URL that is safe to write anywhere as it is, or None (SECURITY.md).

    For links out of the site read from content: a contributor's or a profile's ``url``.
    """
    text = raw.strip()
    if not text.lower().startswith(("https://", "http://")):
        return None
    if any(c.isspace() or c in "\\\"'<>`" or unicodedata.category(c)[0] == "C" for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # "https://[x": an IPv6 host that never closes
        return None
    return text if parts.netloc else None


def file_key(url: str) -> str:
    """The file a URL is written to, as a disk that ignores case and Unicode form sees it: "/a/",
    "/A/index.html" and their NFD spellings are one file on macOS and Windows."""
    rel = url.lstrip("/")
    rel = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    return unicodedata.normalize("NFC", rel).casefold()


def slugify(text: str) -> str:
    return _slugify(text) or "untitled"


def permalink(
    pattern: str, *, slug: str, section: str, date: dt.datetime | None, categories: tuple[str, ...] = ()
) -> SitePath:
    """Expand ``/:section/:year/:month/:slug/`` into a site-relative URL; ``UnsafePath`` if the
    result is not a safe site path (a pattern from front matter, a folder name)."""
    values = {
        "slug": slug,
        "title": slug,
        "section": section,
        "categories": "/".join(slugify(c) for c in categories),
    }
    if date is not None:
        year, week, _ = date.isocalendar()
        values |= {
            "year": f"{date.year:04d}",
            "month": f"{date.month:02d}",
            "day": f"{date.day:02d}",
            "i_month": str(date.month),
            "i_day": str(date.day),
            "isoyear": str(year),
            "isoweek": f"{week:02d}",
        }
    return site_path(TOKEN.sub(lambda m: values.get(m.group(1), ""), pattern))


def normalise(url: str) -> str:
    """One leading slash, no doubled slashes, a trailing slash unless it names a file.

    ``.`` and ``..`` segments are resolved and never climb above the root: a ``permalink`` or an
    alias in front matter (which an outside contributor writes) must not name a file outside the
    output folder (SECURITY.md).
    """
    url = "/" + url.strip().lstrip("/")
    trailing = url.endswith("/")
    url = posixpath.normpath(url)
    last = url.rsplit("/", 1)[-1]
    if last and (trailing or "." not in last):
        url += "/"
    return url


def paged(url: str, number: int) -> str:
    """The URL of page ``number`` of a list at ``url`` (``/tags/x/page/2/``)."""
    return url if number == 1 else f"{url}page/{number}/"


def with_base(base_path: str, url: str) -> str:
    """A site-relative URL under the base path: "/x/" -> "/repo/x/"."""
    if url.startswith("/") and not url.startswith("//"):  # the common case, on every link of every page
        return base_path.rstrip("/") + "/" + url.lstrip("/")
    return url  # absolute, protocol-relative or relative: not the site's to move


def absolute(base_url: str, url: str) -> str:
    """An absolute URL for feeds, sitemaps and canonical links."""
    base = urlsplit(base_url)  # urllib caches it: the base URL is the same on every call
    path = with_base(base.path or "/", url)
    if not path.isascii() or " " in path:  # feeds and sitemaps want URIs: /café/ -> /caf%C3%A9/
        path = quote(path, safe="/:@!$&'()*+,;=-._~%?#")
    if base.scheme in ("http", "https") and base.netloc and _PLAIN_PATH.fullmatch(path) and "/." not in path:
        # The common case, on every page and feed entry: no dot segment, query or fragment for
        # urljoin to resolve or drop, so it would return the origin and the path as they are.
        return f"{base.scheme}://{base.netloc}{path}"
    return urljoin(base_url, path)
