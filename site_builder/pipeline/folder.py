"""Publishing into the output folder: link what is unchanged from the last output, render the
rest straight into a staging folder, swap it in whole (write.py's rules, SECURITY.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Diagnostics, Severity
from ..marker import read_manifest, read_marker, update_marker
from ..model import BuildOptions, BuildStats, LeftOut
from ..pages import Route
from ..search import BUNDLE as SEARCH_FOLDER
from ..search import index_site
from ..view import SiteView
from ..write import Staging
from .outputs import OutputPlan
from .result import BuildResult, Found, Progress
from .workers import render_many


def unchanged(out: Path, fingerprint: str, now: dt.datetime, opts: BuildOptions) -> BuildResult | None:
    """The result of a build that would write what ``out`` holds: same inputs by stat, same
    settings, same day, no scheduled post due since, every file still there; its warnings again.
    None otherwise. What the marker says is checked as it is read: the output folder is not trusted."""
    marker = read_marker(out)
    if marker.get("fingerprint") != fingerprint:
        return None
    try:
        due = marker.get("next_due")
        if due and now >= dt.datetime.fromisoformat(due):
            return None
        warnings = _replayed(marker.get("warnings"))
        if warnings is None or not _complete(out, marker.get("files", {})):
            return None
        if opts.strict and any(w.severity is Severity.WARNING for w in warnings):
            return None
        left_out = LeftOut(*(int(n) for n in marker.get("left_out", [0, 0])))
        stats = BuildStats(**{k: int(v) for k, v in marker.get("counts", {}).items()})
    except (TypeError, ValueError):
        return None
    return BuildResult(Diagnostics(warnings), stats=stats, written=True, left_out=left_out)


@dataclass(frozen=True, slots=True)
class Published:
    written: bool  # the output folder is this build's
    rendered: tuple[Route, ...]
    problems: tuple[Diagnostic, ...]  # found while rendering and indexing


def publish(
    plan: OutputPlan,
    out: Path,
    view: SiteView,
    found: Found,
    jobs: int,
    so_far: tuple[Diagnostic, ...],
    progress: Progress | None,
    about: dict[str, object],
) -> Published:
    """Render what changed into a staging folder and swap it in, unless a problem (``so_far`` or
    new) stops the build. A build that would change nothing writes nothing but the marker's
    record of it: unchanged files are never rewritten."""
    strict, manifest = found.opts.strict, read_manifest(out)
    todo = tuple(
        r for r in plan.routes if manifest.get(r.path) != plan.keys[r.path] or not _reusable(out / r.path)
    )
    diagnostics = Diagnostics(list(so_far))
    if diagnostics.has_errors(strict):
        return Published(False, todo, ())
    if _nothing_to_do(plan, out, manifest, todo, found.opts.search):
        update_marker(out, about | _warnings(diagnostics))
        return Published(True, todo, ())
    staging = Staging(out)
    try:
        _link_and_copy(staging, plan, manifest, {r.path for r in todo}, out)
        done = 0
        for outputs, problems in render_many(todo, view, found.theme, jobs, into=staging.folder):
            diagnostics.extend(problems)
            for output in outputs:
                staging.record(output.path, plan.keys[output.path])
            done += len(outputs)
            if progress:
                progress("render", done, len(todo))
        if not diagnostics.has_errors(strict):
            diagnostics.extend(_search_index(staging, plan, manifest, out, found.opts.search))
        written = not diagnostics.has_errors(strict)
        if written:
            staging.commit(about | _warnings(diagnostics))
        else:
            staging.abort()
        return Published(written, todo, tuple(diagnostics)[len(so_far) :])
    except BaseException:
        staging.abort()
        raise


def _nothing_to_do(
    plan: OutputPlan, out: Path, manifest: Mapping[str, str], todo: tuple[Route, ...], search: bool
) -> bool:
    """Every page's key is the one the output has, its search index is current, no file is missing."""
    built = {p: k for p, k in manifest.items() if not k.startswith("search:")}
    searchable = plan.search_key() in manifest.values() or not search
    return not todo and built == plan.keys and searchable and _complete(out, plan.keys)


def _link_and_copy(
    staging: Staging, plan: OutputPlan, manifest: Mapping[str, str], todo: set[str], previous: Path
) -> None:
    """Link every unchanged file of the previous output; copy static files; write the Pages files."""
    for path, key in plan.keys.items():
        if path not in todo and manifest.get(path) == key and _reusable(previous / path):
            staging.link(path, previous / path, key)
    for static in plan.statics:
        if static.rel not in staging.manifest:
            staging.copy(static.rel, static.path, plan.keys[static.rel])
    for output in plan.pages_files:
        if output.path not in staging.manifest:
            staging.write(output.path, output.data or b"", plan.keys[output.path])


def _search_index(
    staging: Staging, plan: OutputPlan, manifest: Mapping[str, str], previous: Path, fresh: bool
) -> list[Diagnostic]:
    """Pagefind's index of the staged pages; linked from the previous output when no page changed,
    or when ``fresh`` is False (a stale index is fine while previewing; indexing takes seconds)."""
    key = plan.search_key()  # made before the index adds its own files
    old = {p: k for p, k in manifest.items() if p.startswith(SEARCH_FOLDER + "/") and k.startswith("search:")}
    reusable = old and (not fresh or set(old.values()) == {key})
    if reusable and all(_reusable(previous / p) for p in old):
        for path, old_key in old.items():
            staging.link(path, previous / path, old_key)
        return []
    if not fresh:
        return []
    problems = index_site(staging.path)
    for file in sorted((staging.path / SEARCH_FOLDER).rglob("*")):
        if file.is_file():
            staging.record(file.relative_to(staging.path).as_posix(), key)
    return problems


def _replayed(stored: object) -> list[Diagnostic] | None:
    """The warnings and notes a marker recorded, or None when it holds anything else: a forged
    marker only costs a full build (SECURITY.md)."""
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


def _complete(out: Path, keys: Mapping[str, str]) -> bool:
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
