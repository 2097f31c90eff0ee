"""Parse every source: from the parse cache where its bytes are unchanged, else in a pool."""

from __future__ import annotations

from ..cache.parse_cache import ParseCache, ParseEntry
from ..config import SiteConfig
from ..diagnostics import Diagnostic
from ..model import Document, SourceFile
from .result import Progress
from .workers import parse_many


def parse_all(
    sources: tuple[SourceFile, ...],
    config: SiteConfig,
    cache: ParseCache,
    jobs: int,
    progress: Progress | None,
) -> tuple[list[Document], list[Diagnostic]]:
    """Every document that parsed, in source order, and the problems found in every source."""
    settings = config.parse_fingerprint()
    entries: dict[str, ParseEntry] = {}
    misses: list[SourceFile] = []
    cold = not cache.entries  # with nothing cached each file's key is made where it is parsed
    for src in sources:
        key = None if cold else cache.key_for(settings, src.id, src.path)
        hit = cache.get(key) if key else None
        if hit is None:
            misses.append(src)
        else:
            entries[src.id] = hit
    for n, (doc_id, doc, found, key, signature) in enumerate(
        parse_many(misses, config, jobs, settings), start=1
    ):
        entries[doc_id] = (doc, tuple(found))
        if key and signature:
            cache.put(key, entries[doc_id])
            cache.remember(signature, key)
        if progress:
            progress("parse", n, len(misses))
    docs: list[Document] = []
    problems: list[Diagnostic] = []
    for src in sources:  # in source order, whatever order the pool finished in
        doc, own = entries[src.id]
        problems += own
        if doc is not None:
            docs.append(doc)
    return docs, problems
