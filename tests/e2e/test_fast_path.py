"""Serve's fast path gives the same bytes as a full build, and declines edits it cannot handle."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.pipeline import BuildState, run
from tests.samples import copy_sample_site


def pages(result: object) -> dict[str, bytes]:
    return {o.path: o.data for o in result.outputs if o.data is not None}  # type: ignore[attr-defined]


def full(site: Path) -> dict[str, bytes]:
    result = run(load_config(site), BuildOptions(jobs=1), until="render")
    assert not result.diagnostics.has_errors()
    return pages(result)


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, BuildState]:
    site = copy_sample_site(tmp_path / "site")
    state = BuildState()
    first = run(load_config(site), BuildOptions(jobs=1), until="render", state=state)
    assert not first.diagnostics.has_errors() and state.last is not None
    return site, state


def edit(site: Path, rel: str, old: str, new: str) -> Path:
    path = site / "content" / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_body_edit_takes_the_fast_path_and_matches_a_full_build(served: tuple[Path, BuildState]) -> None:
    site, state = served
    path = edit(site, "weeknotes/platform-week-40.md", "the official list", "the official register")
    result = run(
        load_config(site), BuildOptions(jobs=1), until="render", state=state, changed=frozenset({path})
    )
    assert result.routes == []  # the fast path plans nothing
    assert result.stats.rendered_pages == 1  # the post's own page; its lists show only the summary
    assert result.stats.rendered_feeds > 0  # feeds carry the body
    assert pages(result) == full(site)


def test_a_summary_edit_re_renders_the_lists_too(served: tuple[Path, BuildState]) -> None:
    site, state = served
    path = edit(site, "weeknotes/platform-week-40.md", "I dream in postcodes now.", "Postcodes, all week.")
    result = run(
        load_config(site), BuildOptions(jobs=1), until="render", state=state, changed=frozenset({path})
    )
    assert result.routes == [] and result.stats.rendered_pages > 3
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
    served: tuple[Path, BuildState], rel: str, old: str, new: str
) -> None:
    site, state = served
    path = edit(site, rel, old, new)
    result = run(
        load_config(site), BuildOptions(jobs=1), until="render", state=state, changed=frozenset({path})
    )
    assert result.routes  # planned from scratch
    assert pages(result) == full(site)


def test_a_broken_edit_reports_the_error_and_the_fix_builds_right(served: tuple[Path, BuildState]) -> None:
    site, state = served
    path = site / "content" / "weeknotes" / "platform-week-40.md"
    good = path.read_text()
    path.write_text(good.replace("---\n", "---\ntags: [unclosed\n", 1))
    broken = run(
        load_config(site), BuildOptions(jobs=1), until="render", state=state, changed=frozenset({path})
    )
    assert broken.diagnostics.has_errors()
    assert any(d.path == "content/weeknotes/platform-week-40.md" for d in broken.diagnostics.errors)
    path.write_text(good.replace("the official list", "the official record"))
    fixed = run(
        load_config(site), BuildOptions(jobs=1), until="render", state=state, changed=frozenset({path})
    )
    assert not fixed.diagnostics.has_errors()
    assert pages(fixed) == full(site)


def test_other_options_are_never_served_from_the_last_build(served: tuple[Path, BuildState]) -> None:
    site, state = served
    path = edit(site, "weeknotes/platform-week-40.md", "the official list", "the official register")
    opts = dataclasses.replace(BuildOptions(jobs=1), drafts=True)
    result = run(load_config(site), opts, until="render", state=state, changed=frozenset({path}))
    assert result.routes  # different options: a full build


def test_a_fast_edit_reports_what_a_full_build_reports(served: tuple[Path, BuildState]) -> None:
    """One set of rules: an image without alt text added while serving is a warning at once."""
    site, state = served
    path = edit(site, "weeknotes/platform-week-42.md", "\n## ", "\n![](/images/velocity.svg)\n\n## ")
    fast = run(
        load_config(site), BuildOptions(jobs=1), until="render", state=state, changed=frozenset({path})
    )
    full = run(load_config(site), BuildOptions(jobs=1), until="render")
    codes = {(d.code, d.path) for d in fast.diagnostics}
    assert ("image/alt", "content/weeknotes/platform-week-42.md") in codes
    assert codes == {(d.code, d.path) for d in full.diagnostics}
