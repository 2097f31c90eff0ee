"""What the parse cache file's MessagePack payload holds, and the exact type of every value in it.

The payload is (entries, keys). An entry is (parse key, document or nil, diagnostics), or nil for
one that could not be packed; a document is the tuple of its fields in order, its front matter
(``fields``, ``params``) a map of scalars or else packed inside as bytes; a key is (path, size,
mtime_ns, settings, parse key). Reading checks the exact type of every value; writing leaves out
an entry that reading would refuse. ``encode`` writes it and ``decode`` reads it, both from the
tables here, so the two cannot disagree on a field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable
from typing import get_type_hints

from ..diagnostics import Diagnostic, Severity
from ..model import Contributor, Document, Heading, ImageRef, LinkRef

FIELDS = tuple(f.name for f in dataclasses.fields(Document))
PLAIN = {"id": str, "section": str, "kind": str, "is_index": bool, "digest": str, "title": str}
PLAIN |= {"date_only": bool, "draft": bool, "slug": str, "url": str, "team": str, "summary": str}
PLAIN |= {"summary_html": str, "html": str, "word_count": int, "image": str, "image_alt": str}
TEXTS = ("tags", "authors", "aliases")
MOMENTS = ("date", "updated")
PARTS = (("toc", Heading), ("links", LinkRef), ("images", ImageRef))
MAPPINGS = ("fields", "params")
assert sorted(FIELDS) == sorted([*PLAIN, *TEXTS, *MOMENTS, *(name for name, _ in PARTS), *MAPPINGS])
_AT = {name: n for n, name in enumerate(FIELDS)}
TEXTS_AT, MOMENTS_AT, MAPPINGS_AT = ([_AT[name] for name in names] for names in (TEXTS, MOMENTS, MAPPINGS))
GET_FIELDS = operator.attrgetter(*FIELDS)
GET_PLAIN = operator.itemgetter(*(_AT[name] for name in PLAIN))
PLAIN_TYPES = tuple(PLAIN.values())
PART_AT = tuple(
    (_AT[name], cls, operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))) for name, cls in PARTS
)


def _field_types(cls: type) -> tuple[type, ...]:
    """The exact type of each field of a small dataclass, in order, from its annotations."""
    hints = get_type_hints(cls)
    types = tuple(hints[f.name] for f in dataclasses.fields(cls))
    assert all(isinstance(t, type) for t in types), f"{cls.__name__}: check a field of two types here"
    return types


PART_TYPES: dict[type, tuple[type, ...]] = {cls: _field_types(cls) for _, cls in PARTS}
CONTRIBUTOR_TYPES = _field_types(Contributor)
KEY_ROW = (str, int, int, str, str)
PROBLEM_ROWS = ((str, str, str, str, int, str), (str, str, str, str, type(None), str))
_PROBLEM_FIELDS = ("severity", "code", "path", "message", "line", "hint")
assert tuple(f.name for f in dataclasses.fields(Diagnostic)) == _PROBLEM_FIELDS
SEVERITIES = {s.value: s for s in Severity}

# Front matter values are whatever YAML or TOML gives. Scalars, lists and dicts go as they are
# (integers within MessagePack's 64 bits); dates, times and contributors as extension types of
# scalars; a tuple as a list that starts with an empty extension type. No extension type holds
# another, so reading one never recurses.
SCALARS = frozenset({str, bytes, bool, int, float, type(None)})
VALUES = SCALARS | {dt.datetime, dt.date, dt.time, Contributor}
KEYS = SCALARS | {dt.datetime, dt.date, dt.time}
EXT_TUPLE, EXT_DATETIME, EXT_DATE, EXT_TIME, EXT_CONTRIBUTOR = range(1, 6)
DEPTH = 100  # front matter is at most 64 deep (frontmatter.MAX_DEPTH)


def all_exactly(items: Iterable[object], kind: type) -> bool:
    """Every item is exactly of ``kind`` (not a subclass: ``True`` is no number of words)."""
    return {kind}.issuperset(map(type, items))
