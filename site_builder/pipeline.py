"""The one place that runs the stages in order: discover, parse, collect, plan, render, write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import stat
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from pathlib import Path

from . import incremental
from .cache import (
    ParseCache,
    ParseEntry,
    RouteKeys,
    build_fingerprint,
    doc_terms,
    global_key,
    static_key,
    template_keys,
    view_digests,
)
from .collect import collect
from .config import SiteConfig
from .diagnostics import Diagnostic, Diagnostics, Severity
from .discover import discover
from .fence import shown_path
from .links import check_site_links
from .model import (
    BuildOptions,
    BuildStats,
    Document,
    Inventory,
    LeftOut,
    Output,
    Route,
    Site,
    SourceFile,
    StaticFile,
)
from .render import SiteView, make_environment, make_view
from .routes import plan_routes
from .rules import content_rules, is_future
from .search import BUNDLE as SEARCH_FOLDER
from .search import index_site
from .theme import Theme, load_theme
from .workers import job_count, parse_many, render_many
from .write import Staging, check_out_folder, read_manifest, read_marker, update_marker

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class BuildState:
    """What a long-lived caller (``serve``) keeps between builds: parsed documents, in memory."""

    cache: ParseCache = field(default_factory=ParseCache)
    outputs: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (key, bytes)
    last: incremental.LastBuild | None = None  # for the fast path of the next edit


@dataclass(slots=True)
class BuildResult:
    diagnostics: Diagnostics
    site: Site | None = None
    routes: list[Route] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)  # filled only with until="render"
    stats: BuildStats = field(default_factory=BuildStats)
    written: bool = False
    left_out: LeftOut = field(default_factory=LeftOut)  # drafts and future posts, for the summary


def run(
    config: SiteConfig,
    opts: BuildOptions,
    *,
    until: str = "write",
    progress: Progress | None = None,
    state: BuildState | None = None,
    reuse_from: Path | None = None,
    changed: frozenset[Path] | None = None,
) -> BuildResult:
    """Build the site; nothing is swapped in when any stage reported an error (or a warning, strict).

    ``until="collect"`` stops after planning (``check``); ``until="render"`` renders every route into
    ``result.outputs`` and writes nothing. ``reuse_from`` is an earlier output whose unchanged files
    are linked, not rendered (default: the output folder itself); ``state`` keeps parsed documents.
    ``changed`` (with a state) names the only files that changed since the state's last build, so
    unchanged work can be skipped; None means "anything may have changed".
    """
    started = time.perf_counter()
    diagnostics = Diagnostics()
    result = BuildResult(diagnostics)
    if until == "render" and state is not None and state.last is not None and changed is not None:
        fast = incremental.rebuild(state.last, config, opts, changed, state.outputs)
        if fast is not None:
            return _fast_result(fast, result, started)
    out = (opts.out or config.root / "output").absolute()
    if until == "write" and (problem := check_out_folder(out)):
        diagnostics.add(problem)
        return result
    jobs = job_count(opts.jobs)
    theme = load_theme(config)
    diagnostics.extend(theme.problems)
    inventory, found = discover(config.root, theme.static_dirs, trusted=config.trusted)
    diagnostics.extend(found)
    # One clock for the whole build: what counts as future, the day in the fingerprint, streaks.
    now = (opts.now or dt.datetime.now(dt.UTC)).astimezone(config.tz)
    asked, opts = opts, dataclasses.replace(opts, now=now)  # serve's fast path compares what was asked
    about: dict[str, object] = {}  # what the output's marker records of this build
    if until == "write":
        about["fingerprint"] = build_fingerprint(
            config,
            opts,
            (s.path for s in inventory.sources),
            (s.path for s in inventory.statics),
            theme.template_dirs,
            now.date().isoformat(),
        )
        fresh = reuse_from in (None, out) and not diagnostics.has_errors(opts.strict)
        if fresh and _unchanged(out, str(about["fingerprint"]), now, opts, result):
            result.stats = dataclasses.replace(result.stats, seconds=time.perf_counter() - started)
            return result
    cache = state.cache if state is not None else ParseCache.load(config.root)
    diagnostics.extend(cache.notes)  # a cache file that was ignored, or no cache at all
    parsed = _parse(inventory.sources, config, cache, jobs, diagnostics, progress)
    saved = cache.save_aside()  # now, not at the end: done, and its memory free, before rendering
    try:
        due = [d.date for d in parsed if d.date is not None and not d.draft and is_future(d, now)]
        site, problems = collect(parsed, inventory.sections, config, opts)
        diagnostics.extend(problems)
        diagnostics.extend(content_rules(parsed, now, opts.drafts, opts.future))
        result.site, result.left_out = site, site.left_out
        about |= {"next_due": min(due).isoformat() if due else None, "left_out": list(astuple(site.left_out))}
        statics = {s.rel: shown_path(s.path, config.root) for s in inventory.statics}
        result.routes, problems = plan_routes(site, config, statics)
        diagnostics.extend(problems)
        diagnostics.extend(check_site_links(site.docs, [*(r.path for r in result.routes), *statics]))
        if until == "collect":
            return result
        view = make_view(site, config, result.routes)
        plan = _plan(result.routes, view, theme, opts, inventory.statics)
    finally:
        saved()
    if until == "render":
        _render_in_memory(plan, view, theme, jobs, state, result)
        if state is not None:
            state.last = (
                _last_build(config, asked, inventory, view, plan, theme, result) if result.outputs else None
            )
    else:
        about["counts"] = plan.counts()
        _write(plan, out, reuse_from or out, view, theme, jobs, opts, result, progress, about)
    result.stats = BuildStats(**plan.counts(), seconds=time.perf_counter() - started)
    return result


def _fast_result(fast: incremental.FastResult, result: BuildResult, started: float) -> BuildResult:
    result.diagnostics.extend(fast.diagnostics)
    result.site, result.outputs = fast.site, fast.outputs
    feeds = sum(1 for r in fast.rendered if r.template.startswith("feed:"))
    result.stats = BuildStats(
        rendered_pages=len(fast.rendered) - feeds, rendered_feeds=feeds, seconds=time.perf_counter() - started
    )
    return result


def _last_build(
    config: SiteConfig,
    opts: BuildOptions,
    inventory: Inventory,
    view: SiteView,
    plan: OutputPlan,
    theme: Theme,
    result: BuildResult,
) -> incremental.LastBuild | None:
    """What serve's next edit may start from; nothing when this build failed."""
    if result.diagnostics.has_errors(opts.strict) or plan.route_key is None:
        return None
    extra = [o for o in result.outputs if o.source is not None or o.path in (".nojekyll", "CNAME")]
    return incremental.LastBuild(
        config,
        opts,
        inventory,
        view,
        plan.routes,
        plan.route_key,
        plan.terms,
        make_environment(theme, config),
        list(result.diagnostics),
        extra,
    )


