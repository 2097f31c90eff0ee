"""What every page says is true: facts a post declares reach the page that shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from site_builder import render

Cli = Callable[[Sequence[str]], tuple[int, str, str]]


def _text(out: Path, rel: str) -> tuple[lxml_html.HtmlElement, str]:
    page = lxml_html.fromstring((out / rel).read_bytes())
    return page, " ".join(page.text_content().split())


def test_a_case_study_shows_its_sector(make_site: Callable[..., Path], run_cli: Cli) -> None:
    study = "---\ntitle: Repairs\ndate: 2026-10-01\nsector: local government\n---\nText.\n"
    root = make_site({"content/case-studies/repairs.md": study})
    assert run_cli(["build", str(root)])[0] == 0
    page, _ = _text(root / "output", "case-studies/repairs/index.html")
    sector = page.xpath("//dt[text()='Sector']/following-sibling::dd/a")
    assert [(a.text, a.get("href")) for a in sector] == [
        ("Local government", "/case-studies/sectors/local-government/")
    ]
    _, listing = _text(root / "output", "case-studies/sectors/local-government/index.html")
    assert "Repairs" in listing


def test_a_contributor_with_several_contributions_links_to_all_of_them(
    make_site: Callable[..., Path], run_cli: Cli
) -> None:
    def post(title: str, who: str) -> str:
        return f"---\ntitle: {title}\ndate: 2026-10-0{len(title)}\ncontributor:\n  name: {who}\n---\nText.\n"

    root = make_site(
        {
            "content/contributions/a.md": post("A", "Sam Lee"),
            "content/contributions/bb.md": post("BB", "Sam Lee"),
            "content/contributions/ccc.md": post("CCC", "Ann Roe"),
        }
    )
    assert run_cli(["build", str(root)])[0] == 0
    out = root / "output"
    for rel in ("contributions/a/index.html", "contributions/bb/index.html"):
        page, text = _text(out, rel)
        assert "All 2 contributions by Sam Lee" in text
        assert page.xpath("//a[@class='contributor-more']/@href") == ["/contributions/contributors/sam-lee/"]
    _, text = _text(out, "contributions/ccc/index.html")
    assert "contributions by" not in text  # one contribution: nothing more to see


NEW_YEAR_SITE = {
    "content/weeknotes/dec-30.md": "---\ndate: 2026-12-30\nteam: platform\n---\nWeek 53 begins.\n",
    "content/weeknotes/jan-01.md": "---\ndate: 2027-01-01\nteam: platform\n---\nNew Year's Day.\n",
    "content/weeknotes/jan-05.md": "---\ndate: 2027-01-05\nteam: platform\n---\nWeek 1.\n",
}


def test_the_archive_groups_by_iso_year_and_says_which_days_a_week_is(
    make_site: Callable[..., Path], build: Callable[..., Any]
) -> None:
    root = make_site(NEW_YEAR_SITE)
    assert build(root, now=dt.datetime(2027, 1, 20, tzinfo=dt.UTC)).written
    page, text = _text(root / "output", "archive/2026/index.html")
    assert [h.text_content() for h in page.xpath("//section[@class='week']/h2")] == [
        "Week 53 (28 December to 3 January 2027)"
    ]
    assert "Weeknotes: week 53, 2026" in text and text.count("Weeknotes: week 53, 2026") == 2
    _, text = _text(root / "output", "archive/2027/index.html")
    assert "Week 1 (4 January to 10 January 2027)" in text and "week 53" not in text


def test_missed_weeks_name_their_year_and_the_streak_says_when(
    make_site: Callable[..., Path], build: Callable[..., Any]
) -> None:
    root = make_site(NEW_YEAR_SITE)
    assert build(root, now=dt.datetime(2027, 1, 27, tzinfo=dt.UTC)).written
    page, _ = _text(root / "output", "teams/platform/index.html")
    facts = {
        " ".join(div.xpath("string(dt)").split()): " ".join(div.xpath("string(dd)").split())
        for div in page.xpath("//dl[@class='regularity']/div")
    }
    assert facts["Streak"] == "0 weeks in a row, as of 27 January 2027"
    assert facts["Missed in the last quarter"] == "2: week 2 of 2027, week 3 of 2027"
    assert page.xpath("//dl[@class='regularity']//time/@datetime")[0].startswith("2027-01-27")


def test_an_author_with_a_cadence_has_a_streak_and_others_do_not(
    make_site: Callable[..., Path], build: Callable[..., Any]
) -> None:
    config = (
        'title = "T"\nbase_url = "https://example.org/"\n'
        '[authors.ann-roe]\nname = "Ann Roe"\ncadence = "fortnightly"\n'
        '[authors.bo-li]\nname = "Bo Li"\n'
    )
    notes = {
        f"content/weeknotes/{who}-{day}.md": f"---\ndate: 2026-11-{day}\nauthors: [{name}]\n---\nText.\n"
        for who, name in (("ann", "Ann Roe"), ("bo", "Bo Li"))
        for day in ("02", "16", "30")
    }
    root = make_site(notes, config=config)
    assert build(root, now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC)).written
    _, text = _text(root / "output", "authors/ann-roe/index.html")
    assert "written fortnightly" in text
    assert "3 fortnights in a row, as of 2 December 2026" in text
    bo, text = _text(root / "output", "authors/bo-li/index.html")
    assert not bo.xpath("//dl[@class='regularity']") and "in a row" not in text


def test_an_unknown_cadence_names_the_author(make_site: Callable[..., Path], run_cli: Cli) -> None:
    config = 'title = "T"\nbase_url = "https://example.org/"\n[authors.ann]\ncadence = "daily"\n'
    root = make_site({"content/a.md": "A"}, config=config)
    code, _, err = run_cli(["build", str(root)])
    assert code == 1 and "authors.ann.cadence: unknown cadence 'daily'" in err


def test_dates_are_formatted_without_platform_flags() -> None:
    """Windows' strftime rejects ``%-d``: the filter must never hand it over."""

    class WindowsDate(dt.datetime):
        def strftime(self, fmt: str) -> str:
            if "%-" in fmt:
                raise ValueError("Invalid format string")
            return super().strftime(fmt)

    day = WindowsDate(2027, 1, 3, tzinfo=dt.UTC)
    assert render._format_date(day) == "3 January 2027"
    assert render._format_date(day, "%-d/%-m/%Y") == "3/1/2027"
    assert render._format_date(None) == ""
