"""frontmatter.split: text -> metadata and body, or one diagnostic with the FILE line."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.diagnostics import Diagnostic, Severity
from site_builder.frontmatter import Split, split

PATH = "content/weeknotes/x.md"


def ok(text: str) -> Split:
    result = split(text, PATH)
    assert isinstance(result, Split), result
    return result


def problem(text: str) -> Diagnostic:
    result = split(text, PATH)
    assert isinstance(result, Diagnostic), result
    assert result.severity is Severity.ERROR
    assert result.path == PATH
    return result


def test_yaml_front_matter() -> None:
    result = ok("---\ntitle: Shipping the beta\ndate: 2026-03-12\ntags: [beta, forms]\n---\n# Hello\n")
    assert result.meta == {
        "title": "Shipping the beta",
        "date": dt.date(2026, 3, 12),
        "tags": ["beta", "forms"],
    }
    assert result.body.strip() == "# Hello"
    assert result.lines == {"title": 2, "date": 3, "tags": 4}


def test_toml_front_matter() -> None:
    result = ok('+++\ntitle = "Shipping"\ndate = 2026-03-12\ndraft = true\n+++\nBody text\n')
    assert result.meta == {"title": "Shipping", "date": dt.date(2026, 3, 12), "draft": True}
    assert result.body.strip() == "Body text"
    assert result.lines["draft"] == 4


def test_toml_table_lines_are_known() -> None:
    result = ok('+++\ntitle = "x"\n\n[contributor]\nname = "Sam"\n+++\nbody\n')
    assert result.meta["contributor"] == {"name": "Sam"}
    assert (result.lines["title"], result.lines["contributor"]) == (2, 4)


def test_no_front_matter_is_all_body() -> None:
    result = ok("# Just Markdown\n\n---\n\nA thematic break above.\n")
    assert result.meta == {}
    assert result.body.startswith("# Just Markdown")
    assert result.body_line == 1


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert ok("---\n---\nBody\n").meta == {}


def test_byte_order_mark_is_ignored() -> None:
    assert ok("\ufeff---\ntitle: x\n---\n").meta == {"title": "x"}


@pytest.mark.parametrize(
    ("text", "body_line_of_hello"),
    [
        ("---\ntitle: a\n---\nHello\n", 4),
        ("---\ntitle: a\n---\n\nHello\n", 5),
        ("+++\ntitle = 'a'\n+++\n\n\nHello\n", 6),
        ("Hello\n", 1),
    ],
)
def test_body_line_maps_body_lines_to_file_lines(text: str, body_line_of_hello: int) -> None:
    result = ok(text)
    index = result.body.split("\n").index("Hello")
    assert result.body_line + index == body_line_of_hello


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the colon inside an unquoted value on file line 3
        ("---\ntitle: ok\nsummary: this: breaks\n---\nbody\n", 3),
        # a blank line after the opening fence shifts everything down one line
        ("---\n\ntitle: ok\nsummary: this: breaks\n---\nbody\n", 4),
        # a tab cannot start a token: file line 4
        ("---\ntitle: ok\ntags: [a]\n\tauthor: me\n---\n", 4),
        # Windows line endings
        ("---\r\ntitle: ok\r\nsummary: a: b\r\n---\r\nbody\r\n", 3),
        # an impossible date is a YAML problem on its line, not a crash
        ("---\ntitle: ok\ndate: 2026-02-30\n---\n", 3),
    ],
)
def test_broken_yaml_names_the_file_line(text: str, line: int) -> None:
    found = problem(text)
    assert found.code == "front-matter/yaml"
    assert found.line == line
    assert found.hint


def test_impossible_yaml_date_says_so() -> None:
    found = problem("---\ndate: 2026-02-30\n---\n")
    assert "2026-02-30" in found.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('+++\ntitle = "ok"\ndate = \n+++\n', 3),
        ('+++\ntitle = "ok"\n\nteam = platform\n+++\n', 4),
        ('+++\n\ntitle = "ok"\nteam = platform\n+++\n', 4),
        ("+++\ndate = 2026-02-30\n+++\n", 2),
    ],
)
def test_broken_toml_names_the_file_line(text: str, line: int) -> None:
    found = problem(text)
    assert found.code == "front-matter/toml"
    assert found.line == line
    # the block-relative position from tomllib would contradict the file line: it is left out
    assert "(at line" not in found.message


@pytest.mark.parametrize("fence", ["---", "+++"])
def test_unclosed_fence(fence: str) -> None:
    found = problem(f"{fence}\ntitle: x\n\nThe body, but nobody closed the front matter.\n")
    assert found.code == "front-matter/unclosed"
    assert found.line == 1
    assert fence in found.message


def test_front_matter_that_is_a_list() -> None:
    found = problem("---\n- title: x\n- date: 2026-01-01\n---\nbody\n")
    assert found.code == "front-matter/not-a-mapping"
    assert "list" in found.message
    assert found.line == 2


def test_front_matter_that_is_a_scalar() -> None:
    found = problem("---\njust some words\n---\n")
    assert found.code == "front-matter/not-a-mapping"


def test_yaml_cannot_build_python_objects() -> None:
    found = problem("---\nx: !!python/object/apply:os.system ['true']\n---\n")
    assert found.code == "front-matter/yaml"
    assert found.line == 2


def test_absurdly_nested_front_matter_is_a_diagnostic_not_a_crash() -> None:
    deep = "[" * 5000 + "]" * 5000
    assert problem(f"---\nx: {deep}\n---\n").code == "front-matter/yaml"
    assert problem(f"+++\nx = {deep}\n+++\n").code == "front-matter/toml"


# Each mistake gets the hint that fits it, at the line where it can be mended.
YAML_MISTAKES = {
    "tab": (
        "---\ntitle: A\ndate: 2026-11-09\n\ttags: [a]\n---\n",
        4,
        "YAML does not allow tabs for indentation: line 4 column 1",
        "replace the tab with spaces",
    ),
    "duplicate": (
        "---\ntitle: A\ndate: 2026-11-09\ntitle: B\n---\n",
        4,
        "the key 'title' appears twice (first on line 2)",
        "keep one of the two",
    ),
    "impossible-date": (
        "---\ndate: 2026-02-30\n---\n",
        2,
        "impossible date '2026-02-30'",
        "a date that exists",
    ),
    "unclosed-bracket": (
        "---\ntitle: A\ntags: [beta, alpha\nsummary: x\n---\n",
        3,
        "the '[' opened on line 3 is never closed",
        "add ']' where the value ends, on line 3",
    ),
    "unclosed-brace": (
        "---\ncontributor: {name: Ann\ntitle: A\n---\n",
        2,
        "the '{' opened on line 2 is never closed",
        "add '}'",
    ),
    "unclosed-quote": (
        '---\ntitle: A\nsummary: "it never ends\ndate: 2026-11-09\n---\n',
        3,
        "a quoted value opened on line 3 is never closed",
        "the closing quote",
    ),
    "colon-in-value": ("---\ntitle: Week 3: the beta\n---\n", 2, "mapping values", "needs quotes"),
    "bad-indent": ("---\ncontributor:\n  name: Ann\n url: x\n---\n", 4, "invalid YAML", "indentation"),
}


@pytest.mark.parametrize("name", YAML_MISTAKES)
def test_each_yaml_mistake_gets_the_hint_that_fits(name: str) -> None:
    text, line, message, hint = YAML_MISTAKES[name]
    found = problem(text)
    assert found.line == line, found
    assert message in found.message, found.message
    assert hint in found.hint, found.hint
