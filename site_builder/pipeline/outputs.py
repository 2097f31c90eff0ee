"""Every output file with the key it is made with: what decides which pages a build renders."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..cache.keys import RouteKeys, doc_terms, global_key, static_key, template_keys, view_digests
from ..config import SiteConfig
from ..model import BuildOptions, BuildStats, Output, StaticFile
from ..pages import Route, RouteKind
from ..theme import Theme
from ..view import SiteView


@dataclass(frozen=True, slots=True)
class OutputPlan:
    routes: tuple[Route, ...]
    keys: Mapping[str, str]  # output path -> key, for routes, static files and the Pages files
    statics: tuple[StaticFile, ...]
    pages_files: tuple[Output, ...]  # for GitHub Pages: .nojekyll, CNAME
    route_keys: RouteKeys  # kept by ``serve`` for the next edit, with the digests it used
    terms: Mapping[str, list[tuple[str, str, str]]]  # each document's terms, as its digests saw them

    def stats(self, rendered: Iterable[Route] = ()) -> BuildStats:
        """Counts for the summary line; ``rendered`` are the routes this build rendered."""
        feeds = sum(r.kind is RouteKind.FEED for r in self.routes)
        made = list(rendered)
        made_feeds = sum(r.kind is RouteKind.FEED for r in made)
        pages = len(self.routes) - feeds
        return BuildStats(pages, feeds, len(self.statics), 0.0, len(made) - made_feeds, made_feeds)

    def counts(self) -> dict[str, int]:
        """What the output folder's marker records, for a no-change build's summary line."""
        stats = self.stats()
        return {"pages": stats.pages, "feeds": stats.feeds, "statics": stats.statics}

    def search_key(self) -> str:
        """What the search index depends on: every HTML page's key."""
        pages = sorted((p, k) for p, k in self.keys.items() if p.endswith(".html"))
        return "search:" + hashlib.blake2b(repr(pages).encode(), digest_size=16).hexdigest()


def plan_outputs(
    routes: tuple[Route, ...],
    view: SiteView,
    theme: Theme,
    opts: BuildOptions,
    statics: tuple[StaticFile, ...],
) -> OutputPlan:
    shared = global_key(view.config, opts, view.site)
    templates = template_keys(theme, {r.template for r in routes if r.kind is not RouteKind.FEED})
    terms = doc_terms(view.site)
    day = opts.now.date().isoformat() if opts.now else ""
    route_keys = RouteKeys(shared, templates, view_digests(view.site, terms), day)
    extra = pages_files(view.config)
    keys = {r.path: route_keys(r) for r in routes}
    keys |= {s.rel: static_key(s.path) for s in statics}
    keys |= {o.path: "pages:" + (o.data or b"").decode() for o in extra}
    return OutputPlan(routes, keys, statics, extra, route_keys, terms)


def pages_files(config: SiteConfig) -> tuple[Output, ...]:
    """GitHub Pages: no Jekyll processing, and the custom domain when there is one (README, "Publish")."""
    files = [Output(".nojekyll", b"")]
    if config.domain:
        files.append(Output("CNAME", config.domain.encode() + b"\n"))
    return tuple(files)
