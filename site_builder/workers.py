"""Process pools for parse and render (STYLE §8.6): small work stays in-process.

A worker gets what it needs once, through the pool initializer, and keeps it in ``_held``: that
dictionary lives only inside worker processes, never in the process that runs the build.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from .config import SiteConfig
from .diagnostics import Diagnostic
from .model import Document, Output, Route, Site, SourceFile
from .parse import Renderers, parse_file
from .render import SiteView, make_environment, render_routes
from .theme import Theme

IN_PROCESS_BELOW = 50  # items: under this, a pool costs more than it saves
_held: dict[str, Any] = {}


def job_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (cheap start, shared pages); otherwise spawn. Either works:
    everything a worker needs is passed through the initializer, nothing relies on inheritance."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _chunks(items: Sequence[Any], jobs: int) -> list[Sequence[Any]]:
    size = max(1, min(200, len(items) // (jobs * 4) or 1))
    return [items[i : i + size] for i in range(0, len(items), size)]


ParseResult = tuple[str, Document | None, list[Diagnostic]]


def parse_many(sources: Sequence[SourceFile], config: SiteConfig, jobs: int) -> Iterator[ParseResult]:
    """Parse files, yielding (id, document or None, diagnostics) in any order."""
    if jobs <= 1 or len(sources) < IN_PROCESS_BELOW:
        renderers = Renderers.create()
        for src in sources:
            yield (src.id, *parse_file(src, config, renderers))
        return
    for results in _pooled(_init_parse, (config,), _parse_chunk, sources, jobs):
        yield from results


def _init_parse(config: SiteConfig) -> None:
    _held["config"] = config
    _held["renderers"] = Renderers.create()


def _parse_chunk(sources: Sequence[SourceFile]) -> list[ParseResult]:
    return [(src.id, *parse_file(src, _held["config"], _held["renderers"])) for src in sources]


RenderResult = tuple[list[Output], list[Diagnostic]]


def render_many(routes: Sequence[Route], view: SiteView, theme: Theme, jobs: int) -> Iterator[RenderResult]:
    """Render routes, yielding (outputs, diagnostics) chunk by chunk so they can be written at once."""
    if jobs <= 1 or len(routes) < IN_PROCESS_BELOW:
        env = make_environment(theme, view.config)
        for chunk in _chunks(routes, 1):
            yield render_routes(chunk, view, env)
        return
    yield from _pooled(
        _init_render, (view.site, view.config, dict(view.feed_pages), theme), _render_chunk, routes, jobs
    )


def _init_render(site: Site, config: SiteConfig, feed_pages: dict[str, str], theme: Theme) -> None:
    _held["view"] = SiteView(site, config, feed_pages)
    _held["env"] = make_environment(theme, config)


def _render_chunk(routes: Sequence[Route]) -> RenderResult:
    return render_routes(routes, _held["view"], _held["env"])


def _pooled(
    init: Callable[..., None],
    args: tuple[Any, ...],
    work: Callable[[Any], Any],
    items: Sequence[Any],
    jobs: int,
) -> Iterator[Any]:
    """Results in the order they finish, with at most two chunks per worker in flight: rendered
    pages are written as they come instead of piling up in memory (SPEC §8: peak memory)."""
    chunks = iter(_chunks(items, jobs))
    # Forked workers share the parent's memory pages until something writes to them, and the
    # garbage collector's pass over every object would: keep what exists now out of its reach.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=_context(), initializer=init, initargs=args
        ) as pool:
            running = {pool.submit(work, chunk) for chunk in itertools.islice(chunks, jobs * 2)}
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    chunk = next(chunks, None)
                    if chunk is not None:
                        running.add(pool.submit(work, chunk))
    finally:
        gc.unfreeze()
