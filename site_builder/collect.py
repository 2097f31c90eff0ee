"""Stage 3: decide what is published, group it into sections and terms, resolve links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .links import resolve_links
from .model import BuildOptions, Document, LeftOut, Section, Site, Term
from .rules import is_future
from .taxonomies import build_terms, terms_by_doc
from .urls import file_key, normalise
from .weeknotes import doc_streams, streams


def collect(
    parsed: Iterable[Document], sections: Iterable[str], config: SiteConfig, opts: BuildOptions
) -> tuple[Site, list[Diagnostic]]:
    """Leave out drafts and future posts, sort newest first, find neighbours and duplicate URLs."""
    now = opts.clock(config.tz)
    published: dict[str, Document] = {}
    unpublished: set[str] = set()
    drafts = future = 0
    for doc in parsed:
        if doc.draft and not opts.drafts:
            drafts += 1
        elif is_future(doc, now) and not opts.future:
            future += 1
        else:
            published[doc.id] = doc
            continue
        unpublished.add(doc.id)
    problems = _duplicate_urls(published.values())
    docs, link_problems = resolve_links(published, config.base_path, frozenset(unpublished))
    problems += link_problems
    posts = [d for d in docs.values() if not d.is_index]
    order = tuple(d.id for d in sorted((d for d in posts if d.date), key=_newest_first))
    undated = tuple(sorted((d.id for d in posts if not d.date), key=lambda i: docs[i].title.lower()))
    names = sorted(set(sections) | set(config.sections))
    built = {name: _section(name, docs, order + undated, config) for name in names}
    section_of_kind = {s.kind: s.name for s in reversed(built.values())}
    terms = build_terms((docs[i] for i in order + undated), config, section_of_kind)
    cadences = {("teams", slug): profile.cadence for slug, profile in config.teams.items()}
    cadences |= {("authors", slug): p.cadence for slug, p in config.authors.items() if p.cadence}
    found = streams(docs, terms, cadences, now.date())
    site = Site(
        docs=docs,
        order=order,
        pages=tuple(i for i in order + undated if docs[i].section == ""),
        sections=built,
        taxonomies=terms,
        neighbours=_neighbours(built.values(), docs),
        home_intro_html=docs["_index.md"].html if "_index.md" in docs else "",
        left_out=LeftOut(drafts, future),
        streams=found,
        doc_streams=doc_streams(found),
        related=related(docs, order, terms),
        doc_terms=terms_by_doc(docs.values(), terms),
    )
    return site, problems


def related(
    docs: Mapping[str, Document],
    order: tuple[str, ...],
    terms: Mapping[str, Mapping[str, Term]],
    limit: int = 3,
) -> dict[str, tuple[str, ...]]:
    """For each case study, those sharing most challenges (counted twice) and tags, newest first."""
    score: dict[str, dict[str, int]] = {}
    for taxonomy, weight in (("challenges", 2), ("tags", 1)):
        for term in terms.get(taxonomy, {}).values():
            studies = [i for i in term.docs if docs[i].kind == "case-study"]
            for a in studies:
                for b in studies:
                    if a != b:
                        score.setdefault(a, {})[b] = score.setdefault(a, {}).get(b, 0) + weight
    rank = {doc_id: n for n, doc_id in enumerate(order)}
    return {
        a: tuple(sorted(others, key=lambda b: (-others[b], rank.get(b, 0)))[:limit])
        for a, others in score.items()
    }


def _newest_first(doc: Document) -> tuple[float, str]:
    assert doc.date is not None
    return (-doc.date.timestamp(), doc.id)


def _section(name: str, docs: dict[str, Document], order: tuple[str, ...], config: SiteConfig) -> Section:
    index = docs.get(f"{name}/_index.md")
    settings = config.section(name)
    title = (
        (index.title if index and index.title else "")
        or settings.title
        or name.replace("-", " ").capitalize()
    )
    return Section(
        name=name,
        title=title,
        description=index.summary if index else "",
        kind=settings.kind,
        intro_html=index.html if index else "",
        url=f"/{name}/",
        docs=tuple(i for i in order if docs[i].section == name),
    )


def _neighbours(
    sections: Iterable[Section], docs: dict[str, Document]
) -> dict[str, tuple[str | None, str | None]]:
    """(older, newer) within each section, for prev/next links."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for section in sections:
        dated = [i for i in section.docs if docs[i].date]
        for n, doc_id in enumerate(dated):
            older = dated[n + 1] if n + 1 < len(dated) else None
            newer = dated[n - 1] if n > 0 else None
            found[doc_id] = (older, newer)
    return found


def _duplicate_urls(docs: Iterable[Document]) -> list[Diagnostic]:
    """Two sources writing one URL, or URLs that differ only by case or Unicode form (they clash on
    macOS and Windows)."""
    seen: dict[str, str] = {}
    problems = []
    for doc in sorted(docs, key=lambda d: d.id):
        own = file_key(doc.url)
        for alias in doc.aliases:
            if file_key(normalise(alias)) == own:  # its redirect page would replace the page itself
                problems.append(
                    error(
                        "url/duplicate",
                        f"content/{doc.id}",
                        f"the alias {alias} is this page's own URL",
                        hint="remove it from 'aliases'",
                    )
                )
        for url in dict.fromkeys((doc.url, *(normalise(a) for a in doc.aliases))):
            other = seen.setdefault(file_key(url), doc.id)
            if other != doc.id:
                problems.append(
                    error(
                        "url/duplicate",
                        f"content/{doc.id}",
                        f"{url} is also the URL of content/{other}",
                        hint="give one of them a different 'slug' or 'permalink'",
                    )
                )
    return problems
