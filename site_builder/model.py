"""The vocabulary passed between pipeline stages (ARCHITECTURE.md): frozen values only, no I/O."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Types the parse cache restores by the thousand have no __slots__: its reader fills __dict__ at
# once (cache/decode.py asserts it), and the worker pools pickle them, which Python 3.11 does field by
# field for slotted dataclasses, several times slower.
DocId = str
"""A document's content-relative POSIX path, e.g. ``weeknotes/platform-week-36.md``."""

WORDS_PER_MINUTE = 220


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A Markdown file found under ``content/``."""

    id: DocId
    path: Path
    section: str  # "" for files at the content root
    is_index: bool  # an ``_index.md`` describing its section


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file copied as it is to ``rel`` in the output."""

    rel: str
    path: Path


@dataclass(frozen=True, slots=True)
class Inventory:
    """What discovery found: Markdown sources, files to copy, and the section folders."""

    sources: tuple[SourceFile, ...]
    statics: tuple[StaticFile, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class LinkRef:
    """A link or image in a body to another source file (``target`` is its DocId) or to a path of
    the site (``target`` starts with "/"), checked once every URL is known."""

    target: DocId
    anchor: str
    line: int
    kind: str = "link"  # "link", "image" (in the body) or "field" (the front matter's ``image``)


@dataclass(frozen=True)
class ImageRef:
    src: str
    alt: str
    line: int


@dataclass(frozen=True)
class Contributor:
    name: str
    organisation: str = ""
    url: str = ""


@dataclass(frozen=True)
class Document:
    """One parsed source file. ``url`` is site-relative ("/weeknotes/…/"), never base-prefixed."""

    id: DocId
    section: str
    kind: str
    is_index: bool
    digest: str
    title: str
    date: dt.datetime | None
    date_only: bool
    updated: dt.datetime | None
    draft: bool
    slug: str
    url: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    team: str
    summary: str  # plain text from front matter, "" if none
    summary_html: str
    html: str
    toc: tuple[Heading, ...]
    links: tuple[LinkRef, ...]
    images: tuple[ImageRef, ...]
    word_count: int
    aliases: tuple[str, ...]
    image: str
    image_alt: str
    fields: Mapping[str, Any] = field(default_factory=dict)  # the kind-specific values
    params: Mapping[str, Any] = field(default_factory=dict)  # front matter keys no kind knows

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    title: str
    description: str
    kind: str
    intro_html: str
    url: str
    docs: tuple[DocId, ...]  # newest first


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a taxonomy (a tag, an author, a team, a challenge, a tool, a sector)."""

    taxonomy: str
    key: str  # what spellings have in common (taxonomies.term_key)
    slug: str
    name: str
    url: str
    docs: tuple[DocId, ...]  # newest first
    profile: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stream:
    """One team's or author's weeknotes, oldest first, with how regularly they publish."""

    kind: str  # "teams" or "authors"
    slug: str
    cadence: str  # weekly or fortnightly
    docs: tuple[DocId, ...]  # oldest first: a note's number is its position + 1
    streak: int  # consecutive periods published, up to the latest period that is due
    missed: tuple[dt.date, ...]  # Mondays of the periods missed in the last quarter
    last_published: dt.datetime | None
    as_of: dt.date  # the day streak and missed were worked out: a page says so, as it is read later
    # Each note's index in ``docs``: every note's page asks for its number and neighbours, and a
    # team's stream can hold thousands of notes.
    positions: Mapping[DocId, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", {doc_id: n for n, doc_id in enumerate(self.docs)})

    def __contains__(self, doc_id: DocId) -> bool:
        return doc_id in self.positions

    def number(self, doc_id: DocId) -> int:
        return self.positions[doc_id] + 1

    def neighbours(self, doc_id: DocId) -> tuple[DocId | None, DocId | None]:
        """(older, newer) within the stream."""
        n = self.positions[doc_id]
        return (self.docs[n - 1] if n > 0 else None, self.docs[n + 1] if n + 1 < len(self.docs) else None)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Counts of documents a build did not publish, for the summary line."""

    drafts: int = 0
    future: int = 0


@dataclass(frozen=True, slots=True)
class Site:
    """Every published document and how they group; the input of route planning."""

    docs: Mapping[DocId, Document]
    order: tuple[DocId, ...]  # dated documents, newest first
    pages: tuple[DocId, ...]  # documents at the content root (about, how to contribute)
    sections: Mapping[str, Section]
    taxonomies: Mapping[str, Mapping[str, Term]]  # taxonomy -> slug -> term
    neighbours: Mapping[DocId, tuple[DocId | None, DocId | None]]  # (older, newer) in section
    home_intro_html: str
    left_out: LeftOut
    streams: Mapping[tuple[str, str], Stream] = field(default_factory=dict)  # (kind, slug) -> stream
    doc_streams: Mapping[DocId, tuple[str, str]] = field(default_factory=dict)  # a note's own stream
    related: Mapping[DocId, tuple[DocId, ...]] = field(default_factory=dict)  # case studies alike
    # Each document's terms: taxonomy -> slugs, in the order its front matter gives them.
    doc_terms: Mapping[DocId, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Output:
    path: str  # relative to the output folder, POSIX
    data: bytes | None = None
    source: Path | None = None  # a static file copied as it is


@dataclass(frozen=True, slots=True)
class BuildStats:
    """Counts for the summary line; ``rendered_*`` are what this build rendered, not reused."""

    pages: int = 0
    feeds: int = 0
    statics: int = 0
    seconds: float = 0.0
    rendered_pages: int = 0
    rendered_feeds: int = 0


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the command line asks of one build."""

    drafts: bool = False
    future: bool = False
    strict: bool = False
    base_url: str | None = None
    out: Path | None = None  # default: <site>/output
    jobs: int = 0  # 0: every core
    now: dt.datetime | None = None  # tests pin the clock; None: the real time
    search: bool = True  # False: keep the previous search index as it is (serve rebuilds, --no-search)

    def clock(self, tz: dt.tzinfo) -> dt.datetime:
        """The build's one clock in the site's time zone: what counts as future, the day, streaks."""
        return (self.now or dt.datetime.now(dt.UTC)).astimezone(tz)
