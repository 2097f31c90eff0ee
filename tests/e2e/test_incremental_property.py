"""Incremental soundness as a property: for site themes that reach post data in every way Jinja
allows, and random sequences of edits, a build over the previous output writes exactly the bytes a
cold build of the edited site writes.

Hypothesis draws the theme and the edits. CI keeps the example count modest; ``python
scripts/soundness.py --examples 500`` runs the same property for longer.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.pipeline import Goal, build
from tests.previews import Preview

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
EXAMPLES = int(os.environ.get("SB_SOUNDNESS_EXAMPLES", "10"))
CONFIG = """\
title = "Soundness"
base_url = "https://example.org/"
timezone = "Europe/London"
paginate = 2

[teams.red]
name = "Red team"

[teams.blue]
name = "Blue team"
"""


def note(n: int, team: str, tags: str, day: int) -> str:
    return f"---\ndate: 2026-11-{day:02d}\nteam: {team}\ntags: [{tags}]\n---\nNote {n} body.\n\n## Part\n"


SITE = {
    "site.toml": CONFIG,
    "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "content/weeknotes/a.md": note(1, "red", "alpha", 2),
    "content/weeknotes/b.md": note(2, "blue", "alpha, beta", 9),
    "content/weeknotes/c.md": note(3, "red", "beta", 16),
    "content/weeknotes/d.md": note(4, "blue", "gamma", 23),
    "content/case-studies/e.md": "---\ntitle: Study\ndate: 2026-10-05\ntags: [alpha]\n---\nStudy body.\n",
}
# Each theme overrides templates so that post data is reached in one more way.
THEMES: dict[str, dict[str, str]] = {
    "default": {},
    "subscript": {
        "section.html": '{% extends "default/section.html" %}{% block main %}'
        '{% for item in items %}<div>{{ item["html"] | html }}</div>{% endfor %}{% endblock %}'
    },
    "attr-filter": {
        "term.html": '{% extends "default/term.html" %}{% block main %}'
        '{% for item in items %}<div>{{ item | attr("html") | html }}</div>{% endfor %}{% endblock %}'
    },
    "macro-import": {
        "_bodies.html": "{% macro body(d) %}<section>{{ d.html | html }}</section>{% endmacro %}",
        "section.html": '{% extends "default/section.html" %}{% import "_bodies.html" as b %}'
        "{% block main %}{% for item in items %}{{ b.body(item) }}{% endfor %}{% endblock %}",
    },
    "include": {
        "_item.html": "<article>{{ item.title }} {{ item.html | html }}</article>",
        "home.html": '{% extends "default/home.html" %}{% block main %}'
        '{% for item in site.docs(route.inputs) %}{% include "_item.html" %}{% endfor %}{% endblock %}',
    },
    "site-loop": {
        "page.html": '{% extends "default/page.html" %}{% block main %}{{ super() }}'
        "<ul>{% for d in site.site.docs.values() %}<li>{{ d.title }}: {{ d.summary_html | html }}"
        "{{ d.date }}</li>{% endfor %}</ul>{% endblock %}"
    },
    "terms-reach": {
        "weeknote.html": '{% extends "default/weeknote.html" %}{% block after %}'
        '{% for t in site.terms("tags") %}<p>{{ t.name }} {{ t.docs | length }}'
        "{% for d in site.docs(t.docs) %} {{ d.html | html }}{% endfor %}</p>{% endfor %}{% endblock %}"
    },
}


def _edit_body(site: Path, doc: str) -> Path:
    path = site / "content" / doc
    if path.exists():
        path.write_text(path.read_text() + "\nMore words.\n")
    return path


def _edit_title(site: Path, doc: str) -> Path:
    path = site / "content" / doc
    if path.exists():
        text = "\n".join(line for line in path.read_text().split("\n") if not line.startswith("title:"))
        path.write_text(text.replace("---\n", "---\ntitle: Renamed\n", 1))
    return path


def _edit_date(site: Path, doc: str) -> Path:
    path = site / "content" / doc
    if path.exists():
        path.write_text(path.read_text().replace("date: 2026-11-", "date: 2026-10-", 1))
    return path


def _edit_tags(site: Path, doc: str) -> Path:
    path = site / "content" / doc
    if path.exists():
        path.write_text(path.read_text().replace("tags: [", "tags: [delta, ", 1))
    return path


def _edit_team(site: Path, doc: str) -> Path:
    path = site / "content" / doc
    if path.exists():
        text = path.read_text()
        path.write_text(
            text.replace("team: red", "team: blue") if "red" in text else text.replace("blue", "red")
        )
    return path


def _delete(site: Path, doc: str) -> Path:
    (site / "content" / doc).unlink(missing_ok=True)
    return site / "content" / doc


def _add(site: Path, doc: str) -> Path:
    path = site / "content" / "weeknotes" / f"new-{doc.replace('/', '-')}"
    path.write_text(note(9, "red", "alpha, new", 30))
    return path


def _template(site: Path, doc: str) -> Path:
    folder = site / "themes" / "default" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weeknote.html").write_text(
        '{% extends "default/weeknote.html" %}{% block after %}<p>Changed {{ doc.title }}</p>{% endblock %}'
    )
    return folder / "weeknote.html"


def _config(site: Path, doc: str) -> Path:
    path = site / "site.toml"
    path.write_text(path.read_text().replace('title = "Soundness"', 'title = "Soundness, renamed"'))
    return path


EDITS: dict[str, Callable[[Path, str], Path]] = {
    "body": _edit_body,
    "title": _edit_title,
    "date": _edit_date,
    "tags": _edit_tags,
    "team": _edit_team,
    "delete": _delete,
    "add": _add,
    "template": _template,
    "config": _config,
}
DOCS = sorted(p.removeprefix("content/") for p in SITE if p.startswith("content/"))


def make(root: Path, theme: str) -> Path:
    for rel, text in SITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for name, text in THEMES[theme].items():
        path = root / "themes" / "default" / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


EDIT_LISTS = st.lists(
    st.tuples(st.sampled_from(sorted(EDITS)), st.sampled_from(DOCS)), min_size=1, max_size=3
)


def soundness(test: Callable[[str, list[tuple[str, str]]], None]) -> Callable[[], None]:
    """A property over a theme and one to three edits, each to one file."""
    checked = given(theme=st.sampled_from(sorted(THEMES)), edits=EDIT_LISTS)(test)
    return settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        checked
    )


def built(root: Path) -> dict[str, bytes]:
    out = root / "output"
    result = build(load_config(root), BuildOptions(out=out, jobs=1, search=False, now=NOW))
    assert result.written, [d.message for d in result.diagnostics.errors]
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".site-builder-output"
    }


@soundness
def test_incremental_output_equals_a_cold_build(theme: str, edits: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        warm = make(Path(folder) / "warm", theme)
        built(warm)
        for edit, doc in edits:
            EDITS[edit](warm, doc)
            incremental = built(warm)
        cold = Path(folder) / "cold"
        shutil.copytree(warm, cold, ignore=shutil.ignore_patterns("output", ".site-builder"))
        assert incremental == built(cold), (theme, edits)


def render(
    root: Path, state: Preview | None = None, changed: frozenset[Path] | None = None
) -> dict[str, bytes]:
    """Every output in memory, as ``serve`` renders it (with a state: reusing what it can)."""
    opts = BuildOptions(jobs=1, search=False, now=NOW)
    config = load_config(root)
    result = state.build(config, opts, changed) if state else build(config, opts, goal=Goal.PREVIEW)
    assert not result.diagnostics.has_errors(), [d.message for d in result.diagnostics.errors]
    return {
        o.path: o.data if o.data is not None else o.source.read_bytes()
        for o in result.outputs
        if o.source or o.data is not None
    }


@soundness
def test_serve_after_each_save_equals_a_cold_render(theme: str, edits: list[tuple[str, str]]) -> None:
    """serve's rebuilds (its fast path where an edit keeps the site's shape) against a cold render."""
    with tempfile.TemporaryDirectory() as folder:
        site = make(Path(folder) / "site", theme)
        state = Preview()
        render(site, state)
        for edit, doc in edits:
            changed = frozenset({EDITS[edit](site, doc)})
            assert render(site, state, changed) == render(site), (theme, edits)
