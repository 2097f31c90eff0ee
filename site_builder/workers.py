"""Process pools for parse and render (STYLE §8.6): small work stays in-process.

Render: with ``jobs`` cores, ``jobs - 1`` worker processes and the build's own process share the
chunks; a render worker holds the whole site, and one more would add a copy of it in memory (SPEC
§8: peak memory). Parse: ``jobs`` workers, each holding a chunk of files, and this process gathers.

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

from .cache import Signature, parse_key, signature_of
from .config import SiteConfig
from .diagnostics import Diagnostic
from .model import Document, Output, Route, Site, SourceFile
from .parse import Renderers, parse_file
from .render import SiteView, make_environment, render_routes
from .theme import Theme
from .write import Folder, OutputError, write_file

IN_PROCESS_BELOW = 50  # items: under this, a pool costs more than it saves
_held: dict[str, Any] = {}


def job_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (cheap start, shared pages); otherwise spawn. Either works:
    everything a worker needs is passed through the initializer, nothing relies on inheritance."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _chunk_size(items: int, jobs: int) -> int:
    return max(1, min(200, items // (jobs * 4) or 1))


def _chunks(items: Sequence[Any], jobs: int) -> list[Sequence[Any]]:
    size = _chunk_size(len(items), jobs)
    return [items[i : i + size] for i in range(0, len(items), size)]


# (id, document or None, diagnostics, parse key or "", stat signature or None)
ParseResult = tuple[str, Document | None, list[Diagnostic], str, Signature | None]


def parse_many(
    sources: Sequence[SourceFile], config: SiteConfig, jobs: int, settings: str
) -> Iterator[ParseResult]:
    """Parse files, yielding results in any order; ``settings`` is ``config.parse_fingerprint()``."""
    if jobs <= 1 or len(sources) < IN_PROCESS_BELOW:
        renderers = Renderers.create()
        yield from (parse_one(src, config, renderers, settings) for src in sources)
        return
    # A parse worker holds one chunk of files, not the site, and documents are cheap to send back:
    # ``jobs`` workers parse while this process only gathers (a sixth of the time saved on 2 cores).
    chunks = _chunks(sources, jobs)
    for results in _pooled(_init_parse, (config, settings), _parse_chunk, None, chunks, jobs):
        yield from results


def parse_one(src: SourceFile, config: SiteConfig, renderers: Renderers, settings: str) -> ParseResult:
    """Parse one file and make its cache key from the very bytes parsed. The stat comes first: a
    file saved while it is read keeps a signature that no longer matches, and is read again."""
    try:
        stat = src.path.stat()
        data = src.path.read_bytes()
    except OSError:
        return (src.id, *parse_file(src, config, renderers), "", None)  # parse_file reports it
    doc, problems = parse_file(src, config, renderers, data)
    return src.id, doc, problems, parse_key(settings, src.id, data), signature_of(src.id, stat, settings)


def _init_parse(config: SiteConfig, settings: str) -> None:
    _held["config"] = config
    _held["settings"] = settings
    _held["renderers"] = Renderers.create()


def _parse_chunk(sources: Sequence[SourceFile]) -> list[ParseResult]:
    return [parse_one(src, _held["config"], _held["renderers"], _held["settings"]) for src in sources]


RenderResult = tuple[list[Output], list[Diagnostic]]
FEED_WEIGHT = 10  # a feed carries its posts' full text: ten pages' worth of bytes


def render_many(
    routes: Sequence[Route], view: SiteView, theme: Theme, jobs: int, into: Folder | None = None
) -> Iterator[RenderResult]:
    """Render routes, yielding (outputs, diagnostics) chunk by chunk. With ``into``, whoever renders
    a page writes it there at once and the outputs come back without their bytes: pages never
    travel between processes, nor pile up in this one (SPEC §8: peak memory)."""
    env = make_environment(theme, view.config)

    def here(chunk: Sequence[Route]) -> RenderResult:
        return _written(*render_routes(chunk, view, env), into)

    if jobs <= 1 or len(routes) < IN_PROCESS_BELOW:
        for chunk in _route_chunks(routes, 1):
            yield here(chunk)
        return
    args = (view.site, view.config, dict(view.feed_pages), theme, into)
    chunks = _route_chunks(routes, jobs)
    for outputs, problems, failed in _pooled(
        _init_render, args, _render_chunk, lambda chunk: (*here(chunk), None), chunks, jobs - 1
    ):
        if failed is not None:
            raise OutputError(failed)
        yield outputs, problems


def _route_chunks(routes: Sequence[Route], jobs: int) -> list[Sequence[Route]]:
    """Pages in chunks as usual; feeds in chunks a tenth the size, as each weighs ten pages."""
    pages = [r for r in routes if not r.template.startswith("feed:")]
    feeds = [r for r in routes if r.template.startswith("feed:")]
    step = max(1, _chunk_size(len(routes), jobs) // FEED_WEIGHT)
    return _chunks(pages, jobs) + [feeds[i : i + step] for i in range(0, len(feeds), step)]


def _written(outputs: list[Output], problems: list[Diagnostic], into: Folder | None) -> RenderResult:
    if into is None:
        return outputs, problems
    for output in outputs:
        write_file(into, output.path, output.data or b"")
    return [Output(o.path) for o in outputs], problems


def _init_render(
    site: Site, config: SiteConfig, feed_pages: dict[str, str], theme: Theme, into: Folder | None
) -> None:
    _held["view"] = SiteView(site, config, feed_pages)
    _held["env"] = make_environment(theme, config)
    _held["into"] = into


def _render_chunk(routes: Sequence[Route]) -> tuple[list[Output], list[Diagnostic], Diagnostic | None]:
    """A worker's chunk; a write error comes back as a value (OutputError does not pickle)."""
    try:
        return (*_written(*render_routes(routes, _held["view"], _held["env"]), _held["into"]), None)
    except OutputError as exc:
        return [], [], exc.diagnostic


def _pooled(
    init: Callable[..., None],
    args: tuple[Any, ...],
    work: Callable[[Any], Any],
    here: Callable[[Any], Any] | None,
    chunked: list[Sequence[Any]],
    workers: int,
) -> Iterator[Any]:
    """Results in the order they finish. ``workers`` processes run ``work`` with at most three
    chunks each in flight (rendered pages are written as they come, not piled up in memory);
    between gathering their results, this process runs ``here`` on the next chunk itself, if given."""
    chunks = iter(chunked)
    # Forked workers share the parent's memory pages until something writes to them, and the
    # garbage collector's pass over every object would: keep what exists now out of its reach.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=init, initargs=args
        ) as pool:
            running = {pool.submit(work, chunk) for chunk in itertools.islice(chunks, workers * 3)}
            while running:
                done = {future for future in running if future.done()}
                if not done and here is not None and (chunk := next(chunks, None)) is not None:
                    yield here(chunk)
                    continue
                if not done:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    running.remove(future)
                    yield future.result()
                    chunk = next(chunks, None)
                    if chunk is not None:
                        running.add(pool.submit(work, chunk))
    finally:
        gc.unfreeze()
