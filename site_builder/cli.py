"""Command line: argparse to options, then a command; the one place that sets the exit code.

Exit codes (README, "Commands"): 0 success, 1 content or config errors, 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .config import KIND_NAMES, ConfigError
from .diagnostics import OutputError
from .model import BuildOptions
from .report import Reporter
from .workflow import timezone_problem, tool_source_problem


def _jobs(text: str) -> int:
    """``--jobs``: a whole number, 0 meaning every core; anything else is a usage error (exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (every core) or more, not {value}")
    return value


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """An argparse type from a ``*_problem`` function: its answer becomes a usage error (exit 2)."""

    def check(text: str) -> str:
        if found := problem(text):
            raise argparse.ArgumentTypeError(found)
        return text

    return check


_TOOL_SOURCE = (
    "what the workflow installs: NAME==VERSION, a git URL at a tag, or a wheel URL (default: this version)"
)


_ABOUT = """\
Turn weeknotes, case studies and community contributions written in Markdown into a public
site with RSS, Atom and JSON feeds, preview it while you write, and publish it to GitHub Pages.

Start with:  site-builder init my-site --github-pages    (a new site, in its own git repository)
Write with:  site-builder new weeknote                   (this week's note, ready to edit)
Preview:     site-builder serve                          (reloads the browser as you save)"""
_MORE = """\
Run 'site-builder COMMAND --help' for a command's options. The README in the project's repository
explains writing content, publishing on GitHub Pages and every error code; SECURITY.md says what
is trusted. Exit codes: 0 done, 1 problems in the content or site.toml (each names the file and
line), 2 a wrong command line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description=_ABOUT,
        epilog=_MORE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _build_arguments(commands.add_parser("build", help="build the site into output/"))
    _serve_arguments(
        commands.add_parser("serve", help="build, serve, rebuild on change and reload the browser")
    )
    _new_arguments(commands.add_parser("new", help="write a new post with today's date and the right fields"))
    _check_arguments(commands.add_parser("check", help="validate the content without writing the site"))
    _init_arguments(commands.add_parser("init", help="create a new site in its own git repository"))
    upgrade = commands.add_parser("upgrade", help="pin the GitHub Pages workflow to this version")
    _site_path(upgrade)
    upgrade.add_argument("--tool-source", type=_checked(tool_source_problem), help=_TOOL_SOURCE)
    _deploy_arguments(commands.add_parser("deploy", help="build and commit the output to a gh-pages branch"))
    _import_arguments(
        commands.add_parser("import", help="copy a Jekyll or Hugo site's posts and settings into a new site")
    )
    return parser


# Each subcommand's arguments, in the order ``--help`` lists them; argparse fills the parser it is given.


def _site_path(command: argparse.ArgumentParser) -> None:
    command.add_argument("path", nargs="?", default=".", type=Path, help="the site folder (default: here)")


def _build_arguments(build: argparse.ArgumentParser) -> None:
    _site_path(build)
    build.add_argument("--out", type=Path, help="output folder (default: PATH/output)")
    build.add_argument("--drafts", action="store_true", help="include drafts")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    build.add_argument("--base-url", help="override base_url from site.toml for this build")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--jobs", type=_jobs, default=0, help="processes to use (default: every core)")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index (faster)")


def _serve_arguments(serve: argparse.ArgumentParser) -> None:
    _site_path(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000, or the next free one)")
    serve.add_argument("--drafts", action="store_true", help="include drafts")
    serve.add_argument("--future", action="store_true", help="include posts dated in the future")


def _new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("kind", choices=KIND_NAMES, help="what to write")
    new.add_argument(
        "title", nargs="?", help="its title, which names the file (a weeknote's default: its ISO week)"
    )
    new.add_argument(
        "--author", help="the author (default: the only profile in site.toml, or git's user.name)"
    )
    new.add_argument("--team", help="the team slug, for weeknotes")
    new.add_argument("--path", default=".", type=Path, help="the site folder (default: here)")


def _check_arguments(check: argparse.ArgumentParser) -> None:
    _site_path(check)
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="github prints workflow annotations for pull requests",
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    check.add_argument("--drafts", action="store_true", help="check drafts as if they were published")
    check.add_argument("--future", action="store_true", help="check future posts as if they were due")


def _init_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument("dir", type=Path, help="the folder to create")
    init.add_argument("--github-pages", action="store_true", help="add a GitHub Pages workflow")
    init.add_argument("--timezone", default="UTC", type=_checked(timezone_problem), help="default: UTC")
    init.add_argument("--tool-source", type=_checked(tool_source_problem), help=_TOOL_SOURCE)


def _deploy_arguments(deploy: argparse.ArgumentParser) -> None:
    _site_path(deploy)
    deploy.add_argument("--remote", help="push the branch to this remote after committing")
    deploy.add_argument("--branch", default="gh-pages", help="the branch to commit to (default: gh-pages)")
    deploy.add_argument("--base-url", help="override base_url from site.toml for this build")


def _import_arguments(imports: argparse.ArgumentParser) -> None:
    imports.add_argument("kind", choices=("jekyll", "hugo"), help="what the old site is built with")
    imports.add_argument("src", type=Path, help="the old site's folder")
    imports.add_argument(
        "path", nargs="?", default=".", type=Path, help="the new site folder (default: here)"
    )
    imports.add_argument("--section", help="the content folder for the posts (default: posts)")


def run() -> NoReturn:
    """The ``site-builder`` command: ``main``, then exit. A console or pipe
    that cannot show a character (Windows writes its code page to pipes) gets an escape, never a
    traceback in place of the message."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not a normal exit yet: after serve's Ctrl-C a thread of the search index (Pagefind's client)
    # can outlive serve's stop, and a normal exit would wait for it for ever (CI hung on it).
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help and --version exit 0
        return exc.code if isinstance(exc.code, int) else 2
    reporter = Reporter()
    try:
        return _dispatch(args, reporter)
    except ConfigError as exc:
        reporter.diagnostics(exc.diagnostics)
        return 1
    except OutputError as exc:  # disk full, no permission: the staging folder is already gone
        reporter.diagnostics([exc.diagnostic])
        reporter.line(
            "Build failed (the output could not be written); the previous output was left as it was."
        )
        return 1
    except KeyboardInterrupt:
        reporter.line("Interrupted.")
        return 130
    except Exception:  # a bug, not bad content: loud, with the traceback
        reporter.stop_progress()
        traceback.print_exc()
        sys.stderr.write("This is a bug in site-builder, please report it with the traceback above.\n")
        return 1


def _dispatch(args: argparse.Namespace, reporter: Reporter) -> int:
    if args.command == "init":
        from .commands import init

        return init.run(args.dir.absolute(), args.github_pages, reporter, args.timezone, args.tool_source)
    if args.command == "import":
        from .commands import import_site

        return import_site.run(args.kind, args.src.resolve(), args.path.absolute(), args.section, reporter)
    root = args.path.resolve()
    if args.command == "new":
        from .commands import new

        return new.run(root, args.kind, args.title, args.author, args.team, reporter)
    if args.command == "upgrade":
        from .commands import upgrade

        return upgrade.run(root, args.tool_source, reporter)
    if args.command == "check":
        from .commands import check

        opts = BuildOptions(drafts=args.drafts, future=args.future, strict=args.strict)
        return check.run(root, args.format, reporter, opts)
    if args.command == "serve":
        from .commands import serve

        return serve.run(
            root, args.host, args.port, BuildOptions(drafts=args.drafts, future=args.future), reporter
        )
    if args.command == "deploy":
        from .commands import deploy

        return deploy.run(root, args.remote, args.branch, args.base_url, reporter)
    if args.command == "build":
        from .commands import build

        opts = BuildOptions(
            drafts=args.drafts,
            future=args.future,
            strict=args.strict,
            base_url=args.base_url,
            out=args.out.absolute() if args.out else None,
            jobs=args.jobs or (os.cpu_count() or 1),
            search=not args.no_search,
        )
        return build.run(root, opts, reporter)
    raise AssertionError(args.command)
