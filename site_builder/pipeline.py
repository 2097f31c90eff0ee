"""The one place that runs the stages in order: discover, parse, collect, plan, render, write."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .collect import collect
from .config import SiteConfig
from .diagnostics import Diagnostics
from .discover import discover
from .model import BuildOptions, BuildStats, Output, Route, Site
from .parse import Renderers, parse_file
from .render import make_environment, render_routes
from .routes import plan_routes
from .theme import load_theme
from .write import check_out_folder, write_output

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class BuildState:
    """What a long-lived caller (``serve``) keeps between builds so the next one does less."""

    parsed: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class BuildResult:
    diagnostics: Diagnostics
    site: Site | None = None
    routes: list[Route] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    stats: BuildStats = field(default_factory=BuildStats)
    written: bool = False


def run(
    config: SiteConfig,
    opts: BuildOptions,
    *,
    until: str = "write",
    progress: Progress | None = None,
    state: BuildState | None = None,
    reuse_from: Path | None = None,
) -> BuildResult:
    """Build the site; stops before writing when any stage reported an error (or a warning, strict).

    ``reuse_from`` is an earlier output whose unchanged files are linked, not rendered again
    (default: the output folder itself); ``state`` keeps parsed documents between calls.
    """
    started = time.perf_counter()
    diagnostics = Diagnostics()
    result = BuildResult(diagnostics)
    out = opts.out or config.root / "output"
    if until == "write" and (problem := check_out_folder(out)):
        diagnostics.add(problem)
        return result
    theme = load_theme(config)
    inventory, found = discover(config.root, theme.static_dirs)
    diagnostics.extend(found)
    renderers = Renderers.create()
    parsed = []
    for n, src in enumerate(inventory.sources, start=1):
        doc, problems = parse_file(src, config, renderers)
        diagnostics.extend(problems)
        if doc is not None:
            parsed.append(doc)
        if progress:
            progress("parse", n, len(inventory.sources))
    site, problems = collect(parsed, inventory.sections, config, opts)
    diagnostics.extend(problems)
    result.site = site
    result.routes, problems = plan_routes(site, config)
    diagnostics.extend(problems)
    if until == "collect":
        return result
    outputs, problems = render_routes(result.routes, site, config, make_environment(theme, config))
    diagnostics.extend(problems)
    statics = [Output(s.rel, source=s.path) for s in inventory.statics]
    result.outputs = outputs + statics + _pages_files(config)
    feeds = sum(1 for r in result.routes if r.template.startswith("feed:"))
    counts = {
        "pages": len(outputs) - feeds,
        "feeds": feeds,
        "statics": len(statics),
        "rendered_pages": len(outputs) - feeds,
        "rendered_feeds": feeds,
    }
    result.stats = BuildStats(**counts, seconds=time.perf_counter() - started)
    if until == "render" or diagnostics.has_errors(opts.strict):
        return result
    write_output(result.outputs, out)
    result.written = True
    result.stats = BuildStats(**counts, seconds=time.perf_counter() - started)
    return result


def _pages_files(config: SiteConfig) -> list[Output]:
    """GitHub Pages: no Jekyll processing, and the custom domain when there is one (SPEC §5)."""
    files = [Output(".nojekyll", b"")]
    if config.domain:
        files.append(Output("CNAME", config.domain.encode() + b"\n"))
    return files
