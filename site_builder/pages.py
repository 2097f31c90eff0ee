"""What each output file is: its kind, and the plain values its template shows (ARCHITECTURE.md).

Route planning makes one ``Route`` per output file; render turns it into bytes. A route's context
is a small frozen value of the type its kind names, holding ids and numbers rather than documents:
route keys are made from it, so two builds that plan the same context render the same page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from .model import DocId


class RouteKind(enum.Enum):
    DOCUMENT = "document"  # a post or a page of its own
    HOME = "home"
    SECTION = "section"  # a section's list, one page of it
    TERM_INDEX = "term-index"  # every tag (author, team…) with its count
    TERM = "term"  # one term's list, one page of it
    ARCHIVE = "archive"
    ARCHIVE_YEAR = "archive-year"
    ROUNDUP = "roundup"  # a month of a weeknote section
    REDIRECT = "redirect"  # an old URL of a post
    FEED = "feed"
    SITEMAP = "sitemap"
    SUBSCRIBE = "subscribe"  # every feed of the site on one page
    PLAIN = "plain"  # 404, search, robots.txt: nothing but the site


@dataclass(frozen=True, slots=True)
class Pager:
    number: int
    total: int
    docs: tuple[DocId, ...]
    url: str
    prev_url: str | None
    next_url: str | None


# (kind, slug, number of this note, notes in the stream): "#3 of 12 from Platform"
StreamPlace = tuple[str, str, int, int]
# (streak, missed Mondays, last published, as of): what a team or author page says of its rhythm
Regularity = tuple[int, tuple[dt.date, ...], dt.datetime | None, dt.datetime]


@dataclass(frozen=True, slots=True)
class DocumentPage:
    kind: ClassVar[RouteKind] = RouteKind.DOCUMENT
    doc: DocId
    older: DocId | None
    newer: DocId | None
    stream: StreamPlace | None = None
    related: tuple[DocId, ...] = ()


@dataclass(frozen=True, slots=True)
class HomePage:
    kind: ClassVar[RouteKind] = RouteKind.HOME
    latest: Mapping[str, tuple[DocId, ...]]  # section name -> its newest documents


@dataclass(frozen=True, slots=True)
class SectionPage:
    kind: ClassVar[RouteKind] = RouteKind.SECTION
    section: str
    pager: Pager
    months: tuple[tuple[str, str, int], ...]  # (URL, month, notes) of the section's roundups


@dataclass(frozen=True, slots=True)
class TermIndexPage:
    kind: ClassVar[RouteKind] = RouteKind.TERM_INDEX
    taxonomy: str
    title: str
    # (slug, name, URL, profile items, count) of every term: all the index shows, so no post is an input
    listing: tuple[tuple[str, str, str, tuple[tuple[str, str], ...], int], ...]


@dataclass(frozen=True, slots=True)
class TermPage:
    kind: ClassVar[RouteKind] = RouteKind.TERM
    taxonomy: str
    term: str  # the term's slug
    pager: Pager
    count: int  # every page shows how many posts the term has
    regularity: Regularity | None = None  # teams, and authors with a cadence


@dataclass(frozen=True, slots=True)
class ArchivePage:
    kind: ClassVar[RouteKind] = RouteKind.ARCHIVE
    years: Mapping[int, int]  # ISO year -> posts


@dataclass(frozen=True, slots=True)
class ArchiveYearPage:
    kind: ClassVar[RouteKind] = RouteKind.ARCHIVE_YEAR
    year: int
    weeks: Mapping[int, tuple[DocId, ...]]  # ISO week -> posts, newest first
    spans: Mapping[int, tuple[dt.datetime, dt.datetime]]  # ISO week -> its Monday and Sunday


@dataclass(frozen=True, slots=True)
class RoundupPage:
    kind: ClassVar[RouteKind] = RouteKind.ROUNDUP
    title: str
    section: str


@dataclass(frozen=True, slots=True)
class RedirectPage:
    kind: ClassVar[RouteKind] = RouteKind.REDIRECT
    target: str  # the post's site-relative URL


@dataclass(frozen=True, slots=True)
class FeedFile:
    kind: ClassVar[RouteKind] = RouteKind.FEED
    format: str  # a key of feeds.FEED_FILES: "rss", "atom", "json"
    page: str  # the site-relative URL of the page the feed follows
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class SitemapFile:
    kind: ClassVar[RouteKind] = RouteKind.SITEMAP
    entries: tuple[tuple[str, dt.datetime | None], ...]  # (URL, newest change it shows)


@dataclass(frozen=True, slots=True)
class SubscribePage:
    kind: ClassVar[RouteKind] = RouteKind.SUBSCRIBE
    feeds: tuple[tuple[str, str], ...]  # (URL of a page with feeds, its title), the site's first


@dataclass(frozen=True, slots=True)
class PlainPage:
    kind: ClassVar[RouteKind] = RouteKind.PLAIN


Context = (
    DocumentPage
    | HomePage
    | SectionPage
    | TermIndexPage
    | TermPage
    | ArchivePage
    | ArchiveYearPage
    | RoundupPage
    | RedirectPage
    | FeedFile
    | SitemapFile
    | SubscribePage
    | PlainPage
)


@dataclass(frozen=True, slots=True)
class Route:
    """One output file: ``url`` is site-relative, ``template`` the theme file that renders it ("" for
    a feed, which has none), ``inputs`` the documents it shows."""

    url: str
    template: str
    context: Context
    inputs: tuple[DocId, ...]

    @property
    def kind(self) -> RouteKind:
        return self.context.kind

    @property
    def path(self) -> str:
        """The output path, relative to the output folder."""
        rel = self.url.lstrip("/")
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel

    def variables(self) -> dict[str, object]:
        """The context's fields by name: what a template sees, besides ``route`` and ``site``. An
        optional field left at its default is not there at all, so themes ask ``is defined``."""
        fields = dataclasses.fields(self.context)
        values = {f.name: (getattr(self.context, f.name), f.default) for f in fields}
        return {name: value for name, (value, default) in values.items() if value != default}
