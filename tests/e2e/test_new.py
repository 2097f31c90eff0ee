"""`site-builder new`: each kind lands in its section, dated today, and parses back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.coercion import coerce
from site_builder.commands import new
from site_builder.config import load_config
from site_builder.frontmatter import Split, split
from site_builder.report import Reporter

TODAY = dt.date(2026, 12, 31)  # ISO week 53 of 2026


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(
        'title = "T"\nbase_url = "https://example.org/"\ntimezone = "Pacific/Auckland"\n'
        '[authors.amara-okafor]\nname = "Amara Okafor"\n[teams.platform]\nname = "Platform"\n'
    )
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "folder"),
    [
        ("weeknote", "weeknotes"),
        ("case-study", "case-studies"),
        ("contribution", "contributions"),
        ("page", ""),
    ],
)
def test_each_kind_parses_back_into_its_schema(site: Path, kind: str, folder: str) -> None:
    title = 'Shipping: the "beta" #1'
    assert new.run(site, kind, title, "Amara Okafor", "platform", Reporter(), today=TODAY) == 0
    path = site / "content" / folder / "shipping-the-beta-1.md"
    assert path.is_file()
    parts = split(path.read_text(), "x.md")
    assert not isinstance(parts, Exception) and hasattr(parts, "meta")
    config = load_config(site)
    coerced, problems = coerce(kind, parts.meta, "x.md", path.stem, config.tz, config.challenges, parts.lines)
    assert problems == []
    assert coerced.values["title"] == title
    date, date_only = coerced.values["date"]
    assert date.date() == TODAY and date_only
    if kind == "contribution":
        assert coerced.fields["contributor"].name == "Amara Okafor"
        assert coerced.fields["licence"] == "CC BY 4.0"
    else:
        assert coerced.values["authors"] == ("Amara Okafor",)
    if kind == "weeknote":
        assert coerced.fields["team"] == "platform"
        assert "ISO week 53, 2026" in path.read_text()
    # every field of the kind is in the file, set or commented with its help
    text = path.read_text()
    from site_builder.kinds import fields_of

    for f in fields_of(kind):
        assert f"{f.name}:" in text


def test_refuses_to_overwrite(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new.run(site, "page", "About", None, None, Reporter(), today=TODAY) == 0
    path = site / "content" / "about.md"
    path.write_text("mine")
    assert new.run(site, "page", "About", None, None, Reporter(), today=TODAY) == 1
    assert path.read_text() == "mine"
    assert "already exists" in capsys.readouterr().err


def test_today_is_in_the_site_timezone_and_the_author_defaults(site: Path) -> None:
    assert main(["new", "weeknote", "Today", "--path", str(site)]) == 0
    text = (site / "content" / "weeknotes" / "today.md").read_text()
    today_there = dt.datetime.now(dt.UTC).astimezone(load_config(site).tz).date()
    assert f"date: {today_there.isoformat()}" in text
    assert 'authors: ["Amara Okafor"]' in text  # the only author profile in site.toml


def test_the_new_file_builds(site: Path) -> None:
    assert new.run(site, "weeknote", "Week one", "Amara Okafor", "platform", Reporter(), today=TODAY) == 0
    assert main(["build", str(site), "--future"]) == 0
    assert not (site / "output" / "weeknotes" / "2026" / "12" / "week-one").exists()  # a draft
    assert main(["build", str(site), "--future", "--drafts"]) == 0
    assert (site / "output" / "weeknotes" / "2026" / "12" / "week-one" / "index.html").is_file()


def test_a_weeknote_needs_no_title_and_takes_the_only_team(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new.run(site, "weeknote", None, None, None, Reporter(), today=TODAY) == 0
    path = site / "content" / "weeknotes" / "platform-week-53-2026.md"
    parts = split(path.read_text(), "x.md")
    assert isinstance(parts, Split)
    assert parts.meta["team"] == "platform" and parts.meta["draft"] is True and "title" not in parts.meta
    assert "# draft: true" not in path.read_text() and "delete this line to publish" in path.read_text()
    assert "a draft" in capsys.readouterr().out
    assert main(["build", str(site), "--drafts", "--future"]) == 0
    page = site / "output" / "weeknotes" / "2026" / "12" / "platform-week-53-2026" / "index.html"
    assert "Weeknotes: week 53, 2026" in page.read_text()


@pytest.mark.parametrize(
    ("kind", "title", "author", "team", "message", "hint"),
    [
        ("weeknote", None, None, "platfrom", "no team 'platfrom' in site.toml", "use one of: platform"),
        ("weeknote", "W", "Amara Okafr", None, "no author 'Amara Okafr'", "use one of: Amara Okafor"),
        ("case-study", None, None, None, "a case-study needs a title", 'site-builder new case-study "'),
    ],
)
def test_refuses_what_the_site_does_not_define(
    site: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    title: str | None,
    author: str | None,
    team: str | None,
    message: str,
    hint: str,
) -> None:
    assert new.run(site, kind, title, author, team, Reporter(), today=TODAY) == 1
    err = capsys.readouterr().err
    assert message in err and hint in err
    assert not list((site / "content").rglob("*.md"))  # nothing written


def test_help_is_written_for_users(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "weeknotes, case studies and community contributions" in out
    assert "site-builder init my-site --github-pages" in out and "README" in out
    assert "Command line: argparse" not in out  # not the module's docstring
