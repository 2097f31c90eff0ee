"""Serve's fast path: an edit that leaves a site's shape alone re-renders only what shows the post.

Most saves while writing change a post's words, not its date, URL, tags or authors. Then the
sections, terms, streams and routes of the last build still hold; only the edited documents are
parsed again, only the routes that declare them get new keys, and only keys that changed are
rendered. Anything else (a new or deleted file, a changed date or tag, a theme, static or config
change, an error) falls back to the full pipeline, which is always right.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .cache import RouteKeys, digest_pair
from .config import SiteConfig
from .diagnostics import Diagnostic, Severity
from .links import check_site_links, resolve_links
from .model import BuildOptions, Document, Inventory, Output, Route, Site
from .parse import Renderers, parse_file
from .render import SiteView, render_routes
from .rules import content_rules


@dataclass(slots=True)
class LastBuild:
    """What the fast path needs from the last full in-memory build."""

    config: SiteConfig
    opts: BuildOptions
    inventory: Inventory
    view: SiteView
    routes: list[Route]
    route_key: RouteKeys
    terms: dict[str, list[tuple[str, str, str]]]
    env: jinja2.Environment
    diagnostics: list[Diagnostic]
    extra: list[Output]  # statics and GitHub Pages files, unchanged by a content edit
    renderers: Renderers = field(default_factory=Renderers.create)
    by_input: dict[str, list[int]] = field(default_factory=dict)  # doc id -> routes that declare it

    def __post_init__(self) -> None:
        for n, route in enumerate(self.routes):
            for doc_id in route.inputs:
                self.by_input.setdefault(doc_id, []).append(n)


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


@dataclass(frozen=True, slots=True)
class FastResult:
    outputs: list[Output]
    rendered: list[Route]
    diagnostics: list[Diagnostic]
    site: Site


def rebuild(
    last: LastBuild,
    config: SiteConfig,
    opts: BuildOptions,
    changed: Iterable[Path],
    known: dict[str, tuple[str, bytes]],
) -> FastResult | None:
    """Re-render after edits to existing posts; None when the edit needs the full pipeline."""
    if config != last.config or opts != last.opts:
        return None
    sources = {s.path: s for s in last.inventory.sources}
    edited = [sources.get(p) for p in changed]
    if not edited or any(s is None or s.is_index for s in edited):
        return None  # a new, deleted or index file, or something that is not content
    site = last.view.site
    docs = dict(site.docs)
    now = (opts.now or dt.datetime.now(dt.UTC)).astimezone(config.tz)  # as the pipeline's one clock
    problems: list[Diagnostic] = []
    for src in edited:
        assert src is not None
        doc, found = parse_file(src, config, last.renderers)
        old = docs.get(src.id)
        if doc is None or old is None or shape(doc) != shape(old):
            return None  # an error, an unpublished post, or a new shape: the full build says why
        if any(d.severity is Severity.ERROR for d in found):
            return None
        docs[src.id] = doc
        problems += found + content_rules([doc], now, opts.drafts, opts.future)
    ids = [s.id for s in edited if s is not None]
    resolved, link_problems = resolve_links(docs, config.base_path, frozenset(), only=ids)
    paths = [*(r.path for r in last.routes), *(s.rel for s in last.inventory.statics)]
    link_problems += check_site_links(resolved, paths, only=ids)
    site = dataclasses.replace(site, docs=resolved)
    view = SiteView(site, config, last.view.feed_pages)
    keys = last.route_key
    for doc_id in ids:
        keys.listed[doc_id], keys.full[doc_id] = digest_pair(resolved[doc_id], last.terms[doc_id])
    keys = RouteKeys(keys.global_key, keys.templates, (keys.listed, keys.full), keys.day)  # fresh memos
    opaque = [n for n, r in enumerate(last.routes) if r.template in keys.templates.opaque]
    affected = sorted({n for doc_id in ids for n in last.by_input.get(doc_id, ())} | set(opaque))
    todo = []
    for n in affected:
        route = last.routes[n]
        key = keys(route)
        if known.get(route.path, ("",))[0] != key:
            todo.append((route, key))
    outputs, render_problems = render_routes([r for r, _ in todo], view, last.env)
    if any(d.severity is Severity.ERROR for d in render_problems):
        return None
    for (_, key), output in zip(todo, outputs, strict=True):
        known[output.path] = (key, output.data or b"")
    last.view, last.route_key = view, keys
    edited_paths = {f"content/{i}" for i in ids}
    diagnostics = [d for d in last.diagnostics if d.path not in edited_paths] + problems + link_problems
    last.diagnostics = diagnostics
    every = [Output(path, data) for path, (_, data) in known.items()]
    return FastResult(every + last.extra, [r for r, _ in todo], diagnostics, site)
