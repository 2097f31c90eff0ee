"""A rebuild after edits that leave the site's shape alone: only the edited posts are parsed, and
only pages whose key changed are rendered.

Most saves while writing change a post's words, not its date, URL, tags or authors. Then the
sections, terms, streams and routes of the last build still hold (the shape of every document is
the same), so they are reused as they are, and route keys decide what is rendered, as in any
build. Anything else (a new or deleted file, a changed date or tag, a theme, static or config
change, an error) returns None and the whole build runs, which is always right.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..cache.keys import RouteKeys, digest_pair
from ..config import SiteConfig
from ..diagnostics import Diagnostic, Diagnostics, Severity
from ..links import check_site_links, resolve_links
from ..model import BuildOptions, BuildStats, Document, Output, SourceFile
from ..pages import Route, RouteKind
from ..parse import parse_file
from ..render import Renderer
from ..rules import content_rules
from .memory import LastBuild, Memory
from .result import BuildResult


def shape(doc: Document) -> tuple[object, ...]:
    """What decides where a document goes: its URL, dates, grouping and publication.

    A root page's title is in every page's navigation, so for pages it is shape too.
    """
    title = doc.title if not doc.section else None
    return (
        doc.url,
        doc.date,
        doc.date_only,
        doc.updated,
        doc.draft,
        doc.tags,
        doc.authors,
        doc.team,
        doc.aliases,
        doc.fields,
        doc.kind,
        doc.section,
        doc.is_index,
        title,
    )


def rebuild(
    memory: Memory, config: SiteConfig, opts: BuildOptions, changed: Iterable[Path]
) -> BuildResult | None:
    """The build after ``changed`` edits, from ``memory``; None when the whole build must run."""
    last = memory.last
    if last is None or config != last.config or opts != last.opts:
        return None
    sources = {s.path: s for s in last.inventory.sources}
    edited = [sources.get(p) for p in changed]
    if not edited or any(s is None or s.is_index for s in edited):
        return None  # a new, deleted or index file, or something that is not content
    parsed = _reparsed(last, [s for s in edited if s is not None], config, opts)
    if parsed is None:
        return None
    docs, problems = parsed
    ids = [s.id for s in edited if s is not None]
    resolved, link_problems = resolve_links(docs, config.base_path, frozenset(), only=ids)
    paths = [*(r.path for r in last.routes), *(s.rel for s in last.inventory.statics)]
    link_problems += check_site_links(resolved, paths, only=ids)
    site = dataclasses.replace(last.view.site, docs=resolved)
    view = dataclasses.replace(last.view, site=site)
    keys = _keys(last, {doc_id: resolved[doc_id] for doc_id in ids})
    todo = _todo(last, keys, ids, memory.outputs)
    outputs, render_problems = Renderer(view, last.env).render([r for r, _ in todo])
    if any(d.severity is Severity.ERROR for d in render_problems):
        return None
    known = {
        **memory.outputs,
        **{o.path: (key, o.data or b"") for (_, key), o in zip(todo, outputs, strict=True)},
    }
    edited_paths = {f"content/{i}" for i in ids}
    diagnostics = (*(d for d in last.diagnostics if d.path not in edited_paths), *problems, *link_problems)
    again = dataclasses.replace(last, view=view, route_keys=keys, diagnostics=diagnostics)
    every = (*(Output(path, data) for path, (_, data) in known.items()), *last.extra)
    feeds = sum(r.kind is RouteKind.FEED for r, _ in todo)
    stats = BuildStats(rendered_pages=len(todo) - feeds, rendered_feeds=feeds)
    result = BuildResult(
        Diagnostics(list(diagnostics)), site, last.routes, every, stats, False, site.left_out
    )
    return dataclasses.replace(result, memory=Memory(memory.cache, known, again))


def _reparsed(
    last: LastBuild, edited: list[SourceFile], config: SiteConfig, opts: BuildOptions
) -> tuple[dict[str, Document], list[Diagnostic]] | None:
    """Every document, the edited ones parsed again; None when one changed shape or has an error."""
    docs = dict(last.view.site.docs)
    now = opts.clock(config.tz)
    problems: list[Diagnostic] = []
    for src in edited:
        doc, found = parse_file(src, config, last.renderers)
        old = docs.get(src.id)
        if doc is None or old is None or shape(doc) != shape(old):
            return None  # an error, an unpublished post, or a new shape: the whole build says why
        if any(d.severity is Severity.ERROR for d in found):
            return None
        docs[src.id] = doc
        problems += found + content_rules([doc], now, opts.drafts, opts.future)
    return docs, problems


def _keys(last: LastBuild, edited: dict[str, Document]) -> RouteKeys:
    """The last build's route keys with the edited documents' digests made again."""
    keys = last.route_keys
    pairs = {doc_id: digest_pair(doc, last.terms[doc_id]) for doc_id, doc in edited.items()}
    listed = {**keys.listed, **{doc_id: pair[0] for doc_id, pair in pairs.items()}}
    full = {**keys.full, **{doc_id: pair[1] for doc_id, pair in pairs.items()}}
    return RouteKeys(keys.global_key, keys.templates, (listed, full), keys.day)


def _todo(
    last: LastBuild, keys: RouteKeys, ids: list[str], known: Mapping[str, tuple[str, bytes]]
) -> list[tuple[Route, str]]:
    """The routes that show an edited document (or may: a site theme's) whose key changed."""
    opaque = [n for n, r in enumerate(last.routes) if r.template in keys.templates.opaque]
    affected = sorted({n for doc_id in ids for n in last.by_input.get(doc_id, ())} | set(opaque))
    todo = []
    for n in affected:
        route = last.routes[n]
        key = keys(route)
        if known.get(route.path, ("",))[0] != key:
            todo.append((route, key))
    return todo
