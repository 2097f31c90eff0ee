"""Stage 4: routes become bytes through Jinja2 templates; template errors name file and line."""

from __future__ import annotations

import contextlib
import datetime as dt
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .feeds import FEED_FILES, FEED_LABELS, MEDIA_TYPES, FeedEntry, FeedInfo, absolutize, render_feed
from .kinds import Field, fields_of
from .model import Document, Output, Route, Site, Stream, Term
from .taxonomies import BY_NAME, TERM_INDEXES, lookup
from .theme import Theme
from .urls import absolute, web_url, with_base
from .weeknotes import neighbours_of, stream_of

FEED_ENTRIES_KEPT = 400  # about 40 kB each, with the entry as each format writes it (FeedEntry.items)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed as a page links to it: in its head (autodiscovery) and in its subscribe links."""

    type: str  # media type
    href: str  # site-relative URL
    label: str  # RSS, Atom, JSON Feed
    title: str


@dataclass(frozen=True, slots=True)
class SiteView:
    """What every template may read about the whole site (STYLE §8.5: a small, declared view)."""

    site: Site
    config: SiteConfig
    feed_pages: Mapping[str, str]  # page URL -> feed title, for every page that has feeds
    # Memos: a view is made once per build (or per worker) and read by every template.
    _terms_of: dict[tuple[str, str], list[Term]] = field(default_factory=dict, compare=False, repr=False)
    _by_key: dict[str, dict[str, Term]] = field(default_factory=dict, compare=False, repr=False)
    _feed_entries: dict[str, FeedEntry] = field(default_factory=dict, compare=False, repr=False)
    _once: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False, repr=False)
    _feed_links: dict[tuple[str | None, bool], tuple[FeedLink, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _terms: dict[str, tuple[Term, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def description(self) -> str:
        return self.config.description

    @property
    def language(self) -> str:
        return self.config.language

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def sections(self) -> list[Any]:
        return [s for s in self.site.sections.values() if s.docs]

    @property
    def pages(self) -> list[Document]:
        return [self.site.docs[i] for i in self.site.pages]

    @property
    def term_indexes(self) -> dict[str, str]:
        return {t: title for t, title in TERM_INDEXES.items() if self.site.taxonomies.get(t)}

    def doc(self, doc_id: str) -> Document:
        return self.site.docs[doc_id]

    def docs(self, ids: Iterable[str]) -> list[Document]:
        return [self.site.docs[i] for i in ids]

    def terms(self, taxonomy: str) -> tuple[Term, ...]:
        found = self._terms.get(taxonomy)
        if found is None:  # every page's footer asks, for each taxonomy's first term
            found = self._terms[taxonomy] = tuple(self.site.taxonomies.get(taxonomy, {}).values())
        return found

    def term(self, taxonomy: str, slug: str) -> Term | None:
        return self.site.taxonomies.get(taxonomy, {}).get(slug)

    def terms_of(self, doc: Document, taxonomy: str) -> list[Term]:
        """The terms a document belongs to, in its own order (tags, authors, team, challenges, tools)."""
        found = self._terms_of.get((doc.id, taxonomy))
        if found is not None:  # asked for by every page, list and feed that shows the document
            return found
        values = BY_NAME[taxonomy].values(doc) if taxonomy in BY_NAME else ()
        by_key = self._by_key.get(taxonomy)
        if by_key is None:
            by_key = self._by_key[taxonomy] = {
                t.key: t for t in self.site.taxonomies.get(taxonomy, {}).values()
            }
        found = lookup(values, by_key)
        self._terms_of[(doc.id, taxonomy)] = found
        return found

    def feed_entry(self, doc: Document) -> FeedEntry:
        """A post as every feed shows it, kept for the posts used last: a post is in many feeds and
        formats, and the feeds that share it mostly come close together. Memory stays bounded."""
        entry = self._feed_entries.pop(doc.id, None)
        if entry is None:
            url = absolute(self.config.base_url, doc.url)
            entry = FeedEntry(
                doc,
                url,
                _feed_authors(doc, self),
                tuple(self.terms_of(doc, "tags")),
                absolutize(doc.html, url),
            )
        self._feed_entries[doc.id] = entry  # last: the dictionary is in order of last use
        if len(self._feed_entries) > FEED_ENTRIES_KEPT:
            del self._feed_entries[next(iter(self._feed_entries))]
        return entry

    def feeds_for(self, route: Route, own_only: bool = False) -> tuple[FeedLink, ...]:
        """The site's feeds, then those of the section or term the page belongs to (autodiscovery)."""
        ctx = route.context
        own = None
        if "term" in ctx and (term := self.term(ctx["taxonomy"], ctx["term"])) is not None:
            own = term.url
        elif route.template == "roundup.html":
            own = route.url
        elif "section" in ctx:
            own = self.site.sections[ctx["section"]].url
        elif "doc" in ctx and self.site.docs[ctx["doc"]].section:
            own = f"/{self.site.docs[ctx['doc']].section}/"
        found = self._feed_links.get((own, own_only))
        if found is None:  # every page asks, twice, and most pages of a section ask the same
            pages = ([] if own_only else ["/"]) + ([own] if own and own != "/" else [])
            found = self._feed_links[(own, own_only)] = tuple(
                FeedLink(
                    type=MEDIA_TYPES[fmt],
                    href=page + name,
                    label=FEED_LABELS[fmt],
                    title=f"{self.feed_pages[page]} ({FEED_LABELS[fmt]})",
                )
                for page in pages
                if page in self.feed_pages
                for fmt, name in FEED_FILES.items()
            )
        return found

    def neighbours(self, doc: Document) -> tuple[Document | None, Document | None]:
        """(older, newer): in the weeknote's team stream, else in the section."""
        older, newer = neighbours_of(self.site, doc)
        return (self.site.docs[older] if older else None, self.site.docs[newer] if newer else None)

    def stream(self, doc: Document) -> Stream | None:
        return stream_of(self.site, doc)

    def team_stream(self, slug: str) -> Stream | None:
        return self.site.streams.get(("teams", slug))

    def related(self, doc: Document) -> list[Document]:
        return [self.site.docs[i] for i in self.site.related.get(doc.id, ())]

    def once(self, *key: Any, caller: Any) -> str:
        """``{% call site.once("name", doc.id) %}…{% endcall %}`` renders its body once per view (a
        build, or a worker's share of one) and reuses it. The key must name everything the body
        depends on, besides ``site`` and the theme."""
        found = self._once.get(key)
        if found is None:
            found = self._once[key] = caller()
        return found

    def fields_of(self, kind: str) -> list[Field]:
        """A kind's front matter fields, for pages that document them (how to contribute)."""
        return list(fields_of(kind))


def make_environment(theme: Theme, config: SiteConfig) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=theme.loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a changed theme gets a new environment: no stat per template per page
        bytecode_cache=_Compiled(),
    )
    base_path = config.base_path
    env.filters["url"] = lambda u: with_base(base_path, str(u))
    env.filters["absolute"] = lambda u: absolute(config.base_url, str(u))
    env.filters["date"] = _format_date
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["html"] = Markup  # content HTML: sanitised by the Markdown renderer (SPEC §3)
    env.filters["web_url"] = lambda u: web_url(str(u or "")) or ""  # links out: http(s) or nothing
    return env


def make_view(site: Site, config: SiteConfig, routes: Iterable[Route]) -> SiteView:
    """The site view every template gets; it knows which pages have feeds, from all routes."""
    feed_pages = {r.context["page"]: r.context["title"] for r in routes if r.template.startswith("feed:")}
    return SiteView(site, config, feed_pages)


def render_routes(
    routes: Iterable[Route], view: SiteView, env: jinja2.Environment
) -> tuple[list[Output], list[Diagnostic]]:
    config = view.config
    outputs: list[Output] = []
    problems: list[Diagnostic] = []
    seen: set[tuple[str, int | None, str]] = set()  # one message per template fault, not per page
    _bind(env, view)
    for route in routes:
        if route.template.startswith("feed:"):
            outputs.append(Output(route.path, _feed(route, view)))
            continue
        try:
            template = env.get_template(route.template)
            html = template.render(route=route, **_context(route, view))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(
                _template_problem(
                    "template/syntax",
                    exc.filename or exc.name,
                    exc.lineno,
                    exc.message or str(exc),
                    theme_root=config.root,
                )
            )
            break  # every route would fail the same way
        except jinja2.TemplateNotFound as exc:
            filename, line = _template_frame(exc)  # the template with the include, not the route's
            problems.append(
                _template_problem(
                    "template/missing",
                    filename or route.template,
                    line,
                    f"template {exc.name!r} not found",
                    theme_root=config.root,
                    hint="add it to your theme's templates/ folder, or remove the reference",
                )
            )
            continue
        except UnicodeDecodeError as exc:
            problems.append(
                _template_problem(
                    "template/encoding",
                    _undecodable(env) or route.template,
                    None,
                    f"the template is not UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                    theme_root=config.root,
                    hint="re-save the template as UTF-8 in your editor",
                )
            )
            break  # every route would fail the same way
        except Exception as exc:  # a runtime error raised inside a template
            filename, line = _template_frame(exc)
            if (key := (filename or route.template, line, str(exc))) in seen:
                continue
            seen.add(key)
            problems.append(
                _template_problem(
                    "template/runtime",
                    filename or route.template,
                    line,
                    f"{type(exc).__name__}: {exc} (rendering {route.url})",
                    theme_root=config.root,
                )
            )
            continue
        outputs.append(Output(route.path, html.encode("utf-8")))
    return outputs, problems


def _bind(env: jinja2.Environment, view: SiteView) -> None:
    """Make ``site`` a global, so templates import macros without context and Jinja makes the
    macros module once, not once per page. ``serve`` renders each edit with a new view and the same
    environment: modules made for the previous view would still read it, so they are dropped with
    the loaded templates (which load again from the compiled code in ``_Compiled``)."""
    if env.globals.get("site") is view:
        return
    env.globals["site"] = view
    if env.cache is not None:
        env.cache.clear()


class _Compiled(jinja2.BytecodeCache):
    """Compiled templates in memory, by source checksum: templates load again in a millisecond."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def _context(route: Route, view: SiteView) -> dict[str, Any]:
    ctx: dict[str, Any] = dict(route.context)
    if "doc" in ctx:
        ctx["doc"] = view.doc(ctx["doc"])
    if "section" in ctx:
        ctx["section"] = view.site.sections[ctx["section"]]
    if "term" in ctx:
        ctx["term"] = view.term(ctx["taxonomy"], ctx["term"])
    if "pager" in ctx:
        ctx["items"] = view.docs(ctx["pager"].docs)
    return ctx


def _feed(route: Route, view: SiteView) -> bytes:
    config = view.config
    ctx = route.context
    info = FeedInfo(
        ctx["title"],
        ctx["description"] or config.description,
        absolute(config.base_url, ctx["page"]),
        absolute(config.base_url, route.url),
    )
    entries = [view.feed_entry(doc) for doc in view.docs(route.inputs)]
    return render_feed(route.template.removeprefix("feed:"), info, entries, config)


def _feed_authors(doc: Document, view: SiteView) -> tuple[tuple[str, str], ...]:
    """A contribution's author is its contributor; other posts name theirs (profile URL if any).
    Feeds write a URL only where a page would link it: http(s), through ``urls.web_url``."""
    if doc.kind == "contribution" and "contributor" in doc.fields:
        people = [(doc.fields["contributor"].name, doc.fields["contributor"].url)]
    else:
        people = [(a.name, a.profile.get("url", "")) for a in view.terms_of(doc, "authors")]
    return tuple((name, web_url(url) or "") for name, url in people)


def _format_date(value: dt.datetime | None, fmt: str = "%-d %B %Y") -> str:
    """``strftime`` with ``%-d`` and ``%-m`` (no leading zero) done here: Windows' C library has
    no such flags, and editors build on Windows."""
    if not value:
        return ""
    return value.strftime(fmt.replace("%-d", str(value.day)).replace("%-m", str(value.month)))


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".j2", ".txt")):
            return frame.filename, frame.lineno
    return None, None


def _template_problem(
    code: str,
    filename: str | None,
    line: int | None,
    message: str,
    theme_root: Path,
    hint: str = "fix the template at that line",
) -> Diagnostic:
    name = filename or "template"
    with contextlib.suppress(ValueError, OSError):
        name = Path(name).resolve().relative_to(theme_root.resolve()).as_posix()
    return error(code, name, message, line, hint=hint)


def _undecodable(env: jinja2.Environment) -> str | None:
    """The file of the first template that is not UTF-8 (Jinja's error does not name it)."""
    for loader in getattr(env.loader, "loaders", [env.loader]):
        for folder in getattr(loader, "searchpath", []):
            for path in sorted(Path(folder).rglob("*")):
                try:
                    path.read_text(encoding="utf-8") if path.is_file() else None
                except UnicodeDecodeError:
                    return str(path)
    return None
