"""The fast Markdown path gives markdown-it-py's bytes wherever it answers (markdown_fast.py).

Wherever ``render_fast`` returns a result, it must equal ``render_markdown``'s in every field: the
HTML, the first paragraph, the table of contents, the links and images with their lines, the word
count. Checked on every corpus we have and on generated documents; where it returns None the
build falls back to markdown-it-py, so a refusal is always safe and only costs time.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.config import load_config
from site_builder.discover import discover
from site_builder.frontmatter import Split, split
from site_builder.markdown import make_markdown, render_markdown
from site_builder.markdown_fast import make_fast_markdown, render_fast
from site_builder.parse import Renderers, parse_file

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "tests" / "corpora"
PY = make_markdown(trusted=True)
FAST = make_fast_markdown()
if FAST is None:  # markdown-it-pyrs has wheels for CPython 3.11 and 3.12; CI runs one of those
    assert not os.environ.get("CI"), "markdown-it-pyrs is not installed"
    pytest.skip("markdown-it-pyrs is not installed for this Python", allow_module_level=True)


def _bodies(folder: Path) -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(folder.rglob("*.md")):
        parts = split(path.read_text(encoding="utf-8", errors="replace"), str(path))
        if isinstance(parts, Split):
            found.append((path.relative_to(folder).as_posix(), parts.body, parts.body_line))
    return found


def _same_or_refused(doc_id: str, body: str, line: int) -> bool:
    """True when the fast path answered (and then it must equal markdown-it-py), False if refused."""
    fast = render_fast(FAST, body, doc_id, line)
    if fast is None:
        return False
    assert fast == render_markdown(PY, body, doc_id, line), doc_id
    return True


@pytest.mark.parametrize(
    "folder",
    [REPO / "content", REPO / "tests" / "sites", CORPORA / "18f", CORPORA / "nhse-datascience"],
    ids=["sample", "test-sites", "18f", "nhse"],
)
def test_every_corpus_renders_the_same_on_both_paths(folder: Path) -> None:
    bodies = _bodies(folder)
    assert len(bodies) > 10
    answered = sum(_same_or_refused(doc_id, body, line) for doc_id, body, line in bodies)
    assert answered > 0  # the fast path is taken somewhere in each corpus


def test_the_benchmark_corpus_takes_the_fast_path(tmp_path: Path) -> None:
    """Weeknotes as the benchmark writes them (tables, footnotes, task lists, code): nearly all fast."""
    script = REPO / "benchmarks" / "make_corpus.py"
    subprocess.run(
        [sys.executable, str(script), "--posts", "300", "--out", str(tmp_path / "c")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    bodies = _bodies(tmp_path / "c" / "content")
    answered = sum(_same_or_refused(doc_id, body, line) for doc_id, body, line in bodies)
    assert answered >= 0.95 * len(bodies)


def test_without_markdown_it_pyrs_the_documents_are_the_same() -> None:
    """The parse stage gives equal documents whether or not the fast path is installed."""
    config = load_config(REPO)
    inventory, _ = discover(REPO, [])
    both = Renderers.create()
    slow = dataclasses.replace(both, fast=None)
    for src in inventory.sources:
        assert parse_file(src, config, both) == parse_file(src, config, slow), src.id


@pytest.mark.parametrize(
    "text",
    [
        "A <b>raw</b> tag.",  # raw HTML may hold headings or links: markdown-it-py only
        "<div>\nblock\n</div>",
        "# Title {#own-id}",  # attributes: markdown-it-py's attrs plugin
        "*em*{.x}",
        "{% include x.html %}",
        "A [bad](ftp://example.org/) link.",  # safe_link refuses it
        "Two[^b] refs[^a].\n\n[^a]: A.\n[^b]: B.",  # numbered by definition in markdown-it.rs
        "Ends with a no-break space.\u00a0",
        "```python {.x}\nx = 1\n```",
        "- a list\n\nthen the first paragraph",  # its <p> is not the first one in the HTML
    ],
)
def test_what_the_fast_path_refuses(text: str) -> None:
    assert render_fast(FAST, text, "weeknotes/x.md", 1) is None


def test_the_fast_path_does_what_the_hooks_do() -> None:
    text = (
        "## Plan `b` *now*\n\nSee [next](next.md#top), ![chart](chart.png) and [home](/about/).\n\n"
        "## Plan `b` *now*\n\n```python\nx = 1\n```\n\n- [x] done\n- [ ] not yet\n"
    )
    fast = render_fast(FAST, text, "weeknotes/a.md", 5)
    assert fast is not None
    assert '<h2 id="plan-b-now">' in fast.html and '<h2 id="plan-b-now-1">' in fast.html
    assert 'href="sb:weeknotes/next.md#top"' in fast.html
    assert 'src="sb:/weeknotes/chart.png"' in fast.html and 'href="sb:/about/"' in fast.html
    assert '<div class="highlight"><pre><code class="language-python">' in fast.html
    assert 'checked="checked" disabled="disabled" type="checkbox">' in fast.html
    assert [(link.target, link.line) for link in fast.links] == [
        ("weeknotes/next.md", 7),
        ("/weeknotes/chart.png", 7),
        ("/about/", 7),
    ]
    assert fast == render_markdown(PY, text, "weeknotes/a.md", 5)


_WORD = st.sampled_from(
    ["alpha", "beta", "Ünïcode", "x", "&amp;", "&copy;", "a\\*b", "`code`", "1.", "#", "-", "+", "|", ">"]
)
_INLINE = st.one_of(
    _WORD,
    _WORD.map(lambda w: f"*{w}*"),
    _WORD.map(lambda w: f"**{w}**"),
    _WORD.map(lambda w: f"~~{w}~~"),
    _WORD.map(lambda w: f"`{w}`"),
    st.sampled_from(
        [
            "[a](other.md)",
            "[a](other.md#part)",
            "[a](../up.md)",
            "[a](/root/)",
            "[a](https://example.org/x?y=1&z=2)",
            "[a](#here)",
            "[a](<with space.md>)",
            "![pic](pic.png)",
            "![pic *em*](/img/p.png 'title')",
            "<https://example.org/auto>",
            "<me@example.org>",
            "[ref][r]",
            "[^1]",
            "[^2]",
            "  \n",
            "\\\n",
            "[ ]",
            "[x]",
            "\u00a0",
            "\t",
        ]
    ),
)
_LINE = st.lists(_INLINE, min_size=1, max_size=6).map(" ".join)
_BLOCK = st.one_of(
    _LINE,
    _LINE.map(lambda s: f"## {s}"),
    _LINE.map(lambda s: f"### {s}"),
    _LINE.map(lambda s: f"{s}\n---"),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda items: "\n\n".join(f"1. {i}" for i in items)),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"- [x] {i}" for i in items)),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda items: "\n\n".join(f"* [ ] {i}" for i in items)),
    _LINE.map(lambda s: f"> {s}"),
    _LINE.map(lambda s: f"Term\n: {s}"),
    _LINE.map(lambda s: f"| a | b |\n|---|:-:|\n| {s} | c |"),
    st.sampled_from(["python", "", "js", "nosuchlang", "c&amp;"]).map(lambda lang: f"```{lang}\nx < 1\n```"),
    st.just("    indented code"),
    st.just("***"),
    _LINE.map(lambda s: f"[^1]: {s}"),
    _LINE.map(lambda s: f"[^2]: {s}"),
    st.just("[r]: https://example.org/ref"),
)


@settings(max_examples=1000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCK, min_size=1, max_size=8).map("\n\n".join))
def test_generated_documents_render_the_same_on_both_paths(text: str) -> None:
    _same_or_refused("weeknotes/post.md", text, 3)
