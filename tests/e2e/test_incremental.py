"""The cache is sound: after each kind of edit, an incremental build writes exactly the
bytes a cold build of the edited site writes, and a build with nothing to do rewrites nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder import pipeline
from site_builder.cli import main
from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.pipeline import BuildResult
from tests.samples import copy_sample_site

SKIP = {".site-builder-output"}  # the marker lists keys; the search index is compared separately


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in SKIP and "pagefind" not in p.parts
    }


def build(site: Path, *extra: str) -> None:
    assert main(["build", str(site), "--no-search", *extra]) == 0


def edit_body(site: Path) -> None:
    post = site / "content" / "weeknotes" / "platform-week-42.md"
    post.write_text(post.read_text() + "\nA late addition to the note, with a [link](platform-week-43.md).\n")


def edit_title(site: Path) -> None:
    post = site / "content" / "weeknotes" / "platform-week-39.md"
    text = post.read_text()
    post.write_text(text.replace("---\n", "---\ntitle: A brand new title\n", 1))


def edit_template(site: Path) -> None:
    folder = site / "themes" / "default" / "templates"
    folder.mkdir(parents=True)
    (folder / "weeknote.html").write_text(
        '{% extends "default/weeknote.html" %}{% block after %}<p class="x">Overridden</p>{% endblock %}'
    )


def edit_config(site: Path) -> None:
    config = site / "site.toml"
    config.write_text(config.read_text().replace('title = "', 'title = "Renamed: ', 1))


def edit_tag(site: Path) -> None:
    post = site / "content" / "case-studies" / "missed-bins.md"
    text = post.read_text()
    post.write_text(text.replace("tags: [", "tags: [bins, ", 1))


def delete_post(site: Path) -> None:
    (site / "content" / "weeknotes" / "resident-services-week-44.md").unlink()


def add_post(site: Path) -> None:
    (site / "content" / "weeknotes" / "platform-extra.md").write_text(
        "---\ndate: 2026-11-21\nteam: platform\nauthors: [Amara Okafor]\ntags: [beta, newtag]\n---\nExtra.\n"
    )


EDITS: dict[str, Callable[[Path], None]] = {
    "post body": edit_body,
    "post title": edit_title,
    "template": edit_template,
    "site.toml": edit_config,
    "tag": edit_tag,
    "deleted post": delete_post,
    "added post": add_post,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_sample_site(tmp_path_factory.mktemp("base"))
    build(site)
    return site


@pytest.mark.parametrize("name", list(EDITS))
def test_incremental_equals_cold_after_an_edit(name: str, built: Path, tmp_path: Path) -> None:
    warm = tmp_path / "warm"
    shutil.copytree(built, warm, symlinks=True)  # the output and the cache of a previous build
    EDITS[name](warm)
    build(warm)
    cold = copy_sample_site(tmp_path / "cold")
    shutil.rmtree(cold / "content")
    shutil.copytree(warm / "content", cold / "content")
    shutil.copy(warm / "site.toml", cold / "site.toml")
    if (warm / "themes").exists():
        shutil.copytree(warm / "themes", cold / "themes")
    build(cold)
    got, want = tree(warm / "output"), tree(cold / "output")
    assert sorted(got) == sorted(want)
    different = [path for path in want if got[path] != want[path]]
    assert different == []


def test_a_build_with_nothing_to_do_rewrites_nothing(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "again"
    shutil.copytree(built, site, symlinks=True)
    build(site)  # settles anything the copy changed (mtimes of sources)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (site / "output").rglob("*") if p.is_file()}
    build(site)
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (site / "output").rglob("*") if p.is_file()}
    assert before == after


def test_one_body_edit_rewrites_only_what_shows_the_body(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "one"
    shutil.copytree(built, site, symlinks=True)
    build(site)
    before = {
        p.relative_to(site / "output").as_posix(): p.stat().st_ino for p in (site / "output").rglob("*.*")
    }
    post = site / "content" / "weeknotes" / "platform-week-40.md"
    post.write_text(
        post.read_text().replace("I dream in postcodes now.", "I dream in postcodes today.")
    )  # same word count
    build(site)
    changed = sorted(
        p.relative_to(site / "output").as_posix()
        for p in (site / "output").rglob("*.*")
        if before.get(p.relative_to(site / "output").as_posix()) != p.stat().st_ino
    )
    page = "weeknotes/2026/10/platform-week-40/index.html"
    assert page in changed
    assert all(
        p == page or p.endswith(("feed.xml", "atom.xml", "feed.json", "sitemap.xml")) or p.startswith(".")
        for p in changed
    ), changed
    assert "index.html" not in changed and "weeknotes/index.html" not in changed  # lists show summaries


def test_jobs_1_and_jobs_2_write_identical_trees(tmp_path: Path) -> None:
    one, two = copy_sample_site(tmp_path / "one"), copy_sample_site(tmp_path / "two")
    build(one, "--jobs", "1")
    build(two, "--jobs", "2")
    assert tree(one / "output") == tree(two / "output")


def test_a_template_change_keeps_untouched_pages(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "tpl"
    shutil.copytree(built, site, symlinks=True)
    build(site)
    out = site / "output"
    case_study = out / "case-studies" / "missed-bins" / "index.html"
    weeknote = out / "weeknotes" / "2026" / "10" / "platform-week-40" / "index.html"
    inode_case, inode_week = case_study.stat().st_ino, weeknote.stat().st_ino
    edit_template(site)
    build(site)
    assert case_study.stat().st_ino == inode_case  # case-study.html does not use weeknote.html
    assert weeknote.stat().st_ino != inode_week
    assert b"Overridden" in weeknote.read_bytes()
    assert os.path.exists(out / ".site-builder-output")


def _run(site: Path, now: dt.datetime | None = None, strict: bool = False) -> BuildResult:
    opts = BuildOptions(jobs=1, search=False, now=now, strict=strict)
    return pipeline.build(load_config(site.resolve()), opts)


def test_a_build_with_nothing_to_do_stops_after_discovery(tmp_path: Path) -> None:
    site = copy_sample_site(tmp_path / "s")
    (site / "content" / "weeknotes" / "broken-link.md").write_text(
        "---\ndate: 2026-11-02\n---\nSee [this](missing.md).\n"
    )
    first = _run(site)
    assert first.written and first.routes and len(first.diagnostics.warnings) == 1
    again = _run(site)
    assert again.written and again.routes == ()  # nothing parsed or planned
    assert [d.code for d in again.diagnostics.warnings] == ["link/broken"]  # still reported
    assert again.stats.pages == first.stats.pages and again.stats.rendered_pages == 0
    assert not _run(site, strict=True).written  # --strict still fails on the warning


def test_a_touched_file_is_checked_then_recorded(tmp_path: Path) -> None:
    site = copy_sample_site(tmp_path / "s")
    _run(site)
    post = site / "content" / "weeknotes" / "platform-week-40.md"
    os.utime(post, ns=(post.stat().st_atime_ns, post.stat().st_mtime_ns + 10**9))
    checked = _run(site)
    assert checked.routes and checked.stats.rendered_pages == 0  # read again, nothing rendered
    assert _run(site).routes == ()  # and recorded, so the next build stops early


def test_a_scheduled_post_appears_on_its_day_even_with_nothing_else_changed(tmp_path: Path) -> None:
    site = copy_sample_site(tmp_path / "s")
    (site / "content" / "weeknotes" / "scheduled.md").write_text(
        "---\ndate: 2026-12-01T09:00:00+00:00\nteam: platform\n---\nOut on the first of December.\n"
    )
    before = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert _run(site, now=before).written
    page = site / "output" / "weeknotes" / "2026" / "12" / "scheduled" / "index.html"
    assert not page.exists()
    assert _run(site, now=before + dt.timedelta(minutes=30)).routes == ()  # same day, not yet due
    assert _run(site, now=before + dt.timedelta(hours=2)).routes  # due: a real build
    assert page.is_file()
