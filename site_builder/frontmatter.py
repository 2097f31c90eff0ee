"""Split a source file into front matter and body: YAML (``---``) or TOML (``+++``).

python-frontmatter finds the fences; we load the text ourselves so that every error carries the
line in the file, not the line inside the front matter block.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from .diagnostics import Diagnostic, error


class TOMLHandler(BaseHandler):  # type: ignore[misc]
    """``+++`` fences, loaded with the standard library's tomllib (Hugo's convention)."""

    FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"


_HANDLERS: tuple[tuple[str, BaseHandler], ...] = (("yaml", YAMLHandler()), ("toml", TOMLHandler()))


@dataclass(frozen=True, slots=True)
class Split:
    meta: dict[str, Any]
    body: str
    body_line: int  # the file line on which the body starts (1-based)
    lines: dict[str, int]  # top-level key -> its line in the file, for messages


def split(text: str, path: str) -> Split | Diagnostic:
    """Return the metadata and body, or one diagnostic naming the file and line."""
    text = text.removeprefix("\ufeff")
    for fmt, handler in _HANDLERS:
        if not handler.detect(text):
            continue
        try:
            raw, body = handler.split(text)
        except ValueError:
            fence = handler.START_DELIMITER
            return error(
                "front-matter/unclosed",
                path,
                f"the front matter opened with '{fence}' is never closed",
                1,
                hint=f"add a line with just '{fence}' after the last front matter field",
            )
        body_line = text[: len(text) - len(body)].count("\n") + 1
        loaded = _load(fmt, raw, path)
        if isinstance(loaded, Diagnostic):
            return loaded
        return Split(loaded, body, body_line, _key_lines(text, body_line))
    return Split({}, text, 1, {})


_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]")


def _key_lines(text: str, body_line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()[: body_line - 1], start=1):
        key = _KEY.match(line)
        if key:
            found.setdefault(key.group(1), number)
    return found


def _load(fmt: str, raw: str, path: str) -> dict[str, Any] | Diagnostic:
    if fmt == "yaml":
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 2 if mark is not None else 1  # +1 for the fence, +1 for 1-based
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return error(
                "front-matter/yaml",
                path,
                f"invalid YAML front matter: {problem}",
                line,
                hint="check the indentation and quoting on that line; quote values that contain ': '",
            )
    else:
        try:
            data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"at line (\d+)", str(exc))
            line = int(found.group(1)) + 1 if found else 1
            return error(
                "front-matter/toml",
                path,
                f"invalid TOML front matter: {exc}",
                line,
                hint="check the TOML syntax on that line; strings need quotes",
            )
    if data is None:
        return {}
    if not isinstance(data, dict):
        return error(
            "front-matter/not-a-mapping",
            path,
            f"the front matter is a {type(data).__name__}, not a set of 'key: value' fields",
            2,
            hint="write one 'key: value' per line between the fences",
        )
    return {str(k): v for k, v in data.items()}
