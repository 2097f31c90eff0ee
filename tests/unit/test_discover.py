"""discover: what under content/ and static/ is a source, an asset, or ignored."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.diagnostics import Severity
from site_builder.discover import discover
from site_builder.walk import is_ignored

MakeSite = Callable[..., Path]
NEEDS_LINKS = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a linked file in content/ is a POSIX case",
)


@pytest.mark.parametrize(
    "name",
    [
        ".post.md.swp",
        "post.md.swx",
        "post.md~",
        ".#post.md",
        "#post.md#",
        "4913",
        ".DS_Store",
        "Thumbs.db",
        "_partial.md",
        ".hidden.md",
        "x.tmp",
    ],
)
def test_editor_and_os_files_are_ignored(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize("name", ["_index.md", "post.md", "2026-01-02-new-year.md", "image.svg"])
def test_real_files_are_not_ignored(name: str) -> None:
    assert not is_ignored(name)


def test_sources_sections_and_assets(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/about.md": "About",
            "content/_index.md": "Home",
            "content/weeknotes/_index.md": "---\ntitle: Weeknotes\n---\n",
            "content/weeknotes/2026/week-1.md": "One",
            "content/weeknotes/week-2.markdown": "Two",
            "content/weeknotes/chart.svg": "<svg/>",
            "content/weeknotes/.week-3.md.swp": "swap",
            "content/weeknotes/week-3.md~": "backup",
            "content/weeknotes/4913": "",
            "content/.git/config": "x",
            "content/_drafts/idea.md": "not content",
            "static/css/extra.css": "body{}",
        }
    )
    inventory, problems = discover(root, ())
    assert [(p.severity, p.code, p.path) for p in problems] == [
        (Severity.NOTE, "content/skipped", "content/_drafts")  # a folder left out for its name
    ]
    assert [(s.id, s.section, s.is_index) for s in inventory.sources] == [
        ("_index.md", "", True),
        ("about.md", "", False),
        ("weeknotes/2026/week-1.md", "weeknotes", False),
        ("weeknotes/_index.md", "weeknotes", True),
        ("weeknotes/week-2.markdown", "weeknotes", False),
    ]
    assert inventory.sections == ("weeknotes",)
    assert [s.rel for s in inventory.statics] == ["css/extra.css", "weeknotes/chart.svg"]


def test_site_static_overrides_theme_static(make_site: MakeSite, tmp_path: Path) -> None:
    theme_static = tmp_path / "theme-static"
    (theme_static / "css").mkdir(parents=True)
    (theme_static / "css" / "site.css").write_text("theme")
    (theme_static / "css" / "code.css").write_text("theme")
    root = make_site({"content/a.md": "A", "static/css/site.css": "mine"})
    inventory, _ = discover(root, (theme_static,))
    by_rel = {s.rel: s.path for s in inventory.statics}
    assert by_rel["css/site.css"] == root / "static" / "css" / "site.css"
    assert by_rel["css/code.css"] == theme_static / "css" / "code.css"


@NEEDS_LINKS
def test_symlinked_folder_is_not_followed(make_site: MakeSite, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_text("secret")
    root = make_site({"content/a.md": "A"})
    os.symlink(elsewhere, root / "content" / "linked", target_is_directory=True)
    os.symlink(root / "content", root / "content" / "loop", target_is_directory=True)  # a loop
    inventory, problems = discover(root, ())
    assert [s.id for s in inventory.sources] == ["a.md"]
    assert sorted((p.code, p.path, p.severity) for p in problems) == [
        ("discover/symlink-dir", "content/linked", Severity.WARNING),
        ("discover/symlink-dir", "content/loop", Severity.WARNING),
    ]


@NEEDS_LINKS
def test_file_link_out_of_the_site_is_an_error(make_site: MakeSite, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: from outside\n---\n")
    root = make_site({"content/a.md": "A"})
    os.symlink(outside, root / "content" / "b.md")
    inventory, problems = discover(root, ())
    assert [s.id for s in inventory.sources] == ["a.md"]
    assert [(p.code, p.path, p.severity) for p in problems] == [
        ("discover/symlink-out", "content/b.md", Severity.ERROR)
    ]


@NEEDS_LINKS
def test_file_link_inside_the_site_is_followed(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": "A", "shared/b.md": "B"})
    os.symlink(root / "shared" / "b.md", root / "content" / "b.md")
    inventory, problems = discover(root, ())
    assert [s.id for s in inventory.sources] == ["a.md", "b.md"]
    assert problems == []


@NEEDS_LINKS
def test_dangling_and_looping_file_links_are_warnings(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": "A"})
    os.symlink("missing.md", root / "content" / "dangling.md")
    os.symlink("loop.md", root / "content" / "loop.md")
    inventory, problems = discover(root, ())
    assert [s.id for s in inventory.sources] == ["a.md"]
    assert sorted((p.code, p.path, p.severity) for p in problems) == [
        ("discover/symlink-broken", "content/dangling.md", Severity.WARNING),
        ("discover/symlink-broken", "content/loop.md", Severity.WARNING),
    ]


def test_no_content_folder_is_an_empty_inventory(make_site: MakeSite) -> None:
    inventory, problems = discover(make_site({}), ())
    assert (inventory.sources, inventory.statics, problems) == ((), (), [])


def test_markdown_suffix_in_capitals_is_a_source_not_a_static_copy(make_site: MakeSite) -> None:
    # copied as is, a draft's raw source would be published
    root = make_site({"content/notes/Plan.MD": "---\ndraft: true\n---\nSecret\n"})
    inventory, _ = discover(root, ())
    assert [s.id for s in inventory.sources] == ["notes/Plan.MD"]
    assert inventory.statics == ()
