"""Weeknote streams: numbering per team and per author, streaks and missed weeks by cadence.

Weeks are ISO weeks, counted as the ordinal of their Monday divided by seven, so arithmetic across
year ends (week 53, week 1 starting in late December) is plain subtraction. A missed week is
reported, never filled with an empty post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .model import Document, Site, Stream, Term

QUARTER_WEEKS = 13
CADENCE_WEEKS = {"weekly": 1, "fortnightly": 2}


def week_index(day: dt.date) -> int:
    """A running number for the ISO week holding ``day``: consecutive weeks differ by one."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday.toordinal() // 7


def week_monday(index: int) -> dt.date:
    """The Monday of week ``index`` (day 1 of the proleptic calendar is a Monday)."""
    return dt.date.fromordinal(index * 7 + 1)


def streams(
    docs: Mapping[str, Document],
    terms: Mapping[str, Mapping[str, Term]],
    cadences: Mapping[tuple[str, str], str],
    today: dt.date,
) -> dict[tuple[str, str], Stream]:
    """Every team's and author's stream of weeknotes, from the team and author terms; ``cadences``
    by (taxonomy, slug), weekly where not given. Streaks are as of ``today``, the build's day."""
    members: dict[tuple[str, str], list[Document]] = {}
    for kind in ("teams", "authors"):
        for term in terms.get(kind, {}).values():
            notes = [docs[i] for i in term.docs if docs[i].kind == "weeknote" and docs[i].date]
            if notes:
                members[(kind, term.slug)] = sorted(notes, key=lambda d: (d.date, d.id))
    found = {}
    for (kind, slug), group in members.items():
        cadence = cadences.get((kind, slug), "weekly")
        weeks = [week_index(d.date.date()) for d in group if d.date]
        streak, missed = regularity(weeks, CADENCE_WEEKS[cadence], week_index(today))
        found[(kind, slug)] = Stream(
            kind, slug, cadence, tuple(d.id for d in group), streak, missed, group[-1].date, today
        )
    return found


def doc_streams(found: Mapping[tuple[str, str], Stream]) -> dict[str, tuple[str, str]]:
    """Each weeknote's own stream: its team's where it has one, else its first author's."""
    own: dict[str, tuple[str, str]] = {}
    for key in sorted(found, key=lambda k: k[0] != "teams"):  # teams first
        for doc_id in found[key].docs:
            own.setdefault(doc_id, key)
    return own


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


def stream_of(site: Site, doc: Document) -> Stream | None:
    """A weeknote's stream: its team's, else its first author's (notes are numbered per stream)."""
    key = site.doc_streams.get(doc.id)
    return site.streams[key] if key else None


def neighbours_of(site: Site, doc: Document) -> tuple[str | None, str | None]:
    """(older, newer): within the weeknote's stream, else within its section."""
    stream = stream_of(site, doc)
    if stream is not None and doc.id in stream:
        return stream.neighbours(doc.id)
    return site.neighbours.get(doc.id, (None, None))
