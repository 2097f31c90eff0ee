"""Serve's fast path gives the same bytes as a full build, and declines edits it cannot handle."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.pipeline import BuildResult, Goal, build
from tests.previews import Preview
from tests.samples import copy_sample_site


def pages(result: object) -> dict[str, bytes]:
    return {o.path: o.data for o in result.outputs if o.data is not None}  # type: ignore[attr-defined]


def full(site: Path) -> dict[str, bytes]:
    result = build(load_config(site), BuildOptions(jobs=1), goal=Goal.PREVIEW)
    assert not result.diagnostics.has_errors()
    return pages(result)


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, Preview]:
    site = copy_sample_site(tmp_path / "site")
    state = Preview()
    first = state.build(load_config(site), BuildOptions(jobs=1))
    assert not first.diagnostics.has_errors() and state.memory.last is not None
    return site, state


def rebuilt(
    state: Preview, site: Path, path: Path, opts: BuildOptions | None = None
) -> tuple[BuildResult, bool]:
    """serve's build after an edit of ``path``, and whether it planned the site again (rather than
    reuse the last build's routes, as an edit that keeps the site's shape does)."""
    last = state.memory.last
    assert last is not None
    result = state.build(load_config(site), opts or BuildOptions(jobs=1), frozenset({path}))
    return result, result.routes is not last.routes


def edit(site: Path, rel: str, old: str, new: str) -> Path:
    path = site / "content" / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_body_edit_takes_the_fast_path_and_matches_a_full_build(served: tuple[Path, Preview]) -> None:
    site, state = served
    path = edit(site, "weeknotes/platform-week-40.md", "the official list", "the official register")
    result, planned = rebuilt(state, site, path)
    assert not planned
    assert result.stats.rendered_pages == 1  # the post's own page; its lists show only the summary
    assert result.stats.rendered_feeds > 0  # feeds carry the body
    assert pages(result) == full(site)


def test_a_summary_edit_re_renders_the_lists_too(served: tuple[Path, Preview]) -> None:
    site, state = served
    path = edit(site, "weeknotes/platform-week-40.md", "I dream in postcodes now.", "Postcodes, all week.")
    result, planned = rebuilt(state, site, path)
    assert not planned and result.stats.rendered_pages > 3
    assert pages(result) == full(site)


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("weeknotes/platform-week-40.md", "tags: [", "tags: [brand-new-tag, "),  # a term appears
        ("weeknotes/platform-week-40.md", "date: 2026-10-02", "date: 2026-10-01"),  # order may change
        ("about.md", "title: ", "title: Renamed "),  # a root page's title is in the navigation
    ],
)
def test_a_change_of_shape_goes_the_full_way(
    served: tuple[Path, Preview], rel: str, old: str, new: str
) -> None:
    site, state = served
    path = edit(site, rel, old, new)
    result, planned = rebuilt(state, site, path)
    assert planned
    assert pages(result) == full(site)


def test_a_broken_edit_reports_the_error_and_the_fix_builds_right(served: tuple[Path, Preview]) -> None:
    site, state = served
    path = site / "content" / "weeknotes" / "platform-week-40.md"
    good = path.read_text()
    path.write_text(good.replace("---\n", "---\ntags: [unclosed\n", 1))
    broken = state.build(load_config(site), BuildOptions(jobs=1), frozenset({path}))
    assert broken.diagnostics.has_errors()
    assert any(d.path == "content/weeknotes/platform-week-40.md" for d in broken.diagnostics.errors)
    path.write_text(good.replace("the official list", "the official record"))
    fixed = state.build(load_config(site), BuildOptions(jobs=1), frozenset({path}))
    assert not fixed.diagnostics.has_errors()
    assert pages(fixed) == full(site)


def test_other_options_are_never_served_from_the_last_build(served: tuple[Path, Preview]) -> None:
    site, state = served
    path = edit(site, "weeknotes/platform-week-40.md", "the official list", "the official register")
    opts = dataclasses.replace(BuildOptions(jobs=1), drafts=True)
    _, planned = rebuilt(state, site, path, opts)
    assert planned  # different options: a full build


def test_a_fast_edit_reports_what_a_full_build_reports(served: tuple[Path, Preview]) -> None:
    """One set of rules: an image without alt text added while serving is a warning at once."""
    site, state = served
    path = edit(site, "weeknotes/platform-week-42.md", "\n## ", "\n![](/images/velocity.svg)\n\n## ")
    fast = state.build(load_config(site), BuildOptions(jobs=1), frozenset({path}))
    full = build(load_config(site), BuildOptions(jobs=1), goal=Goal.PREVIEW)
    codes = {(d.code, d.path) for d in fast.diagnostics}
    assert ("image/alt", "content/weeknotes/platform-week-42.md") in codes
    assert codes == {(d.code, d.path) for d in full.diagnostics}
