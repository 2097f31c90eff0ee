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


class TOMLHandler(BaseHandler):
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
    boundary = handler.FM_BOUNDARY
    fence = boundary.search(text) if boundary is not None else None
    return text[: fence.end()].count("\n") + 1 if fence else 1


# libyaml's parser where PyYAML has it (about ten times faster), with the same safe constructors.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """SafeLoader whose impossible dates (``2026-02-30``) are YAML errors with a line, not a crash."""

    first_line = 0  # the file line of the front matter's line 0, for messages

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"impossible date {node.value!r} ({exc})", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        """YAML 1.2 keys are unique; PyYAML keeps the last of two silently, so two titles (one of
        them never published) are an error with the line of the second, not a silent loss."""
        seen: dict[object, int] = {}
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key_node.value!r} appears twice "
                    f"(first on line {self.first_line + seen[key_node.value]})",
                    key_node.start_mark,
                )
            seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


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
        if isinstance(loaded, Diagnostic):
            return loaded
        problem = _too_big(loaded)
    except RecursionError:
        problem = "nested too deeply"
    if problem is None:
        return loaded
    # [[[[... thousands deep, or YAML aliases that expand to millions of values ("billion laughs"):
    # hostile or broken, and the writer gets a message, never a traceback or a hang. libyaml reads
    # both without recursing or copying, so the shape is checked afterwards, before anything walks it.
    return error(
        f"front-matter/{fmt}",
        path,
        f"the front matter is {problem} to read",
        first_line + 1,
        hint="flatten the nested lists or tables, and write values out instead of repeating &anchors",
    )


MAX_DEPTH = 64
MAX_VALUES = 20_000  # every value counted once per place it appears (an alias counts again)


def _too_big(value: object) -> str | None:
    """Why the loaded value is too deep or too large to use, or None; counted without recursion."""
    todo, count = [(value, 1)], 0
    while todo:
        item, level = todo.pop()
        count += 1
        if level > MAX_DEPTH:
            return "nested too deeply"
        if count > MAX_VALUES:
            return "too large (or repeats aliases too often)"
        if isinstance(item, dict):
            todo += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            todo += [(v, level + 1) for v in item]
    return None


_OPENERS = {"flow sequence": "[", "flow mapping": "{", "quoted scalar": "quote"}


def _yaml_problem(exc: yaml.YAMLError, first_line: int) -> tuple[str, int, str]:
    """(message, file line, hint) for a YAML error: the hint that fits the mistake, at the line
    where it can be mended (an unclosed bracket or quote: where it opened)."""
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    mark = problem_mark or context_mark
    line = first_line + mark.line if mark is not None else first_line + 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    opener = next((sign for what, sign in _OPENERS.items() if what in context), None)
    if "nesting depth" in problem:  # libyaml 0.2.6 stops deep nesting itself (PyYAML 6.0.3+)
        return "the front matter is nested too deeply to read", line, "flatten the nested lists or tables"
    if "tab" in problem:
        column = problem_mark.column + 1 if problem_mark is not None else 1
        return (
            f"YAML does not allow tabs for indentation: line {line} column {column}",
            line,
            "replace the tab with spaces",
        )
    if "appears twice" in problem:
        return f"invalid YAML front matter: {problem}", line, "keep one of the two, and delete the other"
    if "impossible date" in problem:
        return f"invalid YAML front matter: {problem}", line, "write a date that exists, as YYYY-MM-DD"
    if opener is not None and context_mark is not None:
        opened = first_line + context_mark.line
        what = "a quoted value" if opener == "quote" else f"the '{opener}'"
        close = "the closing quote" if opener == "quote" else f"'{ {'[': ']', '{': '}'}[opener] }'"
        return (
            f"invalid YAML front matter: {what} opened on line {opened} is never closed",
            opened,
            f"add {close} where the value ends, on line {opened}",
        )
    if "mapping values are not allowed" in problem:
        return (
            f"invalid YAML front matter: {problem}",
            line,
            "a value that contains ': ' needs quotes, e.g. title: \"Week 3: the beta\"",
        )
    return (
        f"invalid YAML front matter: {problem}",
        line,
        "check the indentation on that line: keys of one mapping start in the same column",
    )


def _load_mapping(fmt: str, raw: str, path: str, first_line: int) -> dict[str, Any] | Diagnostic:
    if fmt == "yaml":
        try:
            loader = _Loader(raw)  # a SafeLoader subclass: no arbitrary objects
            loader.first_line = first_line
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
        except yaml.YAMLError as exc:
            message, line, hint = _yaml_problem(exc, first_line)
            return error("front-matter/yaml", path, message, line, hint=hint)
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
