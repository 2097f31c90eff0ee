"""The parse cache's payload packed for its file, every value checked to read back exactly.

A value that would not read back exactly (a subclass, a time zone with neither an IANA name nor a
fixed offset, an integer beyond 64 bits) leaves its entry out: that file is parsed again next build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import msgpack

from ..diagnostics import Diagnostic
from ..model import Contributor, Document
from .payload import (
    CONTRIBUTOR_TYPES,
    DEPTH,
    EXT_CONTRIBUTOR,
    EXT_DATE,
    EXT_DATETIME,
    EXT_TIME,
    EXT_TUPLE,
    GET_FIELDS,
    GET_PLAIN,
    KEY_ROW,
    KEYS,
    MAPPINGS_AT,
    MOMENTS_AT,
    PART_AT,
    PART_TYPES,
    PLAIN_TYPES,
    PROBLEM_ROWS,
    SCALARS,
    TEXTS_AT,
    all_exactly,
)

if TYPE_CHECKING:  # parse_cache imports this module to write its file
    from .parse_cache import ParseEntry, Signature

_TUPLE_MARK = msgpack.ExtType(EXT_TUPLE, b"")  # first in a list that was a tuple


class _Unfit(Exception):
    """A value the file cannot hold exactly: its entry is left out, and its file parsed again."""


def payload_parts(entries: Mapping[str, ParseEntry], keys: Mapping[Signature, str]) -> Iterator[bytes]:
    """The payload in parts, written as they are packed (no second copy of the cache in memory).
    An entry that cannot be written exactly is left out, or written as nil when packing finds it."""
    # unicode_errors (here and in _packb), even at its default, makes msgpack encode each str into a
    # bytes object it then drops. Without it, msgpack asks CPython for the str's UTF-8 form, which
    # the str keeps for life: at 10,000 posts, 40 MB more held by the build through rendering.
    packer = msgpack.Packer(use_bin_type=True, unicode_errors="strict")
    key_rows = [row for row in ((*sig, key) for sig, key in keys.items()) if tuple(map(type, row)) == KEY_ROW]
    owner = {row[4]: row[0] for row in key_rows}
    rows = []
    for key, (doc, problems) in entries.items():
        if owner.get(key) is None or (doc is not None and doc.id != owner[key]):
            continue  # reading would refuse it (see decode.py)
        with contextlib.suppress(_Unfit, OverflowError):
            rows.append(
                (key, None if doc is None else _document_row(doc), [_problem_row(p) for p in problems])
            )
    yield packer.pack_array_header(2)
    yield packer.pack_array_header(len(rows))
    for row in rows:
        try:
            yield packer.pack(row)
        except (OverflowError, TypeError, ValueError):  # ValueError: a lone surrogate, say
            yield packer.pack(None)
    yield packer.pack(key_rows)


def _document_row(doc: Document) -> list[Any]:
    row = list(GET_FIELDS(doc))
    if type(doc) is not Document or tuple(map(type, GET_PLAIN(row))) != PLAIN_TYPES:
        raise _Unfit
    for at in TEXTS_AT:
        if type(row[at]) is not tuple or not all_exactly(row[at], str):
            raise _Unfit
    for at in MOMENTS_AT:
        if row[at] is not None:
            row[at] = _value(row[at], 0) if type(row[at]) is dt.datetime else _unfit()
    for at, cls, fields_of in PART_AT:
        items = row[at]
        if type(items) is not tuple or not all_exactly(items, cls):
            raise _Unfit
        row[at] = [fields_of(item) for item in items]
        if not all(tuple(map(type, part)) == PART_TYPES[cls] for part in row[at]):
            raise _Unfit
    for at in MAPPINGS_AT:
        if type(row[at]) is not dict or not all_exactly(row[at], str):
            raise _Unfit
        plain = _value(row[at], 0)  # scalars only go as a map; anything else packed inside as bytes
        row[at] = plain if SCALARS.issuperset(map(type, plain.values())) else _packb(plain)
    return row


def _problem_row(p: Diagnostic) -> tuple[object, ...]:
    row = (p.severity.value, p.code, p.path, p.message, p.line, p.hint)
    if type(p) is not Diagnostic or tuple(map(type, row)) not in PROBLEM_ROWS:
        raise _Unfit
    return row


def _packb(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True, unicode_errors="strict")  # type: ignore[no-any-return]


def _unfit() -> Any:
    raise _Unfit


def _value(value: Any, depth: int) -> Any:
    """A front matter value as MessagePack holds it: ``_Unfit`` if it has no exact form there."""
    kind = type(value)
    if kind in SCALARS:
        return value if kind is not int or -(2**63) <= value < 2**64 else _unfit()
    if depth > DEPTH:
        raise _Unfit
    if kind is list:
        return [_value(v, depth + 1) for v in value]
    if kind is dict:
        return {
            _value(k, depth + 1) if type(k) in KEYS else _unfit(): _value(v, depth + 1)
            for k, v in value.items()
        }
    if kind is tuple:
        return [_TUPLE_MARK, *(_value(v, depth + 1) for v in value)]
    parts: tuple[Any, ...]
    if kind is dt.datetime or kind is dt.time:
        zone = _zone_of(value.tzinfo)
        parts = (value.hour, value.minute, value.second, value.microsecond, value.fold, zone)
        if kind is dt.datetime:
            parts, code = (value.year, value.month, value.day, *parts), EXT_DATETIME
        else:
            code = EXT_TIME
    elif kind is dt.date:
        parts, code = (value.year, value.month, value.day), EXT_DATE
    elif kind is Contributor and tuple(map(type, dataclasses.astuple(value))) == CONTRIBUTOR_TYPES:
        parts, code = dataclasses.astuple(value), EXT_CONTRIBUTOR
    else:
        raise _Unfit
    return msgpack.ExtType(code, _packb(parts))


def _zone_of(tz: dt.tzinfo | None) -> str | tuple[int, int] | None:
    """A time zone by its IANA name, or a fixed offset (what YAML and TOML give): nothing else."""
    if tz is None:
        return None
    if type(tz) is zoneinfo.ZoneInfo and type(tz.key) is str:
        with contextlib.suppress(KeyError, ValueError, OSError):
            if zoneinfo.ZoneInfo(tz.key) is tz:  # not one made apart from the cache (no_cache, a file)
                return tz.key
    if type(tz) is dt.timezone:
        offset = tz.utcoffset(None)
        if repr(tz) == repr(dt.timezone(offset)):  # no name of its own
            return (offset.days * 86400 + offset.seconds, offset.microseconds)
    raise _Unfit
