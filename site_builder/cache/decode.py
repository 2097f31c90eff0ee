"""The parse cache's payload read back, every value checked for its exact type before it is used.

Anyone who can commit can put a cache file in the site folder (SECURITY.md): reading one runs no
code and makes nothing but the types ``payload`` lists, and an entry is believed only for the
file its key was made from.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
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
    FIELDS,
    GET_PLAIN,
    KEY_ROW,
    KEYS,
    MAPPINGS_AT,
    MOMENTS_AT,
    PART_AT,
    PART_TYPES,
    PARTS,
    PLAIN_TYPES,
    PROBLEM_ROWS,
    SCALARS,
    SEVERITIES,
    TEXTS_AT,
    VALUES,
    all_exactly,
)

if TYPE_CHECKING:  # parse_cache imports this module to read its file
    from .parse_cache import ParseEntry, Signature

_MARK = object()  # what the hook reads for the mark that starts a tuple; of no type a value may have
_new = object.__new__
# Documents are made without their __init__, so it must have nothing to do but set fields.
assert not hasattr(Document, "__post_init__") and not hasattr(Document, "__slots__")


def decode_payload(payload: memoryview) -> tuple[dict[str, ParseEntry], dict[Signature, str]]:
    """Every value checked for its exact type, and every entry for the file its key was made from."""
    hook = _ext_hook({})
    raw = msgpack.unpackb(payload, use_list=False, raw=False, ext_hook=hook)
    if type(raw) is not tuple or len(raw) != 2 or type(raw[0]) is not tuple or type(raw[1]) is not tuple:
        raise ValueError("not (entries, keys)")
    entry_rows, key_rows = raw
    keys: dict[Signature, str] = {}
    owner: dict[str, str] = {}
    for row in key_rows:
        if type(row) is not tuple or tuple(map(type, row)) != KEY_ROW:
            raise ValueError("a key")
        keys[row[:4]] = row[4]
        if owner.setdefault(row[4], row[0]) != row[0]:
            raise ValueError("two files with one key")
    made: dict[type, dict[tuple[object, ...], object]] = {cls: {} for _, cls in PARTS}
    entries: dict[str, ParseEntry] = {}
    for row in entry_rows:
        if row is None:
            continue  # an entry the writer could not pack
        if type(row) is not tuple or len(row) != 3 or type(row[2]) is not tuple:
            raise ValueError("an entry")
        key, doc_row, problem_rows = row
        doc = None if doc_row is None else _document(doc_row, made, hook)
        if type(key) is not str or key not in owner or (doc is not None and doc.id != owner[key]):
            raise ValueError("an entry for another file")
        entries[key] = (doc, tuple(_problem(p) for p in problem_rows))
    return entries, keys


def _document(row: Any, made: dict[type, dict[Any, Any]], hook: Callable[[int, bytes], object]) -> Document:
    if type(row) is not tuple or len(row) != len(FIELDS) or tuple(map(type, GET_PLAIN(row))) != PLAIN_TYPES:
        raise ValueError("a document")
    values = list(row)
    for at in TEXTS_AT:
        if type(row[at]) is not tuple or not all_exactly(row[at], str):
            raise ValueError(FIELDS[at])
    for at in MOMENTS_AT:
        if row[at] is not None and type(row[at]) is not dt.datetime:
            raise ValueError(FIELDS[at])
    for at, cls, _ in PART_AT:
        if type(row[at]) is not tuple:
            raise ValueError(cls.__name__)
        known = made[cls].get  # each heading, link or image is made once: weeknotes repeat headings
        values[at] = tuple([known(part) or _part(part, cls, made[cls]) for part in row[at]])
    for at in MAPPINGS_AT:
        values[at] = _mapping(row[at], hook)
    doc = _new(Document)  # every field is given and checked: as pickle did, skip the frozen __init__
    doc.__dict__.update(zip(FIELDS, values, strict=True))
    return doc


def _part(part: Any, cls: type, made: dict[Any, Any]) -> Any:
    if type(part) is not tuple or tuple(map(type, part)) != PART_TYPES[cls]:
        raise ValueError(cls.__name__)
    made[part] = cls(*part)
    return made[part]


def _mapping(data: Any, hook: Callable[[int, bytes], object]) -> dict[str, Any]:
    value: Any = None
    if type(data) is dict and SCALARS.issuperset(map(type, data.values())):
        value = data
    elif type(data) is bytes:
        value = msgpack.unpackb(data, raw=False, strict_map_key=False, ext_hook=hook)
        if type(value) is dict:
            value = _restored(value, 0)
    if type(value) is not dict or not all_exactly(value, str):
        raise ValueError("front matter")
    return value


def _restored(value: Any, depth: int) -> Any:
    """A list or dict as read, checked to hold only what ``_value`` writes, at most ``DEPTH``
    deep, with its marked lists made tuples again (anything else, a stray mark too, is refused)."""
    kind = type(value)
    if depth > DEPTH or kind not in (list, dict):
        raise ValueError("a front matter value")
    if kind is dict:
        if not KEYS.issuperset(map(type, value)):
            raise ValueError("a front matter key")
        for key, item in value.items():
            if type(item) not in VALUES:
                value[key] = _restored(item, depth + 1)
        return value
    marked = bool(value) and value[0] is _MARK
    items = value[1:] if marked else value
    for n, item in enumerate(items):
        if type(item) not in VALUES:
            items[n] = _restored(item, depth + 1)
    return tuple(items) if marked else items


def _problem(row: Any) -> Diagnostic:
    if type(row) is not tuple or tuple(map(type, row)) not in PROBLEM_ROWS:
        raise ValueError("a diagnostic")
    return Diagnostic(SEVERITIES[row[0]], *row[1:])


def _ext_hook(zones: dict[str, dt.tzinfo]) -> Callable[[int, bytes], object]:
    """Extension types back to values; ``zones`` keeps each time zone read, by name."""

    def zone(value: Any) -> dt.tzinfo | None:
        if value is None:
            return None
        if type(value) is str:
            if value not in zones:
                zones[value] = zoneinfo.ZoneInfo(value)
            return zones[value]
        if type(value) is list and tuple(map(type, value)) == (int, int):
            return dt.timezone(dt.timedelta(seconds=value[0], microseconds=value[1]))
        raise ValueError("a time zone")

    def hook(code: int, data: bytes) -> object:
        if code == EXT_TUPLE and not data:
            return _MARK
        parts = msgpack.unpackb(data)  # scalars only: an extension type inside stays one, and is refused
        if type(parts) is not list:
            raise ValueError("an extension type")
        if code == EXT_DATETIME and len(parts) == 9:
            year, month, day, hour, minute, second, micro, fold, tz = parts
            return dt.datetime(year, month, day, hour, minute, second, micro, zone(tz), fold=fold)
        if code == EXT_DATE:
            return dt.date(*parts)
        if code == EXT_TIME and len(parts) == 6:
            hour, minute, second, micro, fold, tz = parts
            return dt.time(hour, minute, second, micro, zone(tz), fold=fold)
        if code == EXT_CONTRIBUTOR and tuple(map(type, parts)) == CONTRIBUTOR_TYPES:
            return Contributor(*parts)
        raise ValueError("an extension type")

    return hook
