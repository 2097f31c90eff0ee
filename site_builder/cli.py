"""Command line: argparse to options, then a command; the one place that sets the exit code.

Exit codes (SPEC §6): 0 success, 1 content or config errors, 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import ConfigError
from .model import BuildOptions
from .report import Reporter


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="site-builder", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="build the site into output/")
    build.add_argument("path", nargs="?", default=".", type=Path, help="the site folder (default: here)")
    build.add_argument("--out", type=Path, help="output folder (default: PATH/output)")
    build.add_argument("--drafts", action="store_true", help="include drafts")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    build.add_argument("--base-url", help="override base_url from site.toml for this build")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--jobs", type=int, default=0, help="processes to use (default: every core)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    reporter = Reporter()
    try:
        return _dispatch(args, reporter)
    except ConfigError as exc:
        reporter.diagnostics(exc.diagnostics)
        return 1
    except KeyboardInterrupt:
        reporter.line("Interrupted.")
        return 130
    except Exception:  # a bug: loud, with the traceback (STYLE §8.4)
        reporter.stop_progress()
        traceback.print_exc()
        sys.stderr.write("This is a bug in site-builder, please report it with the traceback above.\n")
        return 1


def _dispatch(args: argparse.Namespace, reporter: Reporter) -> int:
    root = args.path.resolve()
    if args.command == "build":
        from .commands import build

        opts = BuildOptions(
            drafts=args.drafts,
            future=args.future,
            strict=args.strict,
            base_url=args.base_url,
            out=args.out.absolute() if args.out else None,
            jobs=args.jobs or (os.cpu_count() or 1),
        )
        return build.run(root, opts, reporter)
    raise AssertionError(args.command)
