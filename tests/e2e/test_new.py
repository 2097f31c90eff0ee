"""`site-builder new`: each kind lands in its section, dated today, and parses back (issue 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.commands import new
from site_builder.config import load_config
from site_builder.frontmatter import split
from site_builder.kinds import coerce
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
    assert (site / "output" / "weeknotes" / "2026" / "12" / "week-one" / "index.html").is_file()
