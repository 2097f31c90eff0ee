"""What every template may read about the whole site: ``site`` in a template (ARCHITECTURE.md).

A small declared view over the collected ``Site``, made once per build. It holds plain values
worked out when it is made and nothing else: no template can name a cache key or see a memo, and
two views of the same site are equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .config import SiteConfig
from .feeds import FEED_FILES, FEED_LABELS, MEDIA_TYPES
from .kinds import Field, fields_of
from .model import Document, Section, Site, Stream, Term
from .pages import DocumentPage, FeedFile, RoundupPage, Route, SectionPage, TermPage
from .taxonomies import TERM_INDEXES
from .weeknotes import neighbours_of, stream_of


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed as a page links to it: in its head (autodiscovery) and in its subscribe links."""

    type: str  # media type
    href: str  # site-relative URL
    label: str  # RSS, Atom, JSON Feed
    title: str


@dataclass(frozen=True, slots=True)
class SiteView:
    site: Site
    config: SiteConfig
    feed_links: Mapping[str, tuple[FeedLink, ...]]  # page URL -> its own feeds, for pages that have them
    term_lists: Mapping[str, tuple[Term, ...]]  # taxonomy -> its terms, in slug order

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def description(self) -> str:
        return self.config.description

    @property
    def language(self) -> str:
        return self.config.language

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def sections(self) -> list[Section]:
        return [s for s in self.site.sections.values() if s.docs]

    @property
    def pages(self) -> list[Document]:
        return [self.site.docs[i] for i in self.site.pages]

    @property
    def term_indexes(self) -> dict[str, str]:
        return {t: title for t, title in TERM_INDEXES.items() if self.site.taxonomies.get(t)}

    def doc(self, doc_id: str) -> Document:
        return self.site.docs[doc_id]

    def docs(self, ids: Iterable[str]) -> list[Document]:
        return [self.site.docs[i] for i in ids]

    def terms(self, taxonomy: str) -> tuple[Term, ...]:
        return self.term_lists.get(taxonomy, ())

    def term(self, taxonomy: str, slug: str) -> Term | None:
        return self.site.taxonomies.get(taxonomy, {}).get(slug)

    def terms_of(self, doc: Document, taxonomy: str) -> list[Term]:
        """The terms a document belongs to, in its own order (tags, authors, team, challenges, tools)."""
        terms = self.site.taxonomies.get(taxonomy, {})
        return [terms[slug] for slug in self.site.doc_terms.get(doc.id, {}).get(taxonomy, ())]

    def feeds_for(self, route: Route, own_only: bool = False) -> tuple[FeedLink, ...]:
        """The site's feeds, then those of the section or term the page belongs to (autodiscovery)."""
        own = self._own_feeds(route)
        site_wide = () if own_only else self.feed_links.get("/", ())
        return site_wide + (self.feed_links.get(own, ()) if own and own != "/" else ())

    def _own_feeds(self, route: Route) -> str | None:
        """The page whose feeds a route shows besides the site's: its term, section or month."""
        ctx = route.context
        if isinstance(ctx, TermPage):
            term = self.term(ctx.taxonomy, ctx.term)
            return term.url if term is not None else None
        if isinstance(ctx, RoundupPage):
            return route.url
        if isinstance(ctx, SectionPage):
            return self.site.sections[ctx.section].url
        if isinstance(ctx, DocumentPage) and (section := self.site.docs[ctx.doc].section):
            return f"/{section}/"
        return None

    def neighbours(self, doc: Document) -> tuple[Document | None, Document | None]:
        """(older, newer): in the weeknote's team stream, else in the section."""
        older, newer = neighbours_of(self.site, doc)
        return (self.site.docs[older] if older else None, self.site.docs[newer] if newer else None)

    def stream(self, doc: Document) -> Stream | None:
        return stream_of(self.site, doc)

    def related(self, doc: Document) -> list[Document]:
        return [self.site.docs[i] for i in self.site.related.get(doc.id, ())]

    def fields_of(self, kind: str) -> list[Field]:
        """A kind's front matter fields, for pages that document them (how to contribute)."""
        return list(fields_of(kind))


def make_view(site: Site, config: SiteConfig, routes: Iterable[Route]) -> SiteView:
    """The view every template gets; it knows which pages have feeds from the routes planned."""
    titles = {r.context.page: r.context.title for r in routes if isinstance(r.context, FeedFile)}
    links = {
        page: tuple(
            FeedLink(MEDIA_TYPES[fmt], page + name, FEED_LABELS[fmt], f"{title} ({FEED_LABELS[fmt]})")
            for fmt, name in FEED_FILES.items()
        )
        for page, title in titles.items()
    }
    terms = {taxonomy: tuple(found.values()) for taxonomy, found in site.taxonomies.items()}
    return SiteView(site, config, links, terms)
