"""Weeknote streams: numbering per team and per author, streaks and missed weeks by cadence (SPEC §3).

Weeks are ISO weeks, counted as the ordinal of their Monday divided by seven, so arithmetic across
year ends (week 53, week 1 starting in late December) is plain subtraction. A missed week is
reported, never filled with an empty post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .model import Document

QUARTER_WEEKS = 13
CADENCE_WEEKS = {"weekly": 1, "fortnightly": 2}


def week_index(day: dt.date) -> int:
    """A running number for the ISO week holding ``day``: consecutive weeks differ by one."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday.toordinal() // 7


def week_monday(index: int) -> dt.date:
    """The Monday of week ``index`` (day 1 of the proleptic calendar is a Monday)."""
    return dt.date.fromordinal(index * 7 + 1)


def iso_label(index: int) -> str:
    year, week, _ = week_monday(index).isocalendar()
    return f"week {week}, {year}"


@dataclass(frozen=True, slots=True)
class Stream:
    """One team's or author's weeknotes, oldest first, with how regularly they publish."""

    kind: str  # "teams" or "authors"
    slug: str
    cadence: str
    docs: tuple[str, ...]  # oldest first: the number of a note is its position + 1
    streak: int  # consecutive periods published, up to the latest period that is due
    missed: tuple[dt.date, ...]  # Mondays of the periods missed in the last quarter
    last_published: dt.datetime | None

    def number(self, doc_id: str) -> int:
        return self.docs.index(doc_id) + 1

    def neighbours(self, doc_id: str) -> tuple[str | None, str | None]:
        """(older, newer) within the stream."""
        n = self.docs.index(doc_id)
        return (self.docs[n - 1] if n > 0 else None, self.docs[n + 1] if n + 1 < len(self.docs) else None)


def streams(
    docs: Iterable[Document],
    cadences: Mapping[str, str],
    team_slug: Mapping[str, str],
    author_slugs: Mapping[str, tuple[str, ...]],
    today: dt.date,
) -> dict[tuple[str, str], Stream]:
    """Every team's and author's stream of weeknotes; ``team_slug``/``author_slugs`` map doc ids."""
    notes = sorted((d for d in docs if d.kind == "weeknote" and d.date), key=lambda d: (d.date, d.id))
    members: dict[tuple[str, str], list[Document]] = {}
    for doc in notes:
        if team_slug.get(doc.id):
            members.setdefault(("teams", team_slug[doc.id]), []).append(doc)
        for author in author_slugs.get(doc.id, ()):
            members.setdefault(("authors", author), []).append(doc)
    found = {}
    for (kind, slug), group in members.items():
        cadence = cadences.get(slug, "weekly") if kind == "teams" else "weekly"
        weeks = [week_index(d.date.date()) for d in group if d.date]
        streak, missed = regularity(weeks, CADENCE_WEEKS[cadence], week_index(today))
        found[(kind, slug)] = Stream(
            kind, slug, cadence, tuple(d.id for d in group), streak, missed, group[-1].date
        )
    return found


def regularity(weeks: list[int], every: int, this_week: int) -> tuple[int, tuple[dt.date, ...]]:
    """(streak, missed Mondays in the last quarter) for notes in ``weeks``, due every ``every`` weeks.

    Periods are anchored on the first note's week. The current period counts once a note is in it;
    until then the streak runs up to the period before, so Monday morning does not break a streak.
    """
    if not weeks:
        return 0, ()
    first = min(weeks)
    published = set(weeks)

    def has_note(period_start: int) -> bool:
        return any(w in published for w in range(period_start, period_start + every))

    current = first + (this_week - first) // every * every
    due = current if has_note(current) else current - every
    streak = 0
    start = due
    while start >= first and has_note(start):
        streak += 1
        start -= every
    horizon = this_week - QUARTER_WEEKS
    missed = tuple(week_monday(s) for s in range(first, due + 1, every) if s > horizon and not has_note(s))
    return streak, missed