@dataclass(slots=True)
class OutputPlan:
    """Every output path with the key it is made with; ``todo`` is what must be rendered."""

    routes: list[Route]
    keys: dict[str, str]
    statics: tuple[StaticFile, ...]
    todo: list[Route] = field(default_factory=list)
    route_key: RouteKeys | None = None  # kept by serve's fast path, with the digests it used
    terms: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        feeds = sum(1 for r in self.routes if r.template.startswith("feed:"))
        rendered_feeds = sum(1 for r in self.todo if r.template.startswith("feed:"))
        return {
            "pages": len(self.routes) - feeds,
            "feeds": feeds,
            "statics": len(self.statics),
            "rendered_pages": len(self.todo) - rendered_feeds,
            "rendered_feeds": rendered_feeds,
        }


def _plan(
    routes: list[Route], view: SiteView, theme: Theme, opts: BuildOptions, statics: tuple[StaticFile, ...]
) -> OutputPlan:
    shared = global_key(view.config, opts, view.site)
    templates = template_keys(theme, {r.template for r in routes})
    terms = doc_terms(view.site)
    day = opts.now.date().isoformat() if opts.now else ""
    route_key = RouteKeys(shared, templates, view_digests(view.site, terms), day)
    keys = {r.path: route_key(r) for r in routes}
    keys |= {s.rel: static_key(s.path) for s in statics}
    keys |= {o.path: "pages:" + (o.data or b"").decode() for o in _pages_files(view.config)}
    return OutputPlan(routes, keys, statics, route_key=route_key, terms=terms)


