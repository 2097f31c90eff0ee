"""``site-builder build``: the whole pipeline, then one summary line."""

from __future__ import annotations

from pathlib import Path

from ..config import load_config, placeholder_problem
from ..diagnostics import Diagnostic, Diagnostics
from ..discover import output_problem
from ..model import BuildOptions
from ..pipeline import build
from ..report import Reporter, plural, unique
from ..theme import load_theme


def run(root: Path, opts: BuildOptions, reporter: Reporter) -> int:
    config = load_config(root, opts.base_url)
    theme = load_theme(config)
    out = opts.out or root / "output"
    # Before anything is read or written: an --out inside static/ would be read back into the site.
    if problem := output_problem(out, root, (*theme.template_dirs, *theme.static_dirs)):
        return _failed(reporter, [problem])
    placeholder = placeholder_problem(config) if opts.base_url is None else None
    if placeholder and opts.strict:
        return _failed(reporter, [placeholder])
    result = build(config, opts, progress=reporter.progress)
    diags = Diagnostics(unique([*([placeholder] if placeholder else []), *result.diagnostics.sorted()]))
    if not result.written:
        return _failed(reporter, diags.items)
    reporter.diagnostics(diags)
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


def _failed(reporter: Reporter, problems: list[Diagnostic]) -> int:
    """Print the problems and why nothing was written; the exit code of a failed build."""
    reporter.diagnostics(problems)
    errors = Diagnostics(problems).errors
    why = plural(len(errors), "error") if errors else "warnings are errors under --strict"
    reporter.line(f"Build failed ({why}); the previous output was left as it was.")
    return 1
