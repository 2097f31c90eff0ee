"""The parse cache lives in the site folder, so whoever can commit can put a file there
(SECURITY.md). Reading it runs no code, and nothing in it is believed unless this machine's
site-builder signed it and it holds exactly what a build writes.

Each test plants a file as an attacker would, then runs ``check`` (what CI runs on a pull request)
and ``build`` (what runs after the merge) through the CLI, planting it again before each: no
payload runs, nothing outside the site is read or written, no traceback, the exit code is the one
the content deserves, and the pages show what the Markdown says.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import pickle
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgpack
import pytest

from site_builder.cache.parse_cache import CACHE_DIR, CACHE_FILE, HEADER, OLD_FILE, ParseCache
from site_builder.diagnostics import Severity
from site_builder.signing import MAC_BYTES, secret_path

Cli = Callable[[Sequence[str]], tuple[int, str, str]]
Live = Callable[[Path], list[str]]

EVE = "contributions/eve.md"
WEEK = "weeknotes/week-one.md"
FILES = {
    f"content/{EVE}": "---\ntitle: Eve's tips\ncontributor: Eve\n---\nHello from Eve.\n\n## Tools\n",
    f"content/{WEEK}": "---\ntitle: Week one\ndate: 2025-01-06\n---\nWe shipped the form.\n",
}


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This machine's key lives in the user's cache folder: for each test, a new one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache"


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site(FILES)


class Audit:
    """What the process opens or unpickles, and the commands it runs, while ``recording``. An audit
    hook cannot be removed, so one is added per session and does nothing between recordings."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] | None = None

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.events is not None and event in ("open", "pickle.find_class", "os.system"):
            what = args[0] if args else ""
            self.events.append((event, os.fsdecode(what) if isinstance(what, str | bytes) else str(what)))

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, str]]]:
        self.events = []
        try:
            yield self.events
        finally:
            self.events = None


@pytest.fixture(scope="session")
def audit() -> Audit:
    hook = Audit()
    sys.addaudithook(hook)
    return hook


def plant(site: Path, files: Mapping[str, bytes]) -> None:
    """Files under the cache folder, as a pull request would commit them."""
    for name, data in files.items():
        path = site / CACHE_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def check_and_build(
    run_cli: Cli, site: Path, audit: Audit, planted: Mapping[str, bytes] | None = None, check_code: int = 0
) -> list[tuple[str, str]]:
    """``check``, then ``build`` with no output left (so that it reads the cache), each after
    planting ``planted`` again; both exit as expected and print no traceback. Returns the events
    the two commands raised (the planting is not recorded)."""
    events: list[tuple[str, str]] = []
    commands = [["check", str(site)], ["build", str(site), "--no-search", "--jobs", "1"]]
    for command in commands if check_code == 0 else commands[:1]:
        shutil.rmtree(site / "output", ignore_errors=True)
        plant(site, planted or {})
        with audit.recording() as seen:
            code, out, err = run_cli(command)
        events += seen
        assert code == (check_code if command[0] == "check" else 0), out + err
        assert "Traceback" not in out + err and "bug" not in out + err, out + err
    return events


def assert_pages_show_the_markdown(site: Path, page: Callable[[Path, str], Any]) -> None:
    eve = page(site / "output", "/contributions/eve/")
    assert "Hello from Eve." in eve.text_content()
    assert not eve.xpath("//script[contains(., 'alert')]")
    assert "We shipped the form." in page(site / "output", "/weeknotes/2025/01/week-one/").text_content()


def assert_cache_is_ours(site: Path) -> None:
    """After a build, the file is one this machine wrote and the next build believes."""
    cache = ParseCache.load(site)
    assert cache.notes == ()
    assert {doc.id for doc, _ in cache.entries.values() if doc is not None} == {EVE, WEEK}


def assert_ignored_with_a_note(site: Path, why: str) -> None:
    """A note (which never fails a build) on one line names the file and why it was ignored."""
    cache = ParseCache.load(site)
    assert cache.entries == {} and len(cache.notes) == 1, cache.notes
    found = cache.notes[0]
    assert (found.severity, found.code, found.path) == (
        Severity.NOTE,
        "cache/ignored",
        f"{CACHE_DIR}/{CACHE_FILE}",
    )
    assert found.message.startswith("the parse cache was ignored") and why in found.message
    assert "\n" not in found.message and found.hint


