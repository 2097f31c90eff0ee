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
        loaded = _load(fmt, raw, path, _raw_line(handler, text))
        if isinstance(loaded, Diagnostic):
            return loaded
        return Split(loaded, body, body_line, _key_lines(text, body_line))
    return Split({}, text, 1, {})


def _raw_line(handler: BaseHandler, text: str) -> int:
    """The file line on which the front matter text starts (its line 0, the rest of the fence line).

    The fence pattern's trailing ``\\s*`` can swallow blank lines after ``---``, so count them.
    """
    fence = handler.FM_BOUNDARY.search(text)
    return text[: fence.end()].count("\n") + 1 if fence else 1


# libyaml's parser where PyYAML has it (about ten times faster), with the same safe constructors.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """SafeLoader whose impossible dates (``2026-02-30``) are YAML errors with a line, not a crash."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"impossible date {node.value!r} ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
# "key:" (YAML), "key =" (TOML) and "[key]" (a TOML table such as [contributor])
_KEY = re.compile(r"^(?:([A-Za-z_][\w-]*)\s*[:=]|\[\s*([A-Za-z_][\w-]*)\s*\])")


def _key_lines(text: str, body_line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()[: body_line - 1], start=1):
        key = _KEY.match(line)
        if key:
            found.setdefault(key.group(1) or key.group(2), number)
    return found


def _load(fmt: str, raw: str, path: str, first_line: int) -> dict[str, Any] | Diagnostic:
    """Load ``raw``, whose line 0 is line ``first_line`` of the file."""
    try:
        loaded = _load_mapping(fmt, raw, path, first_line)
        if isinstance(loaded, Diagnostic) or _depth(loaded) <= MAX_DEPTH:
            return loaded
    except RecursionError:
        pass
    # [[[[... thousands deep: hostile or broken, never a traceback (SPEC §9). libyaml reads it
    # without recursing, so the depth is also checked afterwards.
    return error(
        f"front-matter/{fmt}",
        path,
        "the front matter is nested too deeply to read",
        first_line + 1,
        hint="flatten the nested lists or tables",
    )


MAX_DEPTH = 64


def _depth(value: object) -> int:
    """How deeply lists and mappings nest, counted without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(item, dict):
            todo += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            todo += [(v, level + 1) for v in item]
    return deepest


def _load_mapping(fmt: str, raw: str, path: str, first_line: int) -> dict[str, Any] | Diagnostic:
    if fmt == "yaml":
        try:
            data = yaml.load(raw, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = first_line + mark.line if mark is not None else first_line + 1
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
            found = _TOML_AT.search(str(exc))  # 1-based within the block, not the file
            line = first_line + int(found.group(1)) - 1 if found else first_line + 1
            return error(
                "front-matter/toml",
                path,
                f"invalid TOML front matter: {_TOML_AT.sub('', str(exc))}",
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
            first_line + 1,
            hint="write one 'key: value' per line between the fences",
        )
    return {str(k): v for k, v in data.items()}
