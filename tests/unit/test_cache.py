"""The parse cache on disk: saved whole by the build's own process, never a forked child; read back
as exactly the documents that were saved, or not at all."""

from __future__ import annotations

import datetime as dt
import math
import os
import zoneinfo
from pathlib import Path
from typing import Any

import pytest

from site_builder.cache.parse_cache import CACHE_DIR, CACHE_FILE, ParseCache, ParseEntry
from site_builder.config import load_config
from site_builder.diagnostics import error, warning
from site_builder.model import Contributor, Document, Heading, ImageRef, LinkRef, SourceFile
from site_builder.parse import Renderers, parse_file
from site_builder.signing import secret_path

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The key that signs caches lives in the user's cache folder: here, one made for the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache"


def _cache(root: Path) -> tuple[ParseCache, str]:
    """A cache as a build leaves it: one file looked up by its stat, parsed, and put."""
    (root / "a.md").write_text("")
    cache = ParseCache.load(root)
    key = cache.key_for("settings", "a.md", root / "a.md")
    cache.put(key, (None, (warning("content/empty", "content/a.md", "the file is empty"),)))
    return cache, key


def test_a_saved_cache_loads_as_it_was(tmp_path: Path) -> None:
    cache, key = _cache(tmp_path)
    cache.save()
    cache.put("key-b", (None, ()))  # after the save: not in the file written
    loaded = ParseCache.load(tmp_path)
    assert loaded.entries == {key: cache.entries[key]}
    assert list(loaded.keys.values()) == [key]
    assert loaded.key_for("settings", "a.md", tmp_path / "a.md") == key
    assert loaded.notes == ()
    assert (tmp_path / ".site-builder" / ".gitignore").read_text() == "*\n"


def test_saving_forks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork copies only the calling thread: a lock the progress bar's thread held stays held."""

    def no_fork() -> int:
        raise AssertionError("the parse cache forked")

    monkeypatch.setattr(os, "fork", no_fork)
    cache, key = _cache(tmp_path)
    cache.save()
    assert ParseCache.load(tmp_path).entries.keys() == {key}


def test_a_write_that_fails_raises_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cache(tmp_path)[0].save()
    saved = tmp_path / CACHE_DIR / CACHE_FILE
    before = saved.read_bytes()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    again = ParseCache.load(tmp_path)
    again.put("key-b", (None, ()))
    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space left"):
        again.save()
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [CACHE_FILE]  # no temporary file left behind


def test_nothing_used_or_changed_writes_nothing(tmp_path: Path) -> None:
    _cache(tmp_path)[0].save()
    saved = tmp_path / CACHE_DIR / CACHE_FILE
    before = saved.stat().st_ino  # a write replaces the file: a new inode
    again = ParseCache.load(tmp_path)  # the next build: the same file, by the same stat
    assert again.get(again.key_for("settings", "a.md", tmp_path / "a.md")) is not None
    again.save()
    assert saved.stat().st_ino == before


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for n in range(levels):
        value = {"level": n, "inner": [value]}
    return value


