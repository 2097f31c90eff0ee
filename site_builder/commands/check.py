"""``site-builder check``: validate a site without writing it (SPEC §6), for editors and pull requests.

It runs the pipeline up to planning with drafts and future posts included, so every file is
checked, then adds the checks a build does not need: images without alt text, posts dated in the
future, drafts and files that would be skipped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..collect import is_future
from ..config import ConfigError, load_config
from ..diagnostics import Diagnostic, Diagnostics, warning
from ..discover import MARKDOWN_SUFFIXES, is_ignored
from ..model import BuildOptions, Site
from ..pipeline import run as run_pipeline
from ..report import Reporter, format_github, format_json, format_text, plural


def run(root: Path, fmt: str, reporter: Reporter, now: dt.datetime | None = None) -> int:
    try:
        config = load_config(root)
    except ConfigError as exc:  # in the format asked for: a pull request's site.toml is checked too
        _print(Diagnostics(list(exc.diagnostics)), fmt, reporter)
        return 1
    result = run_pipeline(config, BuildOptions(drafts=True, future=True, now=now), until="collect")
    diagnostics = result.diagnostics
    if result.site is not None:
        moment = (now or dt.datetime.now(dt.UTC)).astimezone(config.tz)
        diagnostics.extend(_content_checks(result.site, moment))
    diagnostics.extend(_skipped(root))
    _print(diagnostics, fmt, reporter)
    return 1 if diagnostics.errors else 0


def _content_checks(site: Site, now: dt.datetime) -> list[Diagnostic]:
    found = []
    for doc in site.docs.values():
        path = f"content/{doc.id}"
        for image in doc.images:
            if not image.alt.strip():
                found.append(
                    warning(
                        "image/alt",
                        path,
                        f"the image {image.src} has no alt text",
                        image.line,
                        hint="describe the image in the brackets: ![what it shows](...)",
                    )
                )
        if doc.image and not doc.image_alt.strip():
            found.append(
                warning(
                    "image/alt",
                    path,
                    "'image' has no 'image_alt'",
                    hint="add image_alt: with what the image shows",
                )
            )
        if doc.draft:
            found.append(
                warning(
                    "content/draft",
                    path,
                    "this is a draft: the site leaves it out",
                    hint="remove 'draft: true' to publish it",
                )
            )
        elif is_future(doc, now) and doc.date is not None:
            found.append(
                warning(
                    "content/future",
                    path,
                    f"dated {doc.date.date().isoformat()}, in the future: it appears on that day",
                    hint="check the date; the daily build publishes it when the day comes",
                )
            )
    return found


def _skipped(root: Path) -> list[Diagnostic]:
    """Markdown files the build ignores because of their names (``_draft.md``, ``.notes.md``)."""
    content = root / "content"
    found = []
    for path in sorted(content.rglob("*")) if content.is_dir() else ():
        rel = path.relative_to(content)
        if path.suffix in MARKDOWN_SUFFIXES and any(is_ignored(part) for part in rel.parts):
            found.append(
                warning(
                    "content/skipped",
                    f"content/{rel.as_posix()}",
                    "this file is skipped: names starting with '_' or '.' are not published",
                    hint="rename it if it should be a post",
                )
            )
    return found


def _print(diagnostics: Diagnostics, fmt: str, reporter: Reporter) -> None:
    items = diagnostics.sorted()
    if fmt == "json":
        reporter.line(format_json(items))
        return
    for d in items:
        reporter.line(format_github(d) if fmt == "github" else format_text(d))
    if fmt == "text":
        errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
        reporter.line(f"Checked: {plural(errors, 'error')}, {plural(warnings, 'warning')}.")
