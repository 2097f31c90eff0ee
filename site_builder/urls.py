"""URLs: permalink patterns with Jekyll-style tokens, slugs, the base path, absolute URLs."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from urllib.parse import urljoin, urlsplit

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
_TOKEN = re.compile(r":(" + "|".join(sorted(TOKENS, key=len, reverse=True)) + r")\b")
_PLAIN_PATH = re.compile(r"/(?!/)[^?#;\t\r\n]*")  # a site path that urljoin only appends


def slugify(text: str) -> str:
    return _slugify(text) or "untitled"


def permalink(
    pattern: str, *, slug: str, section: str, date: dt.datetime | None, categories: tuple[str, ...] = ()
) -> str:
    """Expand ``/:section/:year/:month/:slug/`` into a site-relative URL."""
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
    url = _TOKEN.sub(lambda m: values.get(m.group(1), ""), pattern)
    return normalise(url)


def normalise(url: str) -> str:
    """One leading slash, no doubled slashes, a trailing slash unless it names a file.

    ``.`` and ``..`` segments are resolved and never climb above the root: a ``permalink`` or an
    alias in front matter (which an outside contributor writes) must not name a file outside the
    output folder (SPEC §9).
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
    if base.scheme in ("http", "https") and base.netloc and _PLAIN_PATH.fullmatch(path) and "/." not in path:
        # The common case, on every page and feed entry: no dot segment, query or fragment for
        # urljoin to resolve or drop, so it would return the origin and the path as they are.
        return f"{base.scheme}://{base.netloc}{path}"
    return urljoin(base_url, path)
