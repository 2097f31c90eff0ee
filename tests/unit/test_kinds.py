"""kinds.coerce: raw front matter -> typed values, with Jekyll/Hugo conventions and named problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from site_builder.coercion import Coerced, coerce
from site_builder.config import DEFAULT_CHALLENGES
from site_builder.diagnostics import Diagnostic, Severity
from site_builder.kinds import fields_of, warn_unknown_kind_fields, weeknote_title
from site_builder.model import Contributor

LONDON = ZoneInfo("Europe/London")
PATH = "content/x.md"


def run(
    kind: str, meta: Mapping[str, Any], stem: str = "post", lines: Mapping[str, int] | None = None
) -> tuple[Coerced, list[Diagnostic]]:
    return coerce(kind, meta, PATH, stem, LONDON, DEFAULT_CHALLENGES, lines or {})


def clean(kind: str, meta: Mapping[str, Any], stem: str = "post") -> Coerced:
    coerced, problems = run(kind, meta, stem)
    assert problems == []
    return coerced


def test_common_fields_are_coerced() -> None:
    values = clean(
        "page",
        {"title": 2026, "draft": "yes", "tags": ["beta", 42], "summary": "  Short.  ", "aliases": "/old/"},
    ).values
    assert values["title"] == "2026"
    assert values["draft"] is True
    assert values["tags"] == ("beta", "42")
    assert values["summary"] == "Short."
    assert values["aliases"] == ("/old/",)


def test_date_only_is_midnight_in_the_site_time_zone() -> None:
    date, date_only = clean("page", {"date": dt.date(2026, 7, 1)}).values["date"]
    assert date == dt.datetime(2026, 7, 1, 0, 0, tzinfo=LONDON)
    assert date.utcoffset() == dt.timedelta(hours=1)  # BST in July
    assert date_only is True


def test_naive_datetime_is_read_in_the_site_time_zone() -> None:
    date, date_only = clean("page", {"date": dt.datetime(2026, 3, 29, 0, 30)}).values["date"]
    assert date_only is False
    assert date.isoformat() == "2026-03-29T00:30:00+00:00"  # still GMT: the clocks go forward at 01:00


def test_datetime_with_offset_is_converted_to_the_site_time_zone() -> None:
    date, _ = clean("page", {"date": "2026-07-01T09:00:00-04:00"}).values["date"]
    assert date.isoformat() == "2026-07-01T14:00:00+01:00"


def test_weeknote_requires_a_date() -> None:
    _, problems = run("weeknote", {"title": "Week without a date"})
    assert [(p.code, p.severity) for p in problems] == [("front-matter/missing", Severity.ERROR)]
    assert "'date'" in problems[0].message
    assert "weeknote" in problems[0].message


def test_jekyll_file_name_gives_the_date() -> None:
    date, date_only = clean("weeknote", {}, stem="2026-01-02-new-year").values["date"]
    assert (date.year, date.month, date.day, date_only) == (2026, 1, 2, True)


def test_front_matter_date_wins_over_the_file_name() -> None:
    date, _ = clean("page", {"date": "2026-05-05"}, stem="2026-01-02-new-year").values["date"]
    assert date.date() == dt.date(2026, 5, 5)


def test_jekyll_space_separated_tags_and_categories() -> None:
    values = clean("page", {"tags": "beta procurement", "categories": "news updates"}).values
    assert values["tags"] == ("beta", "procurement", "news", "updates")


def test_jekyll_categories_list_without_tags() -> None:
    assert clean("page", {"categories": ["news", "forms"]}).values["tags"] == ("news", "forms")


def test_comma_separated_tag_string_keeps_multi_word_tags() -> None:
    assert clean("page", {"tags": "beta, user research"}).values["tags"] == ("beta", "user research")


def test_author_becomes_authors() -> None:
    assert clean("page", {"author": "Amara Okafor"}).values["authors"] == ("Amara Okafor",)
    assert clean("page", {"author": ["A", "B"]}).values["authors"] == ("A", "B")


def test_authors_wins_over_author() -> None:
    assert clean("page", {"author": "A", "authors": ["B"]}).values["authors"] == ("B",)


def test_hugo_lastmod_becomes_updated() -> None:
    updated, _ = clean("page", {"lastmod": "2026-03-01"}).values["updated"]
    assert updated.date() == dt.date(2026, 3, 1)


def test_jekyll_published_false_is_a_draft() -> None:
    assert clean("page", {"published": False}).values["draft"] is True
    assert clean("page", {}).values["draft"] is False


def test_layout_is_ignored_without_a_problem() -> None:
    coerced = clean("page", {"layout": "post", "weight": 3})
    assert "layout" not in coerced.params
    assert "layout" not in coerced.values


def test_unknown_keys_are_kept_as_params() -> None:
    assert clean("page", {"mood": "sunny"}).params == {"mood": "sunny"}


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("date", "yesterday", 5),
        ("date", "2026-02-30", 5),
        ("date", True, 5),
        ("draft", "maybe", 4),
        ("tags", {"a": 1}, 3),
        ("title", ["a", "b"], 2),
        ("tags", ["ok", None], 3),
    ],
)
def test_wrong_types_name_the_field_and_its_line(field: str, value: Any, line: int) -> None:
    lines = {"title": 2, "tags": 3, "draft": 4, "date": 5}
    _, problems = run("page", {field: value}, lines=lines)
    assert len(problems) == 1
    found = problems[0]
    assert found.code == "front-matter/type"
    assert found.severity is Severity.ERROR
    assert f"'{field}'" in found.message
    assert found.line == line
    assert found.path == PATH


def test_every_wrong_field_is_reported_at_once() -> None:
    _, problems = run("page", {"date": "soon", "draft": "perhaps"})
    assert sorted(p.message.split("'")[1] for p in problems) == ["date", "draft"]


def test_unknown_challenge_is_an_error_naming_it() -> None:
    coerced, problems = run("case-study", {"challenges": ["funding", "weather"]}, lines={"challenges": 7})
    assert [(p.code, p.line) for p in problems] == [("front-matter/challenge", 7)]
    assert "'weather'" in problems[0].message
    assert "governance" in problems[0].hint  # says which values are allowed
    assert coerced.fields["challenges"] == ("funding", "weather")


def test_known_challenges_pass() -> None:
    fields = clean("case-study", {"challenges": ["funding", "procurement"], "status": "beta"}).fields
    assert fields == {"challenges": ("funding", "procurement"), "status": "beta"}


def test_contributor_as_mapping_or_string() -> None:
    full = {"name": "Sam Lee", "organisation": "Leeds", "url": "https://example.org/sam"}
    fields = clean("contribution", {"contributor": full}).fields
    assert fields["contributor"] == Contributor("Sam Lee", "Leeds", "https://example.org/sam")
    assert clean("contribution", {"contributor": "Sam"}).fields["contributor"] == Contributor("Sam")


def test_contributor_is_required_and_checked() -> None:
    _, missing = run("contribution", {"title": "x"})
    assert [p.code for p in missing] == ["front-matter/missing"]
    _, extra = run("contribution", {"contributor": {"name": "Sam", "email": "s@example.org"}})
    assert [p.code for p in extra] == ["front-matter/type"]


def test_fields_of_weeknote_make_date_required() -> None:
    date = next(f for f in fields_of("weeknote") if f.name == "date")
    assert date.required is True
    assert next(f for f in fields_of("page") if f.name == "date").required is False


def test_field_of_another_kind_is_a_warning() -> None:
    found = warn_unknown_kind_fields(
        "weeknote", {"date": "x", "organisation": "Leeds"}, PATH, {"organisation": 4}
    )
    assert [(d.code, d.severity, d.line) for d in found] == [("front-matter/field", Severity.WARNING, 4)]


@pytest.mark.parametrize(
    ("date", "title"),
    [
        (dt.date(2026, 3, 12), "Weeknotes: week 11, 2026"),
        (dt.date(2027, 1, 1), "Weeknotes: week 53, 2026"),  # a Friday in ISO week 53 of 2026
        (dt.date(2021, 1, 3), "Weeknotes: week 53, 2020"),
        (dt.date(2025, 12, 29), "Weeknotes: week 1, 2026"),  # a Monday already in 2026's week 1
    ],
)
def test_weeknote_title_uses_the_iso_week_and_year(date: dt.date, title: str) -> None:
    assert weeknote_title(dt.datetime(date.year, date.month, date.day, tzinfo=LONDON)) == title
