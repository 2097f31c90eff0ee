"""Render: routes become bytes through Jinja2 templates, and feeds through feeds.py (ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from .config import SiteConfig
from .diagnostics import Diagnostic
from .feeds import FeedEntry, FeedInfo, feed_entry, render_feed
from .macro_memo import remember_libraries
from .model import Document, Output
from .pages import DocumentPage, FeedFile, RoundupPage, Route, SectionPage, TermPage
from .template_errors import template_problem
from .theme import Theme
from .urls import absolute, web_url, with_base
from .view import SiteView

FEED_ENTRIES_KEPT = 1000  # about 40 kB each: the entry in its three formats


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
    env.filters["html"] = Markup  # content HTML: the Markdown renderer escaped or sanitised it
    env.filters["web_url"] = lambda u: web_url(str(u or "")) or ""  # links out: http(s) or nothing
    return env


class Renderer:
    """Routes to bytes for one view of the site. Feed entries are kept here, private to rendering
    and keyed by the document they show: a post is in many feeds, and the feeds that share it are
    rendered close together. At most ``FEED_ENTRIES_KEPT`` are held, the ones used last."""

    def __init__(self, view: SiteView, env: jinja2.Environment) -> None:
        self.view, self.env = view, env
        self._entries: dict[str, FeedEntry] = {}
        _bind(env, view)
        remember_libraries(env)  # a list item once per post, however many lists show it

    def render(self, routes: Iterable[Route]) -> tuple[list[Output], list[Diagnostic]]:
        outputs: list[Output] = []
        problems: list[Diagnostic] = []
        seen: set[tuple[str, int | None, str]] = set()  # one message per template fault, not per page
        for route in routes:
            if isinstance(route.context, FeedFile):
                outputs.append(Output(route.path, self._feed(route, route.context)))
                continue
            try:
                html = self.env.get_template(route.template).render(route=route, **self._context(route))
            except Exception as exc:  # a template that does not parse, load or run: its file and line
                problem, stop = template_problem(exc, route, self.env, self.view.config.root)
                if (key := (problem.path, problem.line, str(exc))) not in seen:
                    seen.add(key)
                    problems.append(problem)
                if stop:
                    break  # every route would fail the same way
                continue
            outputs.append(Output(route.path, html.encode("utf-8")))
        return outputs, problems

    def _context(self, route: Route) -> dict[str, Any]:
        """The route's values, with ids swapped for what they name."""
        view, ctx = self.view, route.variables()
        if isinstance(route.context, DocumentPage):
            ctx["doc"] = view.doc(route.context.doc)
        if isinstance(route.context, (SectionPage, RoundupPage)):
            ctx["section"] = view.site.sections[route.context.section]
        if isinstance(route.context, TermPage):
            ctx["term"] = view.term(route.context.taxonomy, route.context.term)
        if isinstance(route.context, (SectionPage, TermPage)):
            ctx["items"] = view.docs(route.context.pager.docs)
        return ctx

    def _feed(self, route: Route, feed: FeedFile) -> bytes:
        config = self.view.config
        info = FeedInfo(
            feed.title,
            feed.description or config.description,
            absolute(config.base_url, feed.page),
            absolute(config.base_url, route.url),
        )
        entries = [self._entry(doc) for doc in self.view.docs(route.inputs)]
        return render_feed(feed.format, info, entries, config)

    def _entry(self, doc: Document) -> FeedEntry:
        entry = self._entries.pop(doc.id, None)
        if entry is None:
            view = self.view
            url = absolute(view.config.base_url, doc.url)
            tags = tuple(view.terms_of(doc, "tags"))
            entry = feed_entry(doc, url, _feed_authors(doc, view), tags, view.config)
        self._entries[doc.id] = entry  # last: the dictionary is in order of last use
        if len(self._entries) > FEED_ENTRIES_KEPT:
            del self._entries[next(iter(self._entries))]
        return entry


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
