"""The one build: ``build(config, opts, changes)`` runs the stages in order (ARCHITECTURE.md).

discover → parse → collect → plan → render → write. Each stage is a module of its own that returns
values and problems and imports no other stage; only this package runs them. What a build reuses
(a parsed document, a rendered page, the whole output folder) is decided by keys (cache/keys.py),
the same for a cold build, a build after an edit, and each rebuild while ``serve`` runs.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from ..cache.keys import build_fingerprint
from ..cache.parse_cache import ParseCache
from ..collect import collect
from ..config import SiteConfig
from ..diagnostics import Diagnostic, Diagnostics
from ..discover import discover
from ..fence import shown_path
from ..links import check_site_links
from ..model import BuildOptions, Site
from ..pages import Route
from ..routes import plan_routes
from ..rules import content_rules, is_future
from ..theme import load_theme
from ..view import SiteView, make_view
from ..write import check_out_folder
from . import edits, folder, memory
from .memory import Memory
from .outputs import plan_outputs
from .parsing import parse_all
from .result import ANYTHING, BuildResult, Changes, Found, Goal, Progress
from .workers import job_count


@dataclass(frozen=True, slots=True)
class Collected:
    """The site as posts make it, and every output planned; ``about`` is for the marker file."""

    site: Site
    routes: tuple[Route, ...]
    view: SiteView
    about: dict[str, object]


def build(
    config: SiteConfig,
    opts: BuildOptions,
    changes: Changes = ANYTHING,
    *,
    goal: Goal = Goal.PUBLISH,
    memory_of: Memory | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site for ``goal``; nothing is published when a stage reported an error (or, with
    ``opts.strict``, a warning). ``memory_of`` is what the last ``PREVIEW`` build returned, with
    ``changes`` the files changed since; its documents and pages are reused where keys agree."""
    started = time.perf_counter()
    if goal is Goal.PREVIEW and memory_of is not None and changes.paths is not None:
        again = edits.rebuild(memory_of, config, opts, changes.paths)
        if again is not None:
            return _timed(again, started)
    out = (opts.out or config.root / "output").absolute()
    if goal is Goal.PUBLISH and (problem := check_out_folder(out)):
        return BuildResult(Diagnostics([problem]))
    found = _find(config, opts)
    fingerprint = ""
    if goal is Goal.PUBLISH:
        fingerprint = _fingerprint(config, found)
        if not Diagnostics(list(found.problems)).has_errors(opts.strict):
            same = folder.unchanged(out, fingerprint, found.now, opts)
            if same is not None:
                return _timed(same, started)
    cache = memory_of.cache if memory_of is not None else ParseCache.load(config.root)
    collected, problems = _collect(config, found, cache, progress)
    so_far = (*found.problems, *cache.notes, *problems)
    if goal is Goal.CHECK:
        return _checked(collected, Diagnostics(list(so_far)))
    plan = plan_outputs(collected.routes, collected.view, found.theme, found.opts, found.inventory.statics)
    jobs = job_count(opts.jobs)
    if goal is Goal.PREVIEW:
        kept = memory.remembered(memory_of, cache)
        return _timed(memory.preview(plan, collected.view, found, jobs, kept, so_far), started)
    about = collected.about | {"fingerprint": fingerprint, "counts": plan.counts()}
    published = folder.publish(plan, out, collected.view, found, jobs, so_far, progress, about)
    site = collected.site
    diagnostics = Diagnostics([*so_far, *published.problems])
    stats = plan.stats(published.rendered)
    result = BuildResult(diagnostics, site, collected.routes, (), stats, published.written, site.left_out)
    return _timed(result, started)


def _find(config: SiteConfig, opts: BuildOptions) -> Found:
    theme = load_theme(config)
    inventory, problems = discover(config.root, theme.static_dirs, trusted=config.trusted)
    now = opts.clock(config.tz)
    found = (*theme.problems, *problems)
    return Found(theme, inventory, now, opts, dataclasses.replace(opts, now=now), found)


def _fingerprint(config: SiteConfig, found: Found) -> str:
    sources = (s.path for s in found.inventory.sources)
    statics = (s.path for s in found.inventory.statics)
    day = found.now.date().isoformat()
    return build_fingerprint(config, found.opts, sources, statics, found.theme.template_dirs, day)


def _collect(
    config: SiteConfig, found: Found, cache: ParseCache, progress: Progress | None
) -> tuple[Collected, list[Diagnostic]]:
    """Parse (from the cache where the bytes are unchanged), collect and plan routes."""
    opts, now = found.opts, found.now
    parsed, problems = parse_all(found.inventory.sources, config, cache, job_count(opts.jobs), progress)
    cache.save()  # now, not at the end: done, and its memory free, before rendering
    site, found_here = collect(parsed, found.inventory.sections, config, opts)
    problems += found_here
    problems += content_rules(parsed, now, opts.drafts, opts.future)
    statics = {s.rel: shown_path(s.path, config.root) for s in found.inventory.statics}
    routes, found_here = plan_routes(site, config, statics)
    problems += found_here
    problems += check_site_links(site.docs, [*(r.path for r in routes), *statics])
    due = [d.date for d in parsed if d.date is not None and not d.draft and is_future(d, now)]
    about: dict[str, object] = {
        "next_due": min(due).isoformat() if due else None,
        "left_out": list(dataclasses.astuple(site.left_out)),
    }
    return Collected(site, tuple(routes), make_view(site, config, routes), about), problems


def _checked(collected: Collected, diagnostics: Diagnostics) -> BuildResult:
    site = collected.site
    return BuildResult(diagnostics, site=site, routes=collected.routes, left_out=site.left_out)


def _timed(result: BuildResult, started: float) -> BuildResult:
    stats = dataclasses.replace(result.stats, seconds=time.perf_counter() - started)
    return dataclasses.replace(result, stats=stats)