def built_cache(run_cli: Cli, site: Path, audit: Audit) -> bytes:
    check_and_build(run_cli, site, audit)
    return (site / CACHE_DIR / CACHE_FILE).read_bytes()


def signed(payload: bytes, key: bytes) -> bytes:
    """A cache file as cache.py writes one: the header, the payload, then HMAC-SHA256 of both."""
    return HEADER + payload + hmac.digest(key, HEADER + payload, "sha256")


# --- pickles: the old format ran code as it was read ------------------------------------------------


class System:
    def __init__(self, sentinel: Path) -> None:
        self.command = f"touch {sentinel}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (self.command,))


class Exec:
    def __init__(self, sentinel: Path) -> None:
        self.code = f"import pathlib; pathlib.Path({str(sentinel)!r}).write_text('ran')"

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (self.code,))


class Touch:
    def __init__(self, sentinel: Path) -> None:
        self.path = sentinel

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


PAYLOADS: dict[str, Callable[[Path], bytes]] = {
    "os.system": lambda p: pickle.dumps(System(p)),
    "exec, in the old cache's shape": lambda p: pickle.dumps({"entries": Exec(p), "keys": {}}, protocol=5),
    "Path.touch, protocol 2": lambda p: pickle.dumps(Touch(p), protocol=2),
    "hand-written, protocol 0": lambda p: f"cos\nsystem\n(S'touch {p}'\ntR.".encode(),
}


@pytest.mark.parametrize("name", PAYLOADS)
@pytest.mark.parametrize("header", [b"", HEADER], ids=["bare", "after-our-header"])
def test_a_pickle_planted_under_the_old_and_the_new_name_never_runs(
    name: str, header: bytes, site: Path, tmp_path: Path, run_cli: Cli, audit: Audit, page: Any
) -> None:
    control = tmp_path / "control"
    pickle.loads(PAYLOADS[name](control))  # the payload is live: unpickling it runs the command
    assert control.exists()
    sentinel = tmp_path / "payload-ran"
    payload = PAYLOADS[name](sentinel)
    events = check_and_build(run_cli, site, audit, {OLD_FILE: payload, CACHE_FILE: header + payload})
    assert not sentinel.exists()
    assert [e for e in events if e[0] != "open"] == []  # nothing unpickled, no command run
    assert [e for e in events if e[1].endswith(OLD_FILE)] == []  # the old file is never opened
    assert not (site / CACHE_DIR / OLD_FILE).exists()  # the build deleted it, unread
    assert_pages_show_the_markdown(site, page)
    assert_cache_is_ours(site)


# --- files that are damaged, cut short, or not this machine's ---------------------------------------

