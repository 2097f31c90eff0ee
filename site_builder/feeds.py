"""RSS 2.0 and Atom (feedgen) and JSON Feed 1.1 from one list of entries (SPEC §5).

Entry ids are the entries' permalinks: stable between builds, as jekyll-feed and Hugo do. Content is
the full HTML with every relative URL made absolute, so it reads the same in any feed reader.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from .config import SiteConfig
from .model import Document, Term
from .urls import absolute

FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
FEED_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
_URL_ATTR = re.compile(r'(\s(?:href|src|poster|cite)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One document as a feed sees it: absolute URLs, its authors and categories resolved."""

    doc: Document
    url: str
    authors: tuple[tuple[str, str], ...]  # (name, url or "")
    categories: tuple[Term, ...]
    content: str  # the body with every URL absolute (``absolutize``)
    # Memo: the entry as each format writes it (bytes; str for JSON), the same in every feed.
    items: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    title: str
    description: str
    page_url: str  # absolute URL of the HTML page this feed follows
    feed_url: str  # absolute URL of this feed file


def absolutize(html: str, page_url: str) -> str:
    """Make every ``href``/``src``/``srcset`` URL absolute against the entry's own page."""

    def one(match: re.Match[str]) -> str:
        url = match.group(2)
        if url.startswith(("https://", "http://", "mailto:")):
            return match.group(0)  # most links in posts are already absolute: skip urljoin
        return match.group(1) + _joined(page_url, _unescape_amp(url)).replace("&", "&amp;") + match.group(3)

    def srcset(match: re.Match[str]) -> str:
        parts = []
        for candidate in match.group(2).split(","):
            bits = candidate.strip().split(maxsplit=1)
            if bits:
                parts.append(" ".join([_joined(page_url, bits[0]), *bits[1:]]))
        return match.group(1) + ", ".join(parts) + match.group(3)

    if "srcset=" in html:
        html = _SRCSET.sub(srcset, html)
    return _URL_ATTR.sub(one, html)


def _joined(page_url: str, url: str) -> str:
    try:
        return urljoin(page_url, url)
    except ValueError:  # "//[x": no URL, and no way to make one absolute; kept as written
        return url


def _unescape_amp(url: str) -> str:
    return url.replace("&amp;", "&")


def render_feed(fmt: str, info: FeedInfo, entries: Sequence[FeedEntry], config: SiteConfig) -> bytes:
    if fmt == "json":
        return _json_feed(info, entries, config)
    # feedgen writes the entries last, each on lines of its own that read the same in every feed.
    # A post is in several feeds (the site's, its section's, its tags'...): feedgen writes only the
    # entries not kept from an earlier feed (``entry.items``), and every entry is put in its place.
    newest = max((_updated(e.doc) for e in entries), default=None)
    new = [e for e in entries if fmt not in e.items]
    text = _feedgen(fmt, info, config, newest, new)
    if not entries:
        return text
    return _keep_items(fmt, text, new, config) + b"".join(e.items[fmt] for e in entries) + _CLOSE[fmt]


_OPEN = {"rss": re.compile(b"\n(    <item>\n)"), "atom": re.compile(b"\n(  <entry>\n)")}
_CLOSE = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}
_ALONE = FeedInfo("-", "-", "https://example.org/", "https://example.org/feed")  # cut away: never shown


def _keep_items(fmt: str, text: bytes, entries: Sequence[FeedEntry], config: SiteConfig) -> bytes:
    """Keep each entry's lines from ``text``, a feed of ``entries``; return the lines before them.

    An entry starts with the line ``    <item>`` (``  <entry>`` in Atom): text and attributes escape
    ``<``, but RSS content is a CDATA section, which might hold that very line. Then only the first
    start is sure, and each entry is written again in a feed of its own."""
    assert text.endswith(_CLOSE[fmt])
    end = len(text) - len(_CLOSE[fmt])
    if not entries:
        return text[:end]
    starts = [m.start(1) for m in _OPEN[fmt].finditer(text, 0, end)]
    if len(entries) > 1 and len(starts) != len(entries):
        for entry in entries:
            _keep_items(fmt, _feedgen(fmt, _ALONE, config, _updated(entry.doc), [entry]), [entry], config)
    else:
        for entry, start, stop in zip(entries, starts, [*starts[1 : len(entries)], end], strict=False):
            entry.items[fmt] = text[start:stop]
    return text[: starts[0]]


