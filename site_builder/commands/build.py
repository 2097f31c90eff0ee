"""``site-builder build``: the whole pipeline, then one summary line (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

from ..config import load_config
from ..diagnostics import Diagnostics
from ..discover import output_problem
from ..model import BuildOptions
from ..pipeline import run as run_pipeline
from ..report import Reporter, plural, unique
from ..theme import load_theme


def run(root: Path, opts: BuildOptions, reporter: Reporter) -> int:
    config = load_config(root, opts.base_url)
    theme = load_theme(config)
    out = opts.out or root / "output"
    # Before anything is read or written: an --out inside static/ would be read back into the site.
    if problem := output_problem(out, root, (*theme.template_dirs, *theme.static_dirs)):
        reporter.diagnostics([problem])
        reporter.line("Build failed (1 error); the previous output was left as it was.")
        return 1
    result = run_pipeline(config, opts, progress=reporter.progress)
    diags = Diagnostics(unique(result.diagnostics.sorted()))
    reporter.diagnostics(diags)
    if not result.written:
        why = "warnings are errors under --strict" if not diags.errors else plural(len(diags.errors), "error")
        reporter.line(f"Build failed ({why}); the previous output was left as it was.")
        return 1
    stats = result.stats
    changed = stats.rendered_pages + stats.rendered_feeds
    if changed == stats.pages + stats.feeds:
        redone = ""
    elif changed:
        redone = (
            f" (rendered {plural(stats.rendered_pages, 'page')} and {plural(stats.rendered_feeds, 'feed')})"
        )
    else:
        redone = " (nothing changed)"
    parts = [
        f"Built {plural(stats.pages, 'page')}",
        f"{plural(stats.feeds, 'feed')}",
        f"{plural(stats.statics, 'static file')} in {stats.seconds:.2f} s{redone}",
        plural(len(diags.warnings), "warning"),
    ]
    left = result.left_out
    if left and (left.drafts or left.future):
        parts.append(
            f"left out {plural(left.drafts, 'draft')} (--drafts) and "
            f"{plural(left.future, 'future post')} (--future)"
        )
    reporter.line(", ".join(parts) + ".")
    return 0