DAMAGED: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda real: b"",
    "the header alone": lambda real: HEADER,
    "cut in half": lambda real: real[: len(real) // 2],
    "last byte missing": lambda real: real[:-1],
    "one byte flipped": lambda real: real[:100] + bytes([real[100] ^ 0x01]) + real[101:],
    "random bytes": lambda real: os.urandom(4096),
    "our header, random payload": lambda real: HEADER + os.urandom(4096),
    "signed on another machine": lambda real: signed(real[len(HEADER) : -MAC_BYTES], os.urandom(32)),
    "signed with no key": lambda real: real[:-MAC_BYTES] + hashlib.sha256(real[:-MAC_BYTES]).digest(),
    "json": lambda real: b'{"entries": {}, "keys": {}}',
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_or_foreign_file_is_ignored_with_a_note(
    damage: str, site: Path, run_cli: Cli, audit: Audit, page: Any
) -> None:
    bad = DAMAGED[damage](built_cache(run_cli, site, audit))
    plant(site, {CACHE_FILE: bad})
    assert_ignored_with_a_note(site, "")
    check_and_build(run_cli, site, audit, {CACHE_FILE: bad})
    assert_pages_show_the_markdown(site, page)
    assert_cache_is_ours(site)


# --- links and odd files: nothing outside the site is read or written -------------------------------


def _cache_file_links_outside(site: Path, outside: Path) -> None:
    (outside / "secret.txt").write_text("not for you")
    (site / CACHE_DIR).mkdir(parents=True)
    (site / CACHE_DIR / CACHE_FILE).symlink_to(outside / "secret.txt")


def _cache_folder_links_outside(site: Path, outside: Path) -> None:
    (site / ".site-builder").mkdir()
    (site / CACHE_DIR).symlink_to(outside, target_is_directory=True)


def _whole_folder_links_outside(site: Path, outside: Path) -> None:
    (site / ".site-builder").symlink_to(outside, target_is_directory=True)


def _old_temporary_name_links_outside(site: Path, outside: Path) -> None:
    (site / CACHE_DIR).mkdir(parents=True)  # parse.pickle's writer used parse.tmp, then renamed it
    (site / CACHE_DIR / "parse.tmp").symlink_to(outside / "written-through-a-link")


def _gitignore_links_outside(site: Path, outside: Path) -> None:
    (site / ".site-builder").mkdir()
    (site / ".site-builder" / ".gitignore").symlink_to(outside / "written-through-a-link")


def _cache_file_is_a_folder(site: Path, outside: Path) -> None:
    (site / CACHE_DIR / CACHE_FILE).mkdir(parents=True)


def _cache_folder_is_a_file(site: Path, outside: Path) -> None:
    (site / ".site-builder").mkdir()
    (site / CACHE_DIR).write_text("not a folder")


# How each is set up, and where the note that the cache is off points (None: the cache works)
ODD: dict[str, tuple[Callable[[Path, Path], None], str | None]] = {
    "the cache file links outside": (_cache_file_links_outside, f"{CACHE_DIR}/{CACHE_FILE}"),
    "the cache folder links outside": (_cache_folder_links_outside, CACHE_DIR),
    ".site-builder links outside": (_whole_folder_links_outside, ".site-builder"),
    "parse.tmp links outside": (_old_temporary_name_links_outside, None),
    ".gitignore links outside": (_gitignore_links_outside, None),
    "the cache file is a folder": (_cache_file_is_a_folder, f"{CACHE_DIR}/{CACHE_FILE}"),
    "the cache folder is a file": (_cache_folder_is_a_file, CACHE_DIR),
}


NEEDS_LINKS = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a planted link is an attack on POSIX only",
)