def _feedgen(
    fmt: str, info: FeedInfo, config: SiteConfig, newest: dt.datetime | None, entries: Sequence[FeedEntry]
) -> bytes:
    from feedgen.feed import FeedGenerator  # imported here: lxml costs start-up time no-change builds skip

    fg = FeedGenerator()
    if fmt == "rss":
        fg.load_extension("dc")  # RSS <author> needs an e-mail address; dc:creator takes a name
    fg.id(info.page_url)
    fg.title(info.title)
    fg.subtitle(info.description or info.title)  # RSS requires a description
    fg.language(config.language)
    fg.author({"name": config.title, "uri": config.base_url})
    fg.generator("site-builder")
    if newest is not None:
        fg.updated(newest)
    fg.link(href=info.feed_url, rel="self", type=MEDIA_TYPES[fmt])
    fg.link(href=info.page_url, rel="alternate", type="text/html")  # last: RSS takes it as <link>
    for entry in entries:
        _add_entry(fg, entry, fmt)
    text: bytes = fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)
    return text


def _add_entry(fg: Any, entry: FeedEntry, fmt: str) -> None:
    doc = entry.doc
    fe = fg.add_entry(order="append")
    fe.id(entry.url)
    fe.guid(entry.url, permalink=True)
    fe.title(doc.title)
    fe.link(href=entry.url, rel="alternate", type="text/html")
    if doc.date is not None:
        fe.published(doc.date)
    fe.updated(_updated(doc))
    for name, url in entry.authors:
        fe.author({"name": name, **({"uri": url} if url else {})})
        if hasattr(fe, "dc"):
            fe.dc.dc_creator(name)
    for term in entry.categories:
        fe.category(term=term.slug, label=term.name)
    if doc.summary_html:
        # Readers render RSS descriptions and many render Atom summaries as HTML: escape the text.
        fe.summary(html.escape(_text(doc.summary_html) or doc.title), type="html")
    # RSS: content:encoded in a CDATA section; Atom: escaped HTML (RFC 4287 has no CDATA type).
    fe.content(entry.content, type="CDATA" if fmt == "rss" else "html")


def _json_feed(info: FeedInfo, entries: Sequence[FeedEntry], config: SiteConfig) -> bytes:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.page_url,
        "feed_url": info.feed_url,
        "description": info.description,
        "language": config.language,
        "authors": [{"name": config.title, "url": config.base_url}],
        "items": [],
    }
    text = json.dumps(feed, ensure_ascii=False, indent=2) + "\n"  # ends with '"items": []\n}\n'
    if entries:  # items are written once (``_json_item``), then placed in every feed that has them
        items = ",\n".join(_json_item(entry, config) for entry in entries)
        text = "".join((text[: -len("[]\n}\n")], "[\n", items, "\n  ]\n}\n"))
    return text.encode("utf-8")


def _json_item(entry: FeedEntry, config: SiteConfig) -> str:
    """An item as ``json.dumps(feed, indent=2)`` writes it in the feed's list, two levels deep.
    JSON escapes line breaks inside strings, so every line break is the indented layout's own."""
    found: str | None = entry.items.get("json")
    if found is not None:
        return found
    doc = entry.doc
    item: dict[str, object] = {
        "id": entry.url,
        "url": entry.url,
        "title": doc.title,
        "content_html": entry.content,
        "date_modified": _updated(doc).isoformat(),
    }
    if doc.date is not None:
        item["date_published"] = doc.date.isoformat()
    if doc.summary_html:
        item["summary"] = _text(doc.summary_html)
    if doc.image:
        item["image"] = absolute(config.base_url, doc.image)
    if entry.authors:
        item["authors"] = [{"name": name, **({"url": url} if url else {})} for name, url in entry.authors]
    if entry.categories:
        item["tags"] = [t.name for t in entry.categories]
    text = json.dumps(item, ensure_ascii=False, indent=2)
    found = entry.items["json"] = "    " + text.replace("\n", "\n    ")
    return found


def _updated(doc: Document) -> dt.datetime:
    """Feeds list dated documents only, so one of the two is always set."""
    stamp = doc.updated or doc.date
    assert stamp is not None
    return stamp


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip())
