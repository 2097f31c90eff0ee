"""End of stage 3: plan every output file, each declaring the documents it shows (ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

from .clashes import clashes
from .config import SiteConfig
from .diagnostics import Diagnostic
from .feeds import FEED_FILES
from .model import Site
from .pages import (
    ArchivePage,
    ArchiveYearPage,
    DocumentPage,
    FeedFile,
    HomePage,
    Pager,
    PlainPage,
    RedirectPage,
    RoundupPage,
    Route,
    SectionPage,
    SitemapFile,
    SubscribePage,
    TermIndexPage,
    TermPage,
)
from .taxonomies import TERM_INDEXES
from .urls import normalise, paged
from .weeknotes import neighbours_of, stream_of

DOC_TEMPLATES = {
    "weeknote": "weeknote.html",
    "case-study": "case-study.html",
    "contribution": "contribution.html",
    "page": "page.html",
}


def plan_routes(
    site: Site, config: SiteConfig, statics: Mapping[str, str] | None = None
) -> tuple[list[Route], list[Diagnostic]]:
    """Every output the site's pages make; ``statics`` are the files copied as they are (output
    path -> where the file is, for messages), which no post, alias or generated page may replace."""
    routes = [
        *_documents(site),
        _home(site, config),
        *_sections(site, config),
        *_terms(site, config),
        *_archive(site),
        *_roundups(site),
        Route("/404.html", "404.html", PlainPage(), ()),
        Route("/search/", "search.html", PlainPage(), ()),
        *_aliases(site),
        *_feeds(site, config),
        *_subscribe(site, config),
        Route("/robots.txt", "robots.txt", PlainPage(), ()),
    ]
    routes.append(_sitemap(routes, site))
    return routes, clashes(routes, statics or {})


FEED_TAXONOMIES = ("tags", "authors", "teams")


def feed_scopes(site: Site, config: SiteConfig) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(page URL, title, description, newest documents) for every page that has feeds."""
    yield "/", config.title, config.description, site.order
    for section in site.sections.values():
        dated = tuple(i for i in section.docs if site.docs[i].date)
        if dated:
            yield section.url, f"{section.title} · {config.title}", section.description, dated
    for url, title, ids in roundups(site):
        yield url, f"{title} · {config.title}", "", ids
    for taxonomy in FEED_TAXONOMIES:
        for term in site.taxonomies.get(taxonomy, {}).values():
            dated = tuple(i for i in term.docs if site.docs[i].date)
            if dated:
                yield term.url, f"{term.name} · {config.title}", term.profile.get("bio", ""), dated


def _feeds(site: Site, config: SiteConfig) -> Iterator[Route]:
    for page, title, description, ids in feed_scopes(site, config):
        for fmt, name in FEED_FILES.items():
            yield Route(page + name, "", FeedFile(fmt, page, title, description), ids[: config.feed_limit])


def _subscribe(site: Site, config: SiteConfig) -> Iterator[Route]:
    """/subscribe/: every feed, by the page it follows. Its context holds the titles it shows, so
    no post is an input. A page of the site's own at that URL takes its place."""
    if any(doc.url == "/subscribe/" for doc in site.docs.values()):
        return
    feeds = tuple((page, title) for page, title, _, _ in feed_scopes(site, config))
    yield Route("/subscribe/", "subscribe.html", SubscribePage(feeds), ())


def _sitemap(routes: list[Route], site: Site) -> Route:
    """Every HTML page but the 404 and redirects, with the newest change among what it shows."""
    stamp = {i: d.updated or d.date for i, d in site.docs.items()}
    entries = []
    for route in routes:
        context = route.context
        if not route.path.endswith(".html") or isinstance(context, (PlainPage, RedirectPage)):
            continue
        if isinstance(context, DocumentPage):  # a post changes with itself, not with its neighbours
            ids: Sequence[str] = (context.doc,)
        else:
            ids = context.pager.docs if isinstance(context, (SectionPage, TermPage)) else route.inputs
        stamps = [s for s in (stamp[i] for i in ids) if s]
        entries.append((route.url, max(stamps) if stamps else None))
    return Route("/sitemap.xml", "sitemap.xml", SitemapFile(tuple(entries)), ())  # all it shows is above


