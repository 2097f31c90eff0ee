"""Process pools for parse and render: small work stays in-process, where a pool costs more than it saves.

Render: with ``jobs`` cores, ``jobs - 1`` worker processes and the build's own process share the
chunks; a render worker holds the whole site, and one more would add a copy of it in memory (peak
memory, BENCHMARKS.md). Parse: ``jobs`` workers, each holding a chunk of files, and this process gathers.

A worker gets what it needs once, through the pool initializer, and keeps it in ``_held``: that
dictionary lives only inside worker processes, never in the process that runs the build.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from ..cache.parse_cache import Signature, parse_key, signature_of
from ..config import SiteConfig
from ..diagnostics import Diagnostic, OutputError
from ..model import Document, Output, SourceFile
from ..pages import Route, RouteKind
from ..parse import Renderers, parse_file
from ..render import Renderer, make_environment
from ..theme import Theme
from ..view import SiteView
from ..write import Folder, write_file

IN_PROCESS_BELOW = 50  # items: under this, a pool costs more than it saves
_held: dict[str, Any] = {}


WINDOWS_MAX_WORKERS = 61  # ProcessPoolExecutor refuses more there (WaitForMultipleObjects)


def job_count(requested: int) -> int:
    jobs = requested if requested > 0 else (os.cpu_count() or 1)
    return min(jobs, WINDOWS_MAX_WORKERS) if sys.platform == "win32" else jobs


def _context() -> multiprocessing.context.BaseContext:
    """How workers start. Everything a worker needs comes through the pool's initializer, so any
    start method gives the same pages.

    A fork of the build's process only while it runs no other thread (``build``, ``deploy``: the
    progress bar redraws from the build's own thread): a fork copies a lock another thread may
    hold. Forked workers share the site's memory instead of each receiving a pickled copy (at
    10,000 posts, 120 MB less at the peak: BENCHMARKS.md, "One pipeline"). Otherwise (``serve``
    runs its server and watcher threads) a fork server that has imported this module, and so the
    renderers and Jinja, once; spawn where there is neither (Windows)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


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
    travel between processes, nor pile up in this one (peak memory, BENCHMARKS.md)."""
    renderer = Renderer(view, make_environment(theme, view.config))

    def here(chunk: Sequence[Route]) -> RenderResult:
        return _written(*renderer.render(chunk), into)

    if jobs <= 1 or len(routes) < IN_PROCESS_BELOW:
        for chunk in _route_chunks(routes, 1):
            yield here(chunk)
        return
    args = (view, theme, into)
    chunks = _route_chunks(routes, jobs)
    for outputs, problems, failed in _pooled(
        _init_render, args, _render_chunk, lambda chunk: (*here(chunk), None), chunks, jobs - 1
    ):
        if failed is not None:
            raise OutputError(failed)
        yield outputs, problems


def _route_chunks(routes: Sequence[Route], jobs: int) -> list[Sequence[Route]]:
    """Pages in chunks as usual; feeds in chunks a tenth the size, as each weighs ten pages."""
    pages = [r for r in routes if r.kind is not RouteKind.FEED]
    feeds = [r for r in routes if r.kind is RouteKind.FEED]
    step = max(1, _chunk_size(len(routes), jobs) // FEED_WEIGHT)
    return _chunks(pages, jobs) + [feeds[i : i + step] for i in range(0, len(feeds), step)]


def _written(outputs: list[Output], problems: list[Diagnostic], into: Folder | None) -> RenderResult:
    if into is None:
        return outputs, problems
    for output in outputs:
        write_file(into, output.path, output.data or b"")
    return [Output(o.path) for o in outputs], problems


def _init_render(view: SiteView, theme: Theme, into: Folder | None) -> None:
    _held["renderer"] = Renderer(view, make_environment(theme, view.config))
    _held["into"] = into


def _render_chunk(routes: Sequence[Route]) -> tuple[list[Output], list[Diagnostic], Diagnostic | None]:
    """A worker's chunk; a write error comes back as a value (OutputError does not pickle)."""
    try:
        renderer: Renderer = _held["renderer"]
        return (*_written(*renderer.render(routes), _held["into"]), None)
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
    context = _context()
    # Forked workers share this process's pages until something writes to them, and the garbage
    # collector's pass over every object would: keep what exists now out of its reach.
    frozen = context.get_start_method() == "fork"
    if frozen:
        gc.freeze()
    try:
        yield from _gathered(context, init, args, work, here, chunks, workers)
    finally:
        if frozen:
            gc.unfreeze()


def _gathered(
    context: multiprocessing.context.BaseContext,
    init: Callable[..., None],
    args: tuple[Any, ...],
    work: Callable[[Any], Any],
    here: Callable[[Any], Any] | None,
    chunks: Iterator[Sequence[Any]],
    workers: int,
) -> Iterator[Any]:
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=init, initargs=args
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
