"""RSS 2.0 and Atom (feedgen) and JSON Feed 1.1 from one list of entries, for every page with feeds.

Entry ids are the entries' permalinks: stable between builds, as jekyll-feed and Hugo do. Content is
the full HTML with every relative URL made absolute, so it reads the same in any feed reader.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
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
    """One document as every feed shows it, in each format: made once per document in a build and
    placed, as it is, in every feed that lists the document (a post is in the site's feed, its
    section's, its tags' and its authors')."""

    doc: Document
    rss: Any  # the <item> feedgen makes of it (lxml), with its content as CDATA
    atom: Any  # the <entry> feedgen makes of it (lxml), with its content as escaped HTML
    json: str  # its JSON Feed item as ``json.dumps(feed, indent=2)`` writes it in the list


def feed_entry(
    doc: Document,
    url: str,
    authors: tuple[tuple[str, str], ...],
    categories: tuple[Term, ...],
    config: SiteConfig,
) -> FeedEntry:
    """``url`` is the document's absolute URL; ``authors`` are (name, URL or "") pairs; the content
    is the body with every URL made absolute, so it reads the same in any feed reader."""
    content = absolutize(doc.html, url)
    rss = _entry(doc, url, authors, categories, content, "rss").rss_entry()
    atom = _entry(doc, url, authors, categories, content, "atom").atom_entry()
    item = json.dumps(
        _json_item(doc, url, authors, categories, content, config), ensure_ascii=False, indent=2
    )
    return FeedEntry(doc, rss, atom, "    " + item.replace("\n", "\n    "))  # JSON escapes line breaks


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
    newest = max((_updated(e.doc) for e in entries), default=None)
    return _feedgen(fmt, info, config, newest, [e.rss if fmt == "rss" else e.atom for e in entries])


def _feedgen(
    fmt: str, info: FeedInfo, config: SiteConfig, newest: dt.datetime | None, entries: Sequence[Any]
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
    # The feed as feedgen makes it, without entries; then each entry's element as feedgen made it
    # once for every feed (a copy: an element belongs to one tree), where feedgen puts them, last.
    from lxml import etree  # type: ignore[import-untyped]  # feedgen's own XML library

    shell = fg.rss_str() if fmt == "rss" else fg.atom_str()
    root = etree.fromstring(shell)
    parent = root.find("channel") if fmt == "rss" else root
    for element in entries:
        parent.append(copy.deepcopy(element))
    text: bytes = etree.tostring(
        root.getroottree(), pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
    return text


def _entry(
    doc: Document,
    url: str,
    authors: tuple[tuple[str, str], ...],
    categories: tuple[Term, ...],
    content: str,
    fmt: str,
) -> Any:
    from feedgen.entry import FeedEntry as Entry  # as in _feedgen: lxml only when feeds are made

    fe = Entry()
    if fmt == "rss":
        fe.load_extension("dc")  # RSS <author> needs an e-mail address; dc:creator takes a name
    fe.id(url)
    fe.guid(url, permalink=True)
    fe.title(doc.title)
    fe.link(href=url, rel="alternate", type="text/html")
    if doc.date is not None:
        fe.published(doc.date)
    fe.updated(_updated(doc))
    for name, link in authors:
        fe.author({"name": name, **({"uri": link} if link else {})})
        if fmt == "rss":
            fe.dc.dc_creator(name)
    for term in categories:
        fe.category(term=term.slug, label=term.name)
    if doc.summary_html:
        # Readers render RSS descriptions and many render Atom summaries as HTML: escape the text.
        fe.summary(html.escape(_text(doc.summary_html) or doc.title), type="html")
    # RSS: content:encoded in a CDATA section; Atom: escaped HTML (RFC 4287 has no CDATA type).
    fe.content(content, type="CDATA" if fmt == "rss" else "html")
    return fe


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
    if entries:  # each item as json.dumps writes it two levels deep, made once per document
        items = ",\n".join(entry.json for entry in entries)
        text = "".join((text[: -len("[]\n}\n")], "[\n", items, "\n  ]\n}\n"))
    return text.encode("utf-8")


def _json_item(
    doc: Document,
    url: str,
    authors: tuple[tuple[str, str], ...],
    categories: tuple[Term, ...],
    content: str,
    config: SiteConfig,
) -> dict[str, object]:
    item: dict[str, object] = {
        "id": url,
        "url": url,
        "title": doc.title,
        "content_html": content,
        "date_modified": _updated(doc).isoformat(),
    }
    if doc.date is not None:
        item["date_published"] = doc.date.isoformat()
    if doc.summary_html:
        item["summary"] = _text(doc.summary_html)
    if doc.image:
        item["image"] = absolute(config.base_url, doc.image)
    if authors:
        item["authors"] = [{"name": name, **({"url": link} if link else {})} for name, link in authors]
    if categories:
        item["tags"] = [t.name for t in categories]
    return item


def _updated(doc: Document) -> dt.datetime:
    """Feeds list dated documents only, so one of the two is always set."""
    stamp = doc.updated or doc.date
    assert stamp is not None
    return stamp


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip())
