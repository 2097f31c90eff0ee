"""The keys that decide which outputs a build renders again, and the hash every key is made with.

A route key covers the global key (config, options, site-wide navigation), the template and
everything it extends or includes, the route's own context, and a digest of each document it
declares as input. A template sees only what its route declares, so an unchanged key means
unchanged bytes. The build fingerprint lets a build with nothing changed stop after discovery.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import __version__
from ..config import SiteConfig
from ..model import BuildOptions, Document, Site
from ..pages import DocumentPage, FeedFile, Route
from ..theme import Theme


def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


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
    # Templates that use a file of the site's own theme. What the built-in theme reads of the site
    # is known (tests/e2e/test_incremental.py proves it); a site theme may reach any value in any
    # way Jinja allows, so its pages are keyed by the whole site (README, "Speed").
    opaque: frozenset[str] = frozenset()


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
    builtin = Path(os.path.realpath(theme.builtin))
    theirs: set[str] = set()  # names whose source is a site theme's file

    def closure(name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        try:
            source, filename, _ = loader.get_source(env, name)
            if filename is None or not Path(os.path.realpath(filename)).is_relative_to(builtin):
                theirs.add(name)
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

    keys, full, opaque = {}, set(), set()
    for name in set(names):
        seen: set[str] = set()
        closure(name, seen)
        keys[name] = _hash(*sorted((n, sources[n]) for n in seen))
        if any(_BODY.search(_QUOTED.sub("", sources[n])) for n in seen):
            full.add(name)
        if seen & theirs:
            opaque.add(name)
    return TemplateKeys(keys, frozenset(full), frozenset(opaque))


def doc_terms(site: Site) -> dict[str, list[tuple[str, str, str]]]:
    """Each document's terms as pages show them: (taxonomy, name, URL), from ``Site.doc_terms``."""
    terms: dict[str, list[tuple[str, str, str]]] = {}
    for doc_id in site.docs:
        own = site.doc_terms.get(doc_id, {})
        found = (site.taxonomies[taxonomy][slug] for taxonomy, slugs in own.items() for slug in slugs)
        terms[doc_id] = [(term.taxonomy, term.name, term.url) for term in found]
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
    digests of its inputs, any other the list digests; shared inputs tuples are hashed once. A
    template of the site's own theme (``TemplateKeys.opaque``) gets a digest of the whole site and
    the day: it is rendered again whenever anything it might read has changed."""

    def __init__(
        self,
        global_key: str,
        templates: TemplateKeys,
        digests: tuple[dict[str, str], dict[str, str]],
        day: str = "",
    ):
        self.global_key, self.templates, self.day = global_key, templates, day
        self.listed, self.full = digests
        self._inputs: dict[tuple[int, bool], tuple[tuple[str, ...], str]] = {}
        self._site: str | None = None

    def site_digest(self) -> str:
        """Every document in full, its terms (in ``listed``), and the day (streaks change with it)."""
        if self._site is None:
            self._site = _hash(sorted(self.full.items()), sorted(self.listed.items()), self.day)
        return self._site

    def __call__(self, route: Route) -> str:
        if isinstance(route.context, FeedFile):  # no template: feeds are written by feeds.py
            template, body = _hash(__version__, "feed", route.context.format), True
        else:
            template, body = self.templates.keys[route.template], route.template in self.templates.full
        if route.template in self.templates.opaque:
            return _hash(self.global_key, template, route.url, route.context, self.site_digest())
        if body and isinstance(route.context, DocumentPage):  # its own body, its neighbours' titles
            own = route.context.doc
            inputs = _hash([self.full[i] if i == own else self.listed[i] for i in route.inputs])
            return _hash(self.global_key, template, route.url, route.context, inputs)
        held = self._inputs.get((id(route.inputs), body))
        if held is None or held[0] is not route.inputs:
            digests = self.full if body else self.listed
            held = (route.inputs, _hash([digests[i] for i in route.inputs]))
            self._inputs[(id(route.inputs), body)] = held
        return _hash(self.global_key, template, route.url, route.context, held[1])


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
