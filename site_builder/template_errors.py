"""A template fault as a problem the writer can act on: the theme file, the line, what is wrong."""

from __future__ import annotations

import contextlib
import traceback
from pathlib import Path

import jinja2

from .diagnostics import Diagnostic, error
from .pages import Route


def template_problem(
    exc: Exception, route: Route, env: jinja2.Environment, theme_root: Path
) -> tuple[Diagnostic, bool]:
    """The problem ``exc`` is, and whether every other route would fail the same way (a template
    that does not parse or is not UTF-8), so rendering may stop at the first."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name
        return _problem("template/syntax", where, exc.lineno, exc.message or str(exc), theme_root), True
    if isinstance(exc, jinja2.TemplateNotFound):
        filename, line = _template_frame(exc)  # the template with the include, not the route's
        hint = "add it to your theme's templates/ folder, or remove the reference"
        message = f"template {exc.name!r} not found"
        where = filename or route.template
        return _problem("template/missing", where, line, message, theme_root, hint), False
    if isinstance(exc, UnicodeDecodeError):
        message = f"the template is not UTF-8 (byte 0x{exc.object[exc.start]:02x})"
        hint = "re-save the template as UTF-8 in your editor"
        where = _undecodable(env) or route.template
        return _problem("template/encoding", where, None, message, theme_root, hint), True
    filename, line = _template_frame(exc)  # a runtime error raised inside a template
    message = f"{type(exc).__name__}: {exc} (rendering {route.url})"
    return _problem("template/runtime", filename or route.template, line, message, theme_root), False


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".j2", ".txt")):
            return frame.filename, frame.lineno
    return None, None


def _problem(
    code: str,
    filename: str | None,
    line: int | None,
    message: str,
    theme_root: Path,
    hint: str = "fix the template at that line",
) -> Diagnostic:
    name = filename or "template"
    with contextlib.suppress(ValueError, OSError):
        name = Path(name).resolve().relative_to(theme_root.resolve()).as_posix()
    return error(code, name, message, line, hint=hint)


def _undecodable(env: jinja2.Environment) -> str | None:
    """The file of the first template that is not UTF-8 (Jinja's error does not name it)."""
    for loader in getattr(env.loader, "loaders", [env.loader]):
        for folder in getattr(loader, "searchpath", []):
            for path in sorted(Path(folder).rglob("*")):
                try:
                    path.read_text(encoding="utf-8") if path.is_file() else None
                except UnicodeDecodeError:
                    return str(path)
    return None
