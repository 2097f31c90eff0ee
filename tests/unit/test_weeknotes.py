"""ISO-week arithmetic, streaks and missed weeks across year ends."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.weeknotes import regularity, week_index, week_monday


def w(year: int, week: int) -> int:
    """The week index of ISO week ``week`` of ``year``."""
    return week_index(dt.date.fromisocalendar(year, week, 1))


@pytest.mark.parametrize(
    ("day", "iso_week"),
    [
        (dt.date(2020, 12, 31), (2020, 53)),  # a Thursday in a 53-week year
        (dt.date(2021, 1, 3), (2020, 53)),  # a Sunday in January still in 2020's week 53
        (dt.date(2021, 1, 4), (2021, 1)),
        (dt.date(2024, 12, 30), (2025, 1)),  # week 1 starting in late December
        (dt.date(2026, 11, 23), (2026, 48)),
    ],
)
def test_week_index_finds_the_iso_week_and_its_monday(day: dt.date, iso_week: tuple[int, int]) -> None:
    year, week, _ = week_monday(week_index(day)).isocalendar()
    assert (year, week) == iso_week
    assert week_monday(week_index(day)).weekday() == 0
    assert week_monday(week_index(day)) <= day < week_monday(week_index(day)) + dt.timedelta(days=7)


def test_consecutive_weeks_across_week_53_differ_by_one() -> None:
    assert w(2021, 1) - w(2020, 53) == 1
    assert w(2020, 53) - w(2020, 52) == 1
    assert w(2025, 1) - w(2024, 52) == 1  # 2024 has 52 weeks


def test_weekly_streak_runs_over_the_new_year_with_week_53() -> None:
    weeks = [w(2020, 51), w(2020, 52), w(2020, 53), w(2021, 1), w(2021, 2)]
    streak, missed = regularity(weeks, 1, this_week=w(2021, 2))
    assert streak == 5
    assert missed == ()


def test_current_week_without_a_note_does_not_break_the_streak() -> None:
    weeks = [w(2026, 45), w(2026, 46), w(2026, 47)]
    assert regularity(weeks, 1, this_week=w(2026, 48)) == (3, ())


def test_a_missed_week_ends_the_streak_and_is_reported() -> None:
    weeks = [w(2026, 40), w(2026, 41), w(2026, 43), w(2026, 44)]
    streak, missed = regularity(weeks, 1, this_week=w(2026, 44))
    assert streak == 2
    assert missed == (dt.date(2026, 10, 12),)  # the Monday of week 42


def test_not_publishing_last_week_means_no_streak() -> None:
    weeks = [w(2026, 40), w(2026, 41)]
    streak, missed = regularity(weeks, 1, this_week=w(2026, 44))
    assert streak == 0
    assert missed == (dt.date.fromisocalendar(2026, 42, 1), dt.date.fromisocalendar(2026, 43, 1))


def test_missed_weeks_only_in_the_last_quarter() -> None:
    weeks = [w(2026, 1), w(2026, 40)]
    _, missed = regularity(weeks, 1, this_week=w(2026, 41))
    # The quarter is the 13 weeks ending with this one (29-41); 40 has a note, 41 is not over yet.
    assert missed == tuple(dt.date.fromisocalendar(2026, n, 1) for n in range(29, 40))


def test_fortnightly_cadence_counts_periods_of_two_weeks() -> None:
    weeks = [w(2026, 30), w(2026, 32), w(2026, 35), w(2026, 36)]  # the third note came a week late
    streak, missed = regularity(weeks, 2, this_week=w(2026, 37))
    assert streak == 4  # periods starting weeks 30, 32, 34 (note in 35), 36
    assert missed == ()


def test_fortnightly_across_the_year_end_with_a_gap() -> None:
    weeks = [w(2020, 49), w(2020, 51), w(2021, 2)]  # the period starting 2020-W53 has no note
    streak, missed = regularity(weeks, 2, this_week=w(2021, 3))
    assert streak == 1
    assert missed == (dt.date.fromisocalendar(2020, 53, 1),)


def test_no_notes() -> None:
    assert regularity([], 1, this_week=w(2026, 48)) == (0, ())