def _render_in_memory(
    plan: OutputPlan, view: SiteView, theme: Theme, jobs: int, state: BuildState | None, result: BuildResult
) -> None:
    """Every output as bytes (``serve`` and tests); with a state, unchanged pages are reused from it."""
    known = state.outputs if state is not None else {}
    reused = [
        Output(r.path, known[r.path][1])
        for r in plan.routes
        if known.get(r.path, ("",))[0] == plan.keys[r.path]
    ]
    plan.todo = [r for r in plan.routes if known.get(r.path, ("",))[0] != plan.keys[r.path]]
    rendered: list[Output] = []
    for outputs, problems in render_many(plan.todo, view, theme, jobs):
        rendered += outputs
        result.diagnostics.extend(problems)
    if state is not None and not result.diagnostics.has_errors():
        state.outputs = {o.path: (plan.keys[o.path], o.data or b"") for o in reused + rendered}
    statics = [Output(s.rel, source=s.path) for s in plan.statics]
    result.outputs = sorted(reused + rendered, key=lambda o: o.path) + statics + _pages_files(view.config)


def _unchanged(
    out: Path, fingerprint: str, now: dt.datetime, opts: BuildOptions, result: BuildResult
) -> bool:
    """The output is what this build would write: same inputs by stat, same settings, same day, no
    scheduled post due since, every file still there. Its warnings are reported again."""
    marker = read_marker(out)
    if marker.get("fingerprint") != fingerprint:
        return False
    try:  # what the marker says is checked as it is read: the output folder is not trusted
        due = marker.get("next_due")
        if due and now >= dt.datetime.fromisoformat(due):
            return False
        warnings = _replayed(marker.get("warnings"))
        if warnings is None or not _complete(out, marker.get("files", {})):
            return False
        if opts.strict and any(w.severity is Severity.WARNING for w in warnings):
            return False
        left_out = LeftOut(*(int(n) for n in marker.get("left_out", [0, 0])))
        counts = {**marker.get("counts", {}), "rendered_pages": 0, "rendered_feeds": 0}
        stats = BuildStats(**{k: int(v) for k, v in counts.items()})
    except (TypeError, ValueError):
        return False
    result.diagnostics.extend(warnings)
    result.left_out, result.stats, result.written = left_out, stats, True
    return True


def _write(
    plan: OutputPlan,
    out: Path,
    previous: Path,
    view: SiteView,
    theme: Theme,
    jobs: int,
    opts: BuildOptions,
    result: BuildResult,
    progress: Progress | None,
    about: dict[str, object],
) -> None:
    """Link what is unchanged from ``previous``, render the rest, swap in whole. A build that would
    change nothing writes nothing but the marker's record of it (SPEC §8: unchanged output files
    are not rewritten), so the next build can tell at once."""
    manifest = read_manifest(previous)
    plan.todo = [
        r
        for r in plan.routes
        if manifest.get(r.path) != plan.keys[r.path] or not _reusable(previous / r.path)
    ]
    diagnostics = result.diagnostics
    if diagnostics.has_errors(opts.strict):
        return
    search = "search:" + route_key_of_pages(plan)
    built = {p: k for p, k in manifest.items() if not k.startswith("search:")}
    searchable = search in manifest.values() or not opts.search
    if not plan.todo and previous == out and built == plan.keys and searchable and _complete(out, plan.keys):
        update_marker(out, about | _warnings(diagnostics))
        result.written = True
        return
    staging = Staging(out)
    try:
        todo = {r.path for r in plan.todo}
        for path, key in plan.keys.items():
            if path not in todo and manifest.get(path) == key and _reusable(previous / path):
                staging.link(path, previous / path, key)
        for static in plan.statics:
            if static.rel not in staging.manifest:
                staging.copy(static.rel, static.path, plan.keys[static.rel])
        for output in _pages_files(view.config):
            if output.path not in staging.manifest:
                staging.write(output.path, output.data or b"", plan.keys[output.path])
        done = 0
        for outputs, problems in render_many(plan.todo, view, theme, jobs, into=staging.folder):
            diagnostics.extend(problems)
            for output in outputs:
                staging.record(output.path, plan.keys[output.path])
            done += len(outputs)
            if progress:
                progress("render", done, len(plan.todo))
        if not diagnostics.has_errors(opts.strict):
            diagnostics.extend(_search_index(staging, plan, manifest, previous, opts.search))
        if diagnostics.has_errors(opts.strict):
            staging.abort()
            return
        staging.commit(about | _warnings(diagnostics))
        result.written = True
    except BaseException:
        staging.abort()
        raise


