"""Two keys decide what a build may skip (STYLE §8.5): a parse key per source file, a route key per output.

- Parse key: tool version, the settings parsing reads, the file's path and bytes.
- Route key: the global key (config, options, site-wide navigation), the template and everything it
  extends or includes, the route's own context, and a digest of each document it declares as input.
  A template sees only what its route declares, so an unchanged key means unchanged bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .config import SiteConfig
from .diagnostics import Diagnostic
from .model import BuildOptions, Document, Route, Site
from .theme import Theme
from .write import MARKER

CACHE_DIR = ".site-builder/cache"
ParseEntry = tuple[Document | None, tuple[Diagnostic, ...]]


def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def parse_key(config: SiteConfig, doc_id: str, data: bytes) -> str:
    return _hash(__version__, config.parse_fingerprint(), doc_id, data)


class ParseCache:
    """Parsed documents by parse key: one pickle under ``.site-builder/cache/`` between builds."""

    def __init__(self, entries: dict[str, ParseEntry] | None = None, path: Path | None = None) -> None:
        self.entries: dict[str, ParseEntry] = entries if entries is not None else {}
        self.path = path
        self.used: set[str] = set()
        self.changed = False

    @classmethod
    def load(cls, root: Path) -> ParseCache:
        path = root / CACHE_DIR / "parse.pickle"
        try:
            with path.open("rb") as f:
                entries = pickle.load(f)
            if not isinstance(entries, dict):
                entries = {}
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            entries = {}  # a missing or stale cache only costs time
        return cls(entries, path)

    def get(self, key: str) -> ParseEntry | None:
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key: str, entry: ParseEntry) -> None:
        self.used.add(key)
        self.entries[key] = entry
        self.changed = True

    def save(self) -> None:
        """Keep only what this build used, so the cache never grows past the site."""
        stale = self.entries.keys() - self.used
        for key in stale:
            del self.entries[key]
        if self.path is None or not (stale or self.changed):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(self.entries, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self.path)
        self.changed = False
        gitignore = self.path.parent.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n")


def global_key(config: SiteConfig, opts: BuildOptions, site: Site) -> str:
    """What every page shows or depends on: the config, the options, the navigation."""
    settings = dataclasses.replace(config, root=Path("."))
    nav = [(s.name, s.title, s.url, bool(s.docs)) for s in site.sections.values()]
    pages = [(site.docs[i].url, site.docs[i].title) for i in site.pages]
    indexes = [t for t, terms in site.taxonomies.items() if terms]
    return _hash(__version__, settings, opts.drafts, opts.future, nav, pages, indexes, site.home_intro_html)


_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(?:(["'])(.*?)\1|(\S+))""")


def template_keys(theme: Theme, names: Iterable[str]) -> dict[str, str]:
    """Each template's key covers its source and every template it extends, includes or imports.

    References are found with a regular expression (parsing every template costs more than the
    build it saves); a reference that is not a string literal means any template may be used.
    """
    loader = theme.loader()
    env = jinja2.Environment(loader=loader)
    sources: dict[str, str] = {}

    def closure(name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        try:
            source = loader.get_source(env, name)[0]
        except jinja2.TemplateNotFound:
            source = "<missing>"  # rendering reports it
        sources[name] = source
        for match in _REFERENCE.finditer(source):
            if match.group(2) is not None:
                closure(match.group(2), seen)
            else:
                for other in env.list_templates():
                    closure(other, seen)

    keys = {}
    for name in set(names):
        if name.startswith("feed:"):
            keys[name] = _hash(__version__, name)
            continue
        seen: set[str] = set()
        closure(name, seen)
        keys[name] = _hash(*sorted((n, sources[n]) for n in seen))
    return keys


def view_digests(site: Site, terms_of: Any) -> dict[str, str]:
    """A document as pages show it: its source, its resolved HTML, and its terms' names and URLs."""
    digests = {}
    for doc_id, doc in site.docs.items():
        terms = [(t.name, t.url) for taxonomy in site.taxonomies for t in terms_of(doc, taxonomy)]
        digests[doc_id] = _hash(doc.digest, doc.url, _html_digest(doc), terms)
    return digests


def _html_digest(doc: Document) -> str:
    # Link markers resolve to other documents' URLs; the resolved text is what pages show.
    return hashlib.blake2b(doc.html.encode(), digest_size=8).hexdigest() if doc.links else ""


def route_key(route: Route, global_key: str, template_key: str, digests: Mapping[str, str]) -> str:
    return _hash(global_key, template_key, route.url, route.context, [digests[i] for i in route.inputs])


def static_key(path: Path) -> str:
    stat = path.stat()
    return _hash("static", str(path), stat.st_size, stat.st_mtime_ns)


def read_manifest(folder: Path | None) -> dict[str, str]:
    """Output path -> key, from the marker file of an earlier build (empty when there is none)."""
    if folder is None:
        return {}
    try:
        data = json.loads((folder / MARKER).read_text())
        files = data.get("files", {})
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}