def _rich(doc_id: str, **changes: Any) -> Document:
    """A document with a value of every kind a field or front matter can hold."""
    values: dict[str, Any] = {
        "id": doc_id,
        "section": "contributions",
        "kind": "contribution",
        "is_index": False,
        "digest": "0123456789abcdef",
        "title": "Café — “quoted” ☕ 日本",
        # 01:30 happens twice that night in London: fold=1 is the second, in GMT
        "date": dt.datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=1),
        "date_only": False,
        "updated": dt.datetime(2025, 11, 2, tzinfo=LONDON),
        "draft": True,
        "slug": "cafe",
        "url": "/contributions/cafe/",
        "tags": ("beta", "procurement"),
        "authors": ("Ann Example",),
        "team": "platform",
        "summary": "A summary.",
        "summary_html": "<p>A summary.</p>",
        "html": '<h2 id="user-content-a">A</h2>\n<p>Text &amp; more, <a href="sb:b.md#x">b</a> 🎉</p>',
        "toc": (Heading(2, "user-content-a", "A"), Heading(3, "b", "B")),
        "links": (LinkRef("b.md", "x", 4),),
        "images": (ImageRef("/img/a.png", "a chart", 7), ImageRef("/img/b.png", "", 9)),
        "word_count": 123,
        "aliases": ("/old/cafe/",),
        "image": "/img/a.png",
        "image_alt": "a chart",
        "fields": {
            "contributor": Contributor("Ann", "Org", "https://example.org/"),
            "tools": ("Trello", "YouTube"),
            "licence": "CC BY 4.0",
            "iso_year": 2025,
            "iso_week": 43,
        },
        "params": {
            "numbers": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2.5, -0.0, math.inf, -math.inf, 1e-300],
            "flags": [True, False, None],
            "text": ["", "multi\nline", "\x00nul"],
            "raw": b"\x00\xff binary",
            "day": dt.date(2024, 2, 29),
            "moments": {
                "naive": dt.datetime(2024, 1, 1, 12, 0, 0, 5),
                "utc": dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC),
                "offset": dt.datetime(
                    2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))
                ),
                "zone": dt.datetime(2024, 7, 1, 9, tzinfo=LONDON),
                "clock": dt.time(12, 30, 15, 5),
                "clock-offset": dt.time(8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            },
            "keys": {1: "int", None: "null", 1.5: "float", dt.date(2024, 1, 1): "date", False: "bool"},
            "pairs": [("a", 1), ("b", [2, 3])],  # YAML !!omap and !!pairs give tuples in a list
            "empty": [{}, [], ()],
            "deep": _deep(31),  # 62 levels: the front matter limit is 64 (frontmatter.MAX_DEPTH)
        },
    }
    return Document(**(values | changes))


def _round_trip(root: Path, entries: dict[str, ParseEntry]) -> ParseCache:
    cache = ParseCache.load(root)
    for n, (key, entry) in enumerate(entries.items()):
        doc_id = entry[0].id if entry[0] is not None else f"failed-{n}.md"
        cache.remember((doc_id, n, n, "settings"), key)
        cache.put(key, entry)
    cache.save()
    return ParseCache.load(root)


def test_every_kind_of_value_reads_back_equal_and_of_the_same_type(tmp_path: Path) -> None:
    doc = _rich("contributions/cafe.md")
    problems = (
        warning("front-matter/tool", "content/x.md", "'X' is not listed", 3, hint="add it"),
        error("a/b", "p", "m"),
    )
    loaded = _round_trip(tmp_path, {"k1": (doc, problems), "k2": (None, problems[1:])})
    assert loaded.notes == ()
    back, back_problems = loaded.entries["k1"]
    assert back == doc and back_problems == problems
    assert loaded.entries["k2"] == (None, problems[1:])
    # The route keys hash repr(): equal is not enough, the text must be the same, so must the types
    assert repr(back) == repr(doc)
    assert back.date is not None and back.date.tzinfo is LONDON and back.date.fold == 1
    assert back.date.utcoffset() == dt.timedelta(0)
    assert type(back.params["pairs"]) is list and type(back.params["pairs"][0]) is tuple
    assert type(back.fields["tools"]) is tuple and type(back.params["empty"][2]) is tuple
    assert type(back.params["flags"][0]) is bool and type(back.params["numbers"][0]) is int
    assert math.copysign(1, back.params["numbers"][6]) == -1  # -0.0 stays negative


def test_nan_reads_back_as_nan(tmp_path: Path) -> None:
    doc = _rich("contributions/nan.md", params={"x": math.nan})
    loaded = _round_trip(tmp_path, {"k": (doc, ())})
    back = loaded.entries["k"][0]
    assert back is not None and math.isnan(back.params["x"])