def paginate(url: str, ids: Sequence[str], per_page: int) -> list[Pager]:
    """Split ``ids`` into pages: ``url`` is page 1, then ``url/page/2/``; an empty list has one page."""
    chunks = [tuple(ids[i : i + per_page]) for i in range(0, len(ids), per_page)] or [()]
    total = len(chunks)
    return [
        Pager(
            n,
            total,
            chunk,
            paged(url, n),
            paged(url, n - 1) if n > 1 else None,
            paged(url, n + 1) if n < total else None,
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


def _documents(site: Site) -> Iterator[Route]:
    for doc in site.docs.values():
        if doc.is_index:
            continue
        older, newer = neighbours_of(site, doc)
        stream = stream_of(site, doc)
        place = (stream.kind, stream.slug, stream.number(doc.id), len(stream.docs)) if stream else None
        related = site.related.get(doc.id, ())
        inputs = tuple(i for i in (doc.id, older, newer, *related) if i)
        context = DocumentPage(doc.id, older, newer, place, related)
        yield Route(doc.url, DOC_TEMPLATES[doc.kind], context, inputs)


def _home(site: Site, config: SiteConfig) -> Route:
    latest = {name: s.docs[: config.home_limit] for name, s in site.sections.items() if s.docs}
    inputs = tuple(i for ids in latest.values() for i in ids)
    return Route("/", "home.html", HomePage(latest), inputs)


def _sections(site: Site, config: SiteConfig) -> Iterator[Route]:
    for name, section in site.sections.items():
        index = tuple(i for i in (f"{name}/_index.md",) if i in site.docs)  # title, description, intro
        months = tuple(
            (url, title.split(": ", 1)[-1], len(ids))
            for url, title, ids in roundups(site)
            if url.startswith(section.url)
        )
        for pager in paginate(section.url, section.docs, config.section(name).paginate):
            yield Route(pager.url, "section.html", SectionPage(name, pager, months), pager.docs + index)


def _terms(site: Site, config: SiteConfig) -> Iterator[Route]:
    kinds = {s.kind for s in site.sections.values()}
    for taxonomy, title in TERM_INDEXES.items():
        terms = site.taxonomies.get(taxonomy, {})
        if not terms and taxonomy not in ("tags",):
            continue
        if taxonomy == "challenges" and "case-study" not in kinds:
            continue
        base = next(iter(terms.values())).url.rsplit("/", 2)[0] + "/" if terms else f"/{taxonomy}/"
        # The index shows each term's name, profile and count: all in the context, so no post is an input.
        listing = tuple(
            (t.slug, t.name, t.url, tuple(t.profile.items()), len(t.docs)) for t in terms.values()
        )
        yield Route(base, "terms.html", TermIndexPage(taxonomy, title, listing), ())
        for term in terms.values():
            stream = (
                site.streams.get((taxonomy, term.slug)) if _regular(taxonomy, term.slug, config) else None
            )
            regularity = None
            if stream is not None:  # the page shows its streak, so its key must cover it
                as_of = dt.datetime.combine(stream.as_of, dt.time())
                regularity = (stream.streak, stream.missed, stream.last_published, as_of)
            for pager in paginate(term.url, term.docs, config.paginate):
                # Every page shows how many posts the term has: the count is in the key, not all posts.
                context = TermPage(taxonomy, term.slug, pager, len(term.docs), regularity)
                yield Route(pager.url, "term.html", context, pager.docs)


def _regular(taxonomy: str, slug: str, config: SiteConfig) -> bool:
    """Teams keep a cadence; an author only when site.toml gives them one."""
    return taxonomy == "teams" or (
        taxonomy == "authors" and slug in config.authors and bool(config.authors[slug].cadence)
    )


def roundups(site: Site) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(URL, title, weeknotes) for each month of each weeknote section: /weeknotes/2026/11/."""
    for section in site.sections.values():
        if section.kind != "weeknote":
            continue
        months: dict[tuple[int, int], list[str]] = {}
        for doc_id in section.docs:
            date = site.docs[doc_id].date
            if date is not None:
                months.setdefault((date.year, date.month), []).append(doc_id)
        for (year, month), ids in months.items():
            label = dt.date(year, month, 1).strftime("%B %Y")
            yield f"{section.url}{year}/{month:02d}/", f"{section.title}: {label}", tuple(ids)


def _roundups(site: Site) -> Iterator[Route]:
    for url, title, ids in roundups(site):
        yield Route(url, "roundup.html", RoundupPage(title, url.split("/")[1]), ids)


def _archive(site: Site) -> Iterator[Route]:
    """The archive is by year and ISO week. Years are ISO years, so 1 January 2027 (week 53
    of 2026) is in 2026 with the rest of its week, never a "week 53" at the end of 2027."""
    years: dict[int, dict[int, list[str]]] = {}
    for doc_id in site.order:
        date = site.docs[doc_id].date
        assert date is not None
        year, week, _ = date.isocalendar()
        years.setdefault(year, {}).setdefault(week, []).append(doc_id)
    counts = {y: sum(len(ids) for ids in weeks.values()) for y, weeks in years.items()}
    yield Route("/archive/", "archive.html", ArchivePage(counts), ())
    for year, weeks in years.items():
        spans = {week: (_iso_day(year, week, 1), _iso_day(year, week, 7)) for week in weeks}
        context = ArchiveYearPage(year, {week: tuple(ids) for week, ids in weeks.items()}, spans)
        ids = tuple(i for week in weeks.values() for i in week)
        yield Route(f"/archive/{year}/", "archive-year.html", context, ids)


def _iso_day(year: int, week: int, day: int) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisocalendar(year, week, day), dt.time())


def _aliases(site: Site) -> Iterator[Route]:
    for doc in site.docs.values():
        for alias in doc.aliases:
            yield Route(normalise(alias), "redirect.html", RedirectPage(doc.url), (doc.id,))
