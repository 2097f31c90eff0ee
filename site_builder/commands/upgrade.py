"""``site-builder upgrade [PATH] [--tool-source SPEC]``: pin the site's GitHub Pages workflow to this
version (or to SPEC) and move its daily run to just after midnight in site.toml's time zone.

Only the ``SITE_BUILDER:`` line and the ``cron:`` lines change (README, "Upgrading"); the rest of the
workflow is the team's, so their edits stay.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..config import load_config
from ..diagnostics import Diagnostic, error
from ..report import Reporter
from ..workflow import WORKFLOW, Rewrite, pinned, rewrite


def run(root: Path, tool_source: str | None, reporter: Reporter) -> int:
    config = load_config(root)  # a ConfigError is reported by the CLI
    path = root / WORKFLOW
    source = tool_source or pinned()
    raw = _read(path)
    if isinstance(raw, Diagnostic):
        reporter.diagnostics([raw])
        return 1
    crlf = "\r\n" in raw
    done = rewrite(raw.replace("\r\n", "\n"), source, config.timezone, dt.date.today().year)
    if not isinstance(done, Rewrite):
        reporter.diagnostics([done])
        return 1
    if done.text == raw.replace("\r\n", "\n"):
        reporter.line(
            f"{WORKFLOW} already installs {source} and runs daily at cron {', '.join(done.new_crons)}: "
            "nothing to change."
        )
        return 0
    if (failed := _write(path, done.text, crlf)) is not None:
        reporter.diagnostics([failed])
        return 1
    _tell_changes(reporter, done, source, config.timezone)
    return 0


def _read(path: Path) -> str | Diagnostic:
    """The workflow's text with its line endings as they are, or why it cannot be upgraded."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return error(
            "upgrade/no-workflow",
            WORKFLOW,
            "this site has no GitHub Pages workflow to upgrade",
            hint="sites published with `site-builder deploy` need none; to publish with GitHub "
            f"Actions, copy {WORKFLOW} from a new site (`site-builder init --github-pages NEW`)",
        )
    except (OSError, UnicodeDecodeError) as exc:
        return error(
            "upgrade/read", WORKFLOW, f"could not read the workflow: {exc}", hint="fix the file, then retry"
        )


def _write(path: Path, text: str, crlf: bool) -> Diagnostic | None:
    """Write ``text`` back with the line endings the file had (a Windows checkout keeps CRLF)."""
    try:
        with path.open("w", encoding="utf-8", newline="\r\n" if crlf else "\n") as f:
            f.write(text)
    except OSError as exc:
        return error(
            "upgrade/write",
            WORKFLOW,
            f"could not write the workflow: {exc.strerror or exc}",
            hint="check the file's permissions, then run upgrade again",
        )
    return None


def _tell_changes(reporter: Reporter, done: Rewrite, source: str, timezone: str) -> None:
    reporter.line(f"Updated {WORKFLOW}:")
    if done.old_source != source:
        reporter.line(f"  installs {source} (was {done.old_source})")
    if done.old_crons != done.new_crons:
        reporter.line(
            f"  runs daily at cron {', '.join(done.new_crons)} UTC, just after midnight in {timezone} "
            f"(was {', '.join(done.old_crons)})"
        )
    reporter.line(f'Commit and push it: git commit -m "Upgrade site-builder" {WORKFLOW} && git push')