@pytest.mark.parametrize(
    "odd", [pytest.param(o, marks=NEEDS_LINKS if o.endswith("links outside") else ()) for o in ODD]
)
def test_links_and_odd_files_lead_nowhere(
    odd: str, site: Path, tmp_path: Path, run_cli: Cli, audit: Audit, page: Any
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    make, off_at = ODD[odd]
    make(site, outside)
    notes = ParseCache.load(site).notes
    assert [(n.severity, n.code, n.path) for n in notes] == (
        [(Severity.NOTE, "cache/off", off_at)] if off_at else []
    )
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    events = check_and_build(run_cli, site, audit)
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before  # nothing written through a link
    assert [e for e in events if e[1].startswith(str(outside))] == []  # nor read through one
    assert_pages_show_the_markdown(site, page)


# --- well signed, badly shaped: what a bug, or another version, could leave ---------------------------

Change = Callable[[list[Any]], object]  # returns the payload to sign: a structure, or bytes as they are


def _payload(real: bytes) -> list[Any]:
    """The payload of a real file as lists, extension types kept, to be changed and signed again."""
    payload: list[Any] = msgpack.unpackb(real[len(HEADER) : -MAC_BYTES], ext_hook=msgpack.ExtType)
    return payload


def _eve(payload: list[Any]) -> list[Any]:
    return next(row[1] for row in payload[0] if row[1] is not None and row[1][0] == EVE)


def _in_place(change: Callable[[list[Any]], object]) -> Change:
    def changed(payload: list[Any]) -> object:
        change(payload)
        return payload

    return changed


def _set(field: int, value: object) -> Change:
    return _in_place(lambda payload: _eve(payload).__setitem__(field, value))


def _date(*parts: object) -> msgpack.ExtType:
    return msgpack.ExtType(2, msgpack.packb(list(parts)))  # cache/payload.py: EXT_DATETIME


def _nested_arrays(depth: int) -> bytes:
    return b"\x91" * depth + b"\xc0"  # [[[...[nil]...]]]


def _nested_tuples(depth: int) -> msgpack.ExtType:
    value: Any = None
    for _ in range(depth):
        value = msgpack.ExtType(1, msgpack.packb([value]))  # cache/payload.py: EXT_TUPLE
    return value


# Fields by position in model.Document: 0 id, 3 is_index, 5 title, 6 date, 12 tags, 18 toc,
# 21 word_count, 25 fields, 26 params. An entry is [key, document, diagnostics]; a key row is
# [path, size, mtime_ns, settings, parse key].
MISSHAPEN: dict[str, Change] = {
    "a map, as the old pickle held": lambda p: {"entries": {}, "keys": {}},
    "three parts": lambda p: [*p, []],
    "a field missing": _in_place(lambda p: _eve(p).pop()),
    "a field too many": _in_place(lambda p: _eve(p).append("")),
    "a number for a title": _set(5, 42),
    "1 for a flag": _set(3, 1),
    "a float for a word count": _set(21, 12.0),
    "a number among tags": _set(12, ["ok", 7]),
    "text for a date": _set(6, "2025-01-06"),
    "a map for a heading": _set(18, [{"level": 2, "id": "x", "text": "x"}]),
    "a list for fields": _set(25, msgpack.packb(["not", "a", "map"])),
    "an unknown extension type": _set(26, msgpack.packb({"x": msgpack.ExtType(99, b"")})),
    "a MessagePack timestamp": _set(26, msgpack.packb({"x": msgpack.Timestamp(0)})),
    "an impossible date": _set(6, _date(2025, 2, 30, 0, 0, 0, 0, 0, None)),
    "an unknown time zone": _set(6, _date(2025, 1, 6, 0, 0, 0, 0, 0, "Mars/Olympus_Mons")),
    "a path for a time zone": _set(6, _date(2025, 1, 6, 0, 0, 0, 0, 0, "../../../../etc/passwd")),
    "a severity nobody knows": _in_place(
        lambda p: p[0][0].__setitem__(2, [["fatal", "x", "y", "z", None, ""]])
    ),
    "text for a size": _in_place(lambda p: p[1][0].__setitem__(1, "12")),
    # huge numbers
    "a year past 9999": _set(6, _date(2**40, 1, 1, 0, 0, 0, 0, 0, None)),
    "an offset of 2**62 seconds": _set(6, _date(2025, 1, 6, 0, 0, 0, 0, 0, [2**62, 0])),
    "a fold of 2**64 - 1": _set(6, _date(2025, 1, 6, 0, 0, 0, 0, 2**64 - 1, None)),
    "a payload claiming 4 billion items": lambda p: b"\xdd\xff\xff\xff\xff",
    "front matter claiming 4 GiB": _set(26, b"\xc6\xff\xff\xff\xff"),
    # deep nesting
    "front matter 100,000 arrays deep": _set(26, _nested_arrays(100_000)),
    "front matter 2,000 tuples deep": _set(26, msgpack.packb({"x": _nested_tuples(2_000)})),
    "front matter 150 lists deep": _set(26, msgpack.packb({"x": msgpack.unpackb(_nested_arrays(150))})),
    "a payload 100,000 arrays deep": lambda p: _nested_arrays(100_000),
    # entries that claim another file's place
    "an entry for another file": _set(0, WEEK),
    "one key for two files": _in_place(lambda p: p[1][1].__setitem__(4, p[1][0][4])),
}


@pytest.mark.parametrize("shape", MISSHAPEN)
def test_a_signed_file_with_the_wrong_shapes_is_ignored_with_a_note(
    shape: str, site: Path, run_cli: Cli, audit: Audit, page: Any
) -> None:
    changed = MISSHAPEN[shape](_payload(built_cache(run_cli, site, audit)))
    bad = signed(
        changed if isinstance(changed, bytes) else msgpack.packb(changed), secret_path().read_bytes()
    )
    plant(site, {CACHE_FILE: bad})
    assert_ignored_with_a_note(site, "it does not hold what this version of site-builder writes")
    check_and_build(run_cli, site, audit, {CACHE_FILE: bad})
    assert_pages_show_the_markdown(site, page)
    assert_cache_is_ours(site)


# --- a forged entry under a real file's key ----------------------------------------------------------

SCRIPT = "<script>alert('forged')</script>"


def forged(site: Path, key: bytes, change: Callable[[Any], Any]) -> bytes:
    """The site's cache with Eve's entry changed, signed with ``key``. Parse keys are no secret:
    they hash the tool's version, the settings and the file's path and bytes, all public."""
    real = ParseCache.load(site)
    assert real.notes == ()
    fake = ParseCache(path=real.path, secret=key)
    for signature, parse_key in real.keys.items():
        fake.remember(signature, parse_key)
    for parse_key, (doc, problems) in real.entries.items():
        is_eve = doc.id == EVE if doc is not None else problems[0].path == f"content/{EVE}"
        fake.put(parse_key, change((doc, problems)) if is_eve else (doc, problems))
    data = (site / CACHE_DIR / CACHE_FILE).read_bytes()
    fake.save()
    forgery = (site / CACHE_DIR / CACHE_FILE).read_bytes()
    assert forgery != data
    return forgery


def _with_script(entry: Any) -> Any:
    doc, _ = entry
    return (dataclasses.replace(doc, html=f"<p>Hello from Eve.</p>{SCRIPT}", summary_html=SCRIPT), ())


def _committed_key(site: Path, rel: str) -> bytes:
    key = os.urandom(32)
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    (site / rel).write_bytes(key)
    return key


ATTACKER_KEYS: dict[str, Callable[[Path], bytes]] = {
    "random": lambda site: os.urandom(32),
    "zeros": lambda site: bytes(32),
    "committed beside the cache": lambda site: _committed_key(site, ".site-builder/cache-key"),
    "committed in the cache folder": lambda site: _committed_key(site, f"{CACHE_DIR}/cache-key"),
}


@pytest.mark.parametrize("attacker", ATTACKER_KEYS)
def test_a_forged_entry_never_publishes_raw_html_from_a_contribution(
    attacker: str, site: Path, run_cli: Cli, audit: Audit, live_content: Live, page: Any
) -> None:
    check_and_build(run_cli, site, audit)
    forgery = forged(site, ATTACKER_KEYS[attacker](site), _with_script)
    check_and_build(run_cli, site, audit, {CACHE_FILE: forgery})
    assert live_content(site / "output") == []
    assert_pages_show_the_markdown(site, page)


def test_only_this_machines_key_makes_an_entry_believed(
    site: Path, run_cli: Cli, audit: Audit, live_content: Live
) -> None:
    """The control for the test above: the same forgery, signed with the key kept outside the site,
    is believed. So the forgery is well made, and the key is what keeps it out."""
    check_and_build(run_cli, site, audit)
    forgery = forged(site, secret_path().read_bytes(), _with_script)
    check_and_build(run_cli, site, audit, {CACHE_FILE: forgery})
    assert any("forged" in found for found in live_content(site / "output"))


def test_a_forged_entry_cannot_hide_an_error_from_check(site: Path, run_cli: Cli, audit: Audit) -> None:
    """CI runs ``check`` on the pull request: an entry saying that a refused file is fine must not
    make it pass."""
    check_and_build(run_cli, site, audit)
    good = next(e for e in ParseCache.load(site).entries.values() if e[0] is not None and e[0].id == EVE)
    refused = FILES[f"content/{EVE}"].replace(
        "contributor: Eve", "contributor: {name: Eve, url: 'javascript:x'}"
    )
    (site / "content" / EVE).write_text(refused)
    check_and_build(run_cli, site, audit, check_code=1)  # the cache now holds the refusal, by its key
    forgery = forged(site, os.urandom(32), lambda entry: good)
    plant(site, {CACHE_FILE: forgery})
    code, out, err = run_cli(["check", str(site)])
    assert code == 1 and f"content/{EVE}" in out + err, out + err