def _search_index(
    staging: Staging, plan: OutputPlan, manifest: dict[str, str], previous: Path, fresh: bool
) -> list[Diagnostic]:
    """Pagefind's index of the staged pages; linked from the previous output when no page changed,
    or when ``fresh`` is False (a stale index is fine while previewing; indexing takes seconds)."""
    key = "search:" + route_key_of_pages(plan)  # computed before the index adds its own files
    old = {p: k for p, k in manifest.items() if p.startswith(SEARCH_FOLDER + "/") and k.startswith("search:")}
    reusable = old and (not fresh or set(old.values()) == {key})
    if reusable and all(_reusable(previous / p) for p in old):
        for path, old_key in old.items():
            staging.link(path, previous / path, old_key)
        plan.keys |= old
        return []
    if not fresh:
        return []
    problems = index_site(staging.path)
    for file in sorted((staging.path / SEARCH_FOLDER).rglob("*")):
        if file.is_file():
            rel = file.relative_to(staging.path).as_posix()
            staging.manifest[rel] = key
            plan.keys[rel] = key
    return problems


def route_key_of_pages(plan: OutputPlan) -> str:
    """What the search index depends on: every HTML page's key."""
    pages = sorted((p, k) for p, k in plan.keys.items() if p.endswith(".html"))
    return hashlib.blake2b(repr(pages).encode(), digest_size=16).hexdigest()


def _replayed(stored: object) -> list[Diagnostic] | None:
    """The warnings and notes a marker recorded, or None when it holds anything else: the output
    folder is not trusted (SECURITY.md), so a forged marker only costs a full build."""
    if not isinstance(stored, list):
        return None
    found = []
    for item in stored:
        if not isinstance(item, dict) or set(item) != {"severity", "code", "path", "message", "line", "hint"}:
            return None
        text = [item[k] for k in ("code", "path", "message", "hint")]
        line = item["line"]
        if item["severity"] not in ("warning", "note") or not all(isinstance(t, str) for t in text):
            return None
        if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
            return None
        code, path, message, hint = text
        found.append(Diagnostic(Severity(item["severity"]), code, path, message, line, hint))
    return found


def _warnings(diagnostics: Diagnostics) -> dict[str, object]:
    """The build's warnings and notes, for the marker: a no-change build reports them again."""
    return {"warnings": [dataclasses.asdict(d) for d in (*diagnostics.warnings, *diagnostics.notes)]}


def _complete(out: Path, keys: dict[str, str]) -> bool:
    """Every planned file is still there (someone may have deleted one by hand)."""
    return all(_reusable(out / path) for path in keys)


def _reusable(path: Path) -> bool:
    """A file of an earlier output that may be linked into the next: a regular file, never a
    symbolic link someone planted there (it would publish its target; SECURITY.md). One lstat:
    a no-change build asks this of every output file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _parse(
    sources: tuple[SourceFile, ...],
    config: SiteConfig,
    cache: ParseCache,
    jobs: int,
    diagnostics: Diagnostics,
    progress: Progress | None,
) -> list[Document]:
    """Documents from the cache where the bytes are unchanged; the rest parsed (in a pool if many)."""
    entries: dict[str, ParseEntry] = {}
    misses: list[SourceFile] = []
    settings = config.parse_fingerprint()
    # With nothing in the cache every file is parsed, and its key is made where it is parsed.
    cold = not cache.entries
    for src in sources:
        if cold:
            misses.append(src)
            continue
        key = cache.key_for(settings, src.id, src.path)
        hit = cache.get(key) if key else None
        if hit is None:
            misses.append(src)
        else:
            entries[src.id] = hit
    parsed = parse_many(misses, config, jobs, settings)
    for n, (doc_id, doc, problems, key, signature) in enumerate(parsed, start=1):
        entries[doc_id] = (doc, tuple(problems))
        if key and signature:
            cache.put(key, entries[doc_id])
            cache.remember(signature, key)
        if progress:
            progress("parse", n, len(misses))
    docs = []
    for src in sources:  # in source order, whatever order the pool finished in
        doc, found = entries[src.id]
        diagnostics.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs


def _pages_files(config: SiteConfig) -> list[Output]:
    """GitHub Pages: no Jekyll processing, and the custom domain when there is one (SPEC §5)."""
    files = [Output(".nojekyll", b"")]
    if config.domain:
        files.append(Output("CNAME", config.domain.encode() + b"\n"))
    return files
