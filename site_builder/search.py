"""The search index (``/pagefind/`` in the output): Pagefind indexes a built folder in place.

Only elements marked ``data-pagefind-body`` are indexed (the default theme marks the content of
posts and pages), so list pages, the home page and the search page itself are never results.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, error, warning

BUNDLE = "pagefind"


def index_site(folder: Path) -> list[Diagnostic]:
    """Write ``folder/pagefind/`` for the HTML pages in ``folder``; problems come back as values."""
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError:
        return [
            warning(
                "search/unavailable",
                str(folder),
                "the site was built without a search index: Pagefind is not installed",
                hint="pip install 'pagefind[bin]'",
            )
        ]
    folder = folder.absolute()

    async def build() -> int:
        config = IndexConfig(output_path=str(folder / BUNDLE))
        async with PagefindIndex(config=config) as index:
            found = await index.add_directory(str(folder))
            return int(found["page_count"])

    try:
        pages = _run(build())
    except Exception as exc:  # the Pagefind service reports its failures as exceptions
        return [
            error(
                "search/index",
                str(folder),
                f"Pagefind could not index the site: {type(exc).__name__}: {exc}",
                hint="run `python -m pagefind --site OUTPUT` to see Pagefind's own output",
            )
        ]
    if pages == 0:
        return [
            warning(
                "search/empty",
                str(folder),
                "the search index is empty: no page has a data-pagefind-body element",
                hint="mark the main content of post templates with data-pagefind-body",
            )
        ]
    return []


def _run(coroutine: Any) -> Any:
    """``asyncio.run``, also from a thread that already runs an event loop (``serve``)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="pagefind")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