@pytest.mark.parametrize(
    "changes",
    [
        {"params": {"n": 2**64}},  # past MessagePack's integers
        {"params": {"n": [-(2**63) - 1]}},
        {"params": {"s": {1, 2}}},  # YAML !!set: no exact form in the file
        {"params": {"d": dt.timedelta(days=1)}},
        {"title": "lone \ud800 surrogate"},
        {"date": dt.datetime(2025, 1, 1, tzinfo=zoneinfo.ZoneInfo.no_cache("Europe/London"))},
        {"params": {"t": dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1), "Named"))}},
        {"fields": {"contributor": Contributor("Ann", 1, "")}},  # type: ignore[arg-type]
        {"tags": ["a list", "not a tuple"]},
        {"word_count": True},
        {"params": {"deep": _deep(200)}},
    ],
)
def test_a_value_without_an_exact_form_leaves_its_entry_out(tmp_path: Path, changes: dict[str, Any]) -> None:
    good, odd = _rich("contributions/good.md"), _rich("contributions/odd.md", **changes)
    loaded = _round_trip(tmp_path, {"good": (good, ()), "odd": (odd, ())})
    assert loaded.notes == ()
    assert loaded.entries == {"good": (good, ())}  # the odd one is parsed again next time


def test_the_key_is_made_once_outside_the_site(tmp_path: Path, user_cache: Path) -> None:
    _cache(tmp_path)[0].save()
    key = secret_path()
    assert key.parent.parent == user_cache and len(key.read_bytes()) == 32
    assert key.stat().st_mode & 0o077 == 0  # this user's alone
    made = key.read_bytes()
    assert ParseCache.load(tmp_path).entries and key.read_bytes() == made


# Front matter as people write it: every kind of value YAML and TOML give, in fields and params.
YAML_POST = """\
---
title: Rich
date: 2025-10-26 01:30:00 +01:00
tags: [beta, procurement]
authors: [Ann Example]
when: 2024-02-29
at: 2024-01-01T12:00:00-05:30
naive: 2024-01-01 12:00:00
utc: 2024-01-01T12:00:00Z
nested: {list: [1, 2.5, -0.0, .inf, true, null, x], 3: int key, 2024-01-01: date key, ~: null key}
pairs: !!omap [{a: 1}, {b: [2, 3]}]
raw: !!binary aGVsbG8=
deep: [[[[[[[[[[[[[[[[[[[[deep]]]]]]]]]]]]]]]]]]]]
---
# Heading

Text with a [link](other.md#part) and ![an image](/img/a.png).
"""
TOML_POST = """\
+++
title = "From TOML"
date = 2025-01-06
clock = 07:32:00
offset = 1979-05-27T07:32:00.999999-08:00
local = 1979-05-27T07:32:00
tools = ["Trello"]
[contributor]
name = "Ann"
organisation = "Org"
url = "https://example.org/"
+++
Body.
"""


def test_what_the_parser_makes_reads_back_as_it_made_it(tmp_path: Path, make_site: Any, build: Any) -> None:
    site = make_site(
        {
            "content/weeknotes/rich.md": YAML_POST,
            "content/weeknotes/other.md": "---\ndate: 2025-01-01\n---\n## Part\n",
            "content/contributions/toml.md": TOML_POST,
        }
    )
    build(site)
    cached = {doc.id: (doc, problems) for doc, problems in ParseCache.load(site).entries.values() if doc}
    config, renderers = load_config(site), Renderers.create()
    for doc_id, section in (("weeknotes/rich.md", "weeknotes"), ("contributions/toml.md", "contributions")):
        doc, problems = parse_file(
            SourceFile(doc_id, site / "content" / doc_id, section, False), config, renderers
        )
        assert doc is not None and doc.params and cached[doc_id] == (doc, tuple(problems))
        assert repr(cached[doc_id][0]) == repr(doc)
