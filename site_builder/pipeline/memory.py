"""What ``serve`` keeps between builds, and the preview build that makes it: every output as
bytes in memory, each with its key, so the next build renders only pages whose key changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import jinja2

from ..cache.keys import RouteKeys
from ..cache.parse_cache import ParseCache
from ..config import SiteConfig
from ..diagnostics import Diagnostic, Diagnostics
from ..model import BuildOptions, Inventory, Output
from ..pages import Route
from ..parse import Renderers
from ..render import make_environment
from ..view import SiteView
from .outputs import OutputPlan
from .result import BuildResult, Found
from .workers import render_many


@dataclass(frozen=True, slots=True)
class LastBuild:
    """A good preview build's values: an edit that changes no post's shape starts from them."""

    config: SiteConfig
    opts: BuildOptions  # as the caller asked: the next build must ask the same
    inventory: Inventory
    view: SiteView
    routes: tuple[Route, ...]
    route_keys: RouteKeys
    terms: Mapping[str, list[tuple[str, str, str]]]
    env: jinja2.Environment
    diagnostics: tuple[Diagnostic, ...]
    extra: tuple[Output, ...]  # static files and the Pages files: a post's edit changes none
    renderers: Renderers = field(default_factory=Renderers.create)
    by_input: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # doc id -> routes showing it


@dataclass(frozen=True, slots=True)
class Memory:
    """The parse cache, the outputs of the last build with their keys, and its values if it was good."""

    cache: ParseCache = field(default_factory=ParseCache)
    outputs: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (key, bytes)
    last: LastBuild | None = None


def remembered(memory: Memory | None, cache: ParseCache) -> Memory:
    """What a whole build starts from: the parse cache and the last outputs, not the last values."""
    return Memory(cache, memory.outputs if memory is not None else {})


def preview(
    plan: OutputPlan,
    view: SiteView,
    found: Found,
    jobs: int,
    kept: Memory,
    so_far: tuple[Diagnostic, ...],
) -> BuildResult:
    """Every output as bytes; pages whose key is the one ``kept`` has are not rendered again."""
    known = kept.outputs
    reused = [Output(r.path, known[r.path][1]) for r in plan.routes if _same(known, r.path, plan.keys)]
    todo = tuple(r for r in plan.routes if not _same(known, r.path, plan.keys))
    rendered: list[Output] = []
    diagnostics = Diagnostics(list(so_far))
    for outputs, problems in render_many(todo, view, found.theme, jobs):
        rendered += outputs
        diagnostics.extend(problems)
    made = sorted(reused + rendered, key=lambda o: o.path)
    statics = tuple(Output(s.rel, source=s.path) for s in plan.statics)
    every = (*made, *statics, *plan.pages_files)
    if diagnostics.has_errors():
        memory = Memory(kept.cache, known)
    else:
        outputs_kept = {o.path: (plan.keys[o.path], o.data or b"") for o in made}
        good = every and not diagnostics.has_errors(found.asked.strict)
        last = _last(plan, view, found, diagnostics, statics) if good else None
        memory = Memory(kept.cache, outputs_kept, last)
    site = view.site
    return BuildResult(diagnostics, site, plan.routes, every, plan.stats(todo), False, site.left_out, memory)


def _same(known: Mapping[str, tuple[str, bytes]], path: str, keys: Mapping[str, str]) -> bool:
    return known.get(path, ("",))[0] == keys[path]


def _last(
    plan: OutputPlan, view: SiteView, found: Found, diagnostics: Diagnostics, statics: tuple[Output, ...]
) -> LastBuild:
    by_input: dict[str, list[int]] = {}
    for n, route in enumerate(plan.routes):
        for doc_id in route.inputs:
            by_input.setdefault(doc_id, []).append(n)
    return LastBuild(
        view.config,
        found.asked,
        found.inventory,
        view,
        plan.routes,
        plan.route_keys,
        plan.terms,
        make_environment(found.theme, view.config),
        tuple(diagnostics),
        (*statics, *plan.pages_files),
        by_input={doc_id: tuple(found) for doc_id, found in by_input.items()},
    )
