"""Two keys decide what a build may skip (STYLE §8.5): a parse key per source file, a route key per output.

- Parse key: tool version, the settings parsing reads, the file's path and bytes.
- Route key: the global key (config, options, site-wide navigation), the template and everything it
  extends or includes, the route's own context, and a digest of each document it declares as input.
  A template sees only what its route declares, so an unchanged key means unchanged bytes.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import pickle
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import __version__
from .config import SiteConfig
from .diagnostics import Diagnostic
from .model import BuildOptions, Document, Route, Site
from .theme import Theme

CACHE_DIR = ".site-builder/cache"
ParseEntry = tuple[Document | None, tuple[Diagnostic, ...]]


def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def parse_key(settings: str, doc_id: str, data: bytes) -> str:
    """Tool version, the parse settings (``config.parse_fingerprint()``), the file's path and bytes."""
    return _hash(__version__, settings, doc_id, data)


Signature = tuple[str, int, int, str]  # (path, size, mtime_ns, parse settings): a stat, no read


def signature_of(doc_id: str, stat: os.stat_result, settings: str) -> Signature:
    return (doc_id, stat.st_size, stat.st_mtime_ns, settings)


class ParseCache:
    """Parsed documents by parse key: one pickle under ``.site-builder/cache/`` between builds.

    ``keys`` remembers each file's parse key by its stat signature, so an unchanged file is not
    even read (git's index does the same); any change to size or mtime means reading and hashing.
    """

    def __init__(
        self,
        entries: dict[str, ParseEntry] | None = None,
        path: Path | None = None,
        keys: dict[Signature, str] | None = None,
    ) -> None:
        self.entries: dict[str, ParseEntry] = entries if entries is not None else {}
        self.keys: dict[Signature, str] = keys if keys is not None else {}
        self.path = path
        self.used: set[str] = set()
        self.signatures: set[Signature] = set()
        self.changed = False

    @classmethod
    def load(cls, root: Path) -> ParseCache:
        path = root / CACHE_DIR / "parse.pickle"
        try:
            with path.open("rb") as f:
                data = pickle.load(f)
            entries, keys = data["entries"], data["keys"]
            if not isinstance(entries, dict) or not isinstance(keys, dict):
                entries, keys = {}, {}
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, KeyError):
            entries, keys = {}, {}  # a missing or stale cache only costs time
        return cls(entries, path, keys)

    def key_for(self, settings: str, doc_id: str, path: Path) -> str:
        """The file's parse key, from its stat signature when that is unchanged; "" if unreadable.

        ``settings`` is ``config.parse_fingerprint()``, computed once per build by the caller.
        """
        try:
            signature = signature_of(doc_id, path.stat(), settings)
            key = self.keys.get(signature)
            if key is None:
                key = self.keys[signature] = parse_key(settings, doc_id, path.read_bytes())
                self.changed = True
            self.signatures.add(signature)
            return key
        except OSError:
            return ""  # parse_file reports it

    def remember(self, signature: Signature, key: str) -> None:
        """The key a parse worker made from the bytes it read, under the stat it took first."""
        self.keys[signature] = key
        self.signatures.add(signature)
        self.changed = True

    def get(self, key: str) -> ParseEntry | None:
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key: str, entry: ParseEntry) -> None:
        self.used.add(key)
        self.entries[key] = entry
        self.changed = True

    def save_aside(self) -> Callable[[], None]:
        """Keep only what this build used, so the cache never grows past the site, and write it in
        a forked child while this process goes on; returns what waits for the child.

        Between parsing and rendering this process works alone and the other cores are idle:
        pickling 10,000 documents takes one of them 0.3 s there. A child that fails leaves the old
        file (it is replaced whole), and the wait saves here instead, so a real error still shows.
        """
        if not self._prune():
            return lambda: None
        if not hasattr(os, "fork"):
            self._write()
            return lambda: None
        gc.freeze()  # the child's collector would otherwise touch, and so copy, every page
        try:
            pid = os.fork()
        finally:
            gc.unfreeze()
        if pid == 0:  # the child: it never returns from here
            code = 1
            try:
                gc.disable()
                self._write()
                code = 0
            finally:
                os._exit(code)
        self.changed = False

        def wait() -> None:
            _, status = os.waitpid(pid, 0)
            if status != 0:
                self._write()

        return wait

    def _prune(self) -> bool:
        """Drop what this build did not use; True if the file must be written."""
        stale = self.entries.keys() - self.used
        for key in stale:
            del self.entries[key]
        old = self.keys.keys() - self.signatures
        for signature in old:
            del self.keys[signature]
        self.used, self.signatures = set(), set()
        self.changed = self.changed or bool(stale or old)
        return self.path is not None and self.changed

    def _write(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump({"entries": self.entries, "keys": self.keys}, f, protocol=pickle.HIGHEST_PROTOCOL)
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


@dataclass(frozen=True, slots=True)
class TemplateKeys:
    keys: Mapping[str, str]  # template name -> key of its source and everything it uses
    full: frozenset[str]  # templates that show a post's body (feeds always do)


_QUOTED = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
_BODY = re.compile(r"[\w)\]]\.html\b")  # doc.html, item.html; template names are in quotes


def template_keys(theme: Theme, names: Iterable[str]) -> TemplateKeys:
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
        except UnicodeDecodeError:
            source = "<not utf-8>"  # rendering reports it
        sources[name] = source
        for match in _REFERENCE.finditer(source):
            if match.group(2) is not None:
                closure(match.group(2), seen)
            else:
                for other in env.list_templates():
                    closure(other, seen)

    keys, full = {}, set()
    for name in set(names):
        if name.startswith("feed:"):
            keys[name] = _hash(__version__, name)
            full.add(name)
            continue
        seen: set[str] = set()
        closure(name, seen)
        keys[name] = _hash(*sorted((n, sources[n]) for n in seen))
        if any(_BODY.search(_QUOTED.sub("", sources[n])) for n in seen):
            full.add(name)
    return TemplateKeys(keys, frozenset(full))


def doc_terms(site: Site) -> dict[str, list[tuple[str, str, str]]]:
    """Each document's terms as pages show them: (taxonomy, name, URL)."""
    terms: dict[str, list[tuple[str, str, str]]] = {doc_id: [] for doc_id in site.docs}
    for taxonomy, found in site.taxonomies.items():
        for term in found.values():
            for doc_id in term.docs:
                terms[doc_id].append((taxonomy, term.name, term.url))
    return terms


def digest_pair(d: Document, terms: list[tuple[str, str, str]]) -> tuple[str, str]:
    """A document as lists show it (everything but the body), and in full.

    A list page, the home page or a term page re-renders only when what it shows of a post
    changed; a post's own page and the feeds (full content) also when its body changed.
    """
    listed = _hash(
        d.title,
        d.url,
        d.date,
        d.updated,
        d.draft,
        d.summary,
        d.summary_html,
        d.toc,
        d.word_count,
        d.tags,
        d.authors,
        d.team,
        d.fields,
        d.params,
        d.aliases,
        d.image,
        d.image_alt,
        terms,
    )
    return listed, _hash(listed, d.digest, _html_digest(d))


def view_digests(
    site: Site, terms: Mapping[str, list[tuple[str, str, str]]]
) -> tuple[dict[str, str], dict[str, str]]:
    """The list and full digests of every document (see ``digest_pair``)."""
    pairs = {doc_id: digest_pair(doc, terms[doc_id]) for doc_id, doc in site.docs.items()}
    return {i: p[0] for i, p in pairs.items()}, {i: p[1] for i, p in pairs.items()}


def _html_digest(doc: Document) -> str:
    # Link markers resolve to other documents' URLs; the resolved text is what pages show.
    return hashlib.blake2b(doc.html.encode(), digest_size=8).hexdigest() if doc.links else ""


class RouteKeys:
    """Route keys for one build: a template that shows posts' bodies (``.html``) gets the full
    digests of its inputs, any other the list digests; shared inputs tuples are hashed once."""

    def __init__(
        self, global_key: str, templates: TemplateKeys, digests: tuple[dict[str, str], dict[str, str]]
    ):
        self.global_key, self.templates = global_key, templates
        self.listed, self.full = digests
        self._inputs: dict[tuple[int, bool], tuple[tuple[str, ...], str]] = {}

    def __call__(self, route: Route) -> str:
        body = route.template in self.templates.full
        if body and "doc" in route.context:  # a post's page shows its own body, its neighbours' titles
            own = route.context["doc"]
            inputs = _hash([self.full[i] if i == own else self.listed[i] for i in route.inputs])
            return _hash(
                self.global_key, self.templates.keys[route.template], route.url, route.context, inputs
            )
        held = self._inputs.get((id(route.inputs), body))
        if held is None or held[0] is not route.inputs:
            digests = self.full if body else self.listed
            held = (route.inputs, _hash([digests[i] for i in route.inputs]))
            self._inputs[(id(route.inputs), body)] = held
        return _hash(self.global_key, self.templates.keys[route.template], route.url, route.context, held[1])


def static_key(path: Path) -> str:
    stat = path.stat()
    return _hash("static", str(path), stat.st_size, stat.st_mtime_ns)


def build_fingerprint(
    config: SiteConfig,
    opts: BuildOptions,
    sources: Iterable[Path],
    statics: Iterable[Path],
    template_dirs: Iterable[Path],
    today: str,
) -> str:
    """Everything a build reads, by stat, plus the settings and the day (streaks, scheduled posts).

    Equal to the one in the output's marker means the build would write the same files: a
    no-change build then stops after discovery, before reading a single post.
    """

    def stats(paths: Iterable[Path]) -> list[tuple[str, int, int]]:
        found = []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                return [("unreadable", 0, 0)]  # never matches: the full build reports it
            found.append((str(path), st.st_size, st.st_mtime_ns))
        return found

    templates = [p for d in template_dirs for p in sorted(d.rglob("*")) if p.is_file()]
    settings = dataclasses.replace(config, root=Path("."))
    chosen = (opts.drafts, opts.future, opts.strict, opts.base_url, opts.search)
    return _hash(__version__, settings, chosen, today, stats(sources), stats(statics), stats(templates))
