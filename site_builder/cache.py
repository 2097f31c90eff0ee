"""Two keys decide what a build may skip (STYLE §8.5): a parse key per source file, a route key per output.

- Parse key: tool version, the settings parsing reads, the file's path and bytes.
- Route key: the global key (config, options, site-wide navigation), the template and everything it
  extends or includes, the route's own context, and a digest of each document it declares as input.
  A template sees only what its route declares, so an unchanged key means unchanged bytes.

Parsed documents are kept between builds in one file of plain data (MessagePack), never a pickle:
anyone who can commit can put a file in the site folder (SECURITY.md), so reading it must run no
code, and what it holds must be checked before it is believed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import hmac
import operator
import os
import re
import stat
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

import jinja2
import msgpack

from . import __version__
from .config import SiteConfig
from .diagnostics import Diagnostic, Severity, note
from .model import BuildOptions, Contributor, Document, Heading, ImageRef, LinkRef, Route, Site
from .signing import MAC_BYTES, machine_key
from .theme import Theme

CACHE_DIR = ".site-builder/cache"
# Earlier versions pickled the cache to parse.pickle. That name is never opened again: a pickle runs
# code as it is read. The first build that writes the new file deletes it (unread).
CACHE_FILE = "parse.msgpack"
OLD_FILE = "parse.pickle"
HEADER = b"site-builder parse cache 1\n"  # the file: HEADER, a MessagePack payload, HMAC-SHA256 of both
_UNPACK: type[Exception] = msgpack.UnpackException
ParseEntry = tuple[Document | None, tuple[Diagnostic, ...]]
_REL = f"{CACHE_DIR}/{CACHE_FILE}"
_REMADE = "nothing to do: this build writes it anew (if a commit added it, take it out of the repository)"
_DELETE = "delete it: the next build makes the parse cache again"
_KEY_FOLDER = "set XDG_CACHE_HOME to a folder this user can write"


def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def parse_key(settings: str, doc_id: str, data: bytes) -> str:
    """Tool version, the parse settings (``config.parse_fingerprint()``), the file's path and bytes."""
    return _hash(__version__, settings, doc_id, data)


Signature = tuple[str, int, int, str]  # (path, size, mtime_ns, parse settings): a stat, no read


def signature_of(doc_id: str, stat: os.stat_result, settings: str) -> Signature:
    return (doc_id, stat.st_size, stat.st_mtime_ns, settings)


class ParseCache:
    """Parsed documents by parse key, kept in ``.site-builder/cache/`` between builds.

    ``keys`` remembers each file's parse key by its stat signature, so an unchanged file is not
    even read (git's index does the same); any change to size or mtime means reading and hashing.

    The file is signed with a key kept outside every site (``secret_path``): parse keys are no
    secret, so without it a committed file could put any page under a real post's key. A file that
    is not signed with this machine's key, or does not hold exactly what a build writes, is
    ignored; ``notes`` then says why, as a note (a diagnostic that never fails a build).
    """

    def __init__(
        self,
        entries: dict[str, ParseEntry] | None = None,
        path: Path | None = None,
        keys: dict[Signature, str] | None = None,
        secret: bytes = b"",
        notes: tuple[Diagnostic, ...] = (),
    ) -> None:
        self.entries: dict[str, ParseEntry] = entries if entries is not None else {}
        self.keys: dict[Signature, str] = keys if keys is not None else {}
        self.path = path if secret else None  # never write what the next build could not check
        self.secret = secret
        self.notes = notes
        self.used: set[str] = set()
        self.signatures: set[Signature] = set()
        self.changed = False

    @classmethod
    def load(cls, root: Path) -> ParseCache:
        """The cache of the site at ``root``: empty, with a note, when its file is not to be trusted."""
        folder = root / CACHE_DIR
        path = folder / CACHE_FILE
        for where, plain in ((folder.parent, stat.S_ISDIR), (folder, stat.S_ISDIR), (path, stat.S_ISREG)):
            with contextlib.suppress(FileNotFoundError):
                if not plain(os.lstat(where).st_mode):  # a link could lead the write anywhere
                    kind = "a folder" if plain is stat.S_ISDIR else "a plain file"
                    kind = "a link" if os.path.islink(where) else f"not {kind}"
                    why = f"the parse cache is off: this is {kind}"
                    off = note("cache/off", where.relative_to(root).as_posix(), why, hint=_DELETE)
                    return cls(notes=(off,))
        try:
            secret = machine_key()
        except (OSError, RuntimeError) as exc:  # RuntimeError: no home folder to keep the key in
            why = f"the parse cache is off: there is no folder for its key ({exc})"
            return cls(notes=(note("cache/off", CACHE_DIR, why, hint=_KEY_FOLDER),))
        try:
            data = _read(path)
        except FileNotFoundError:
            return cls(path=path, secret=secret)
        except OSError as exc:
            why = f"the parse cache could not be read ({exc.strerror}) and was ignored"
            return cls(path=path, secret=secret, notes=(note("cache/ignored", _REL, why, hint=_REMADE),))
        loaded = _from_bytes(data, secret)
        if isinstance(loaded, str):
            why = f"the parse cache was ignored: it {loaded}"
            return cls(path=path, secret=secret, notes=(note("cache/ignored", _REL, why, hint=_REMADE),))
        return cls(loaded[0], path, loaded[1], secret)

    def key_for(self, settings: str, doc_id: str, path: Path) -> str:
        """The file's parse key, from its stat signature when that is unchanged; "" if unreadable.

        ``settings`` is ``config.parse_fingerprint()``, computed once per build by the caller.
        """
        try:
            signature = signature_of(doc_id, path.stat(), settings)
            key = self.keys.get(signature)
            if key is None:
                key = self.keys[signature] = parse_key(settings, doc_id, path.read_bytes())
                self.changed = True
            self.signatures.add(signature)
            return key
        except OSError:
            return ""  # parse_file reports it

    def remember(self, signature: Signature, key: str) -> None:
        """The key a parse worker made from the bytes it read, under the stat it took first."""
        self.keys[signature] = key
        self.signatures.add(signature)
        self.changed = True

    def get(self, key: str) -> ParseEntry | None:
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key: str, entry: ParseEntry) -> None:
        self.used.add(key)
        self.entries[key] = entry
        self.changed = True

    def save_aside(self) -> Callable[[], None]:
        """Keep only what this build used, so the cache never grows past the site, and write it in
        a forked child while this process goes on; returns what waits for the child.

        Between parsing and rendering this process works alone and the other cores are idle:
        packing 10,000 documents takes one of them a few tenths of a second there. A child that
        fails leaves the old file (it is replaced whole), and the wait saves here instead, so a real
        error still shows.
        """
        if not self._prune():
            return lambda: None
        if not hasattr(os, "fork"):
            self._write()
            return lambda: None
        gc.freeze()  # the child's collector would otherwise touch, and so copy, every page
        try:
            pid = os.fork()
        finally:
            gc.unfreeze()
        if pid == 0:  # the child: it never returns from here
            code = 1
            try:
                gc.disable()
                self._write()
                code = 0
            finally:
                os._exit(code)
        self.changed = False

        def wait() -> None:
            _, status = os.waitpid(pid, 0)
            if status != 0:
                self._write()

        return wait

    def _prune(self) -> bool:
        """Drop what this build did not use; True if the file must be written."""
        stale = self.entries.keys() - self.used
        for key in stale:
            del self.entries[key]
        old = self.keys.keys() - self.signatures
        for signature in old:
            del self.keys[signature]
        self.used, self.signatures = set(), set()
        self.changed = self.changed or bool(stale or old)
        return self.path is not None and self.changed

    def _write(self) -> None:
        """Write the file whole under a fresh name and swap it in: a reader never sees half of one,
        and ``mkstemp`` never opens a name that is already there (a link would be followed)."""
        assert self.path is not None
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".parse-", suffix=".tmp", dir=folder)
        try:
            with open(fd, "wb") as f:
                mac = hmac.new(self.secret, HEADER, "sha256")
                f.write(HEADER)
                for part in _payload(self.entries, self.keys):
                    mac.update(part)
                    f.write(part)
                f.write(mac.digest())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.changed = False
        with contextlib.suppress(OSError):
            os.unlink(folder / OLD_FILE)  # removes the name; the old pickle is never opened
        with contextlib.suppress(FileExistsError):  # O_EXCL: not through a link left there either
            ignore = os.open(folder.parent / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            with open(ignore, "w") as f:
                f.write("*\n")


def _read(path: Path) -> bytes:
    """The file's bytes; a link or anything but a plain file is an error, never followed or waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a plain file")
        return f.read()


def _from_bytes(data: bytes, secret: bytes) -> tuple[dict[str, ParseEntry], dict[Signature, str]] | str:
    """The entries and keys in a cache file, or why it is not to be used."""
    if len(data) < len(HEADER) + MAC_BYTES or not data.startswith(HEADER):
        return "is not a parse cache of this version of site-builder"
    view = memoryview(data)
    body, mac = view[:-MAC_BYTES], bytes(view[-MAC_BYTES:])
    if not hmac.compare_digest(hmac.digest(secret, body, "sha256"), mac):
        return "is not signed by this machine's site-builder (it was copied, committed or damaged)"
    collecting = gc.isenabled()
    gc.disable()  # nothing read makes a cycle, and the collector would walk every new tuple, often
    try:
        return _decode(body[len(HEADER) :])
    # msgpack's OutOfData is an UnpackException only; OSError: a time zone that cannot be read
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, OSError, _UNPACK):
        return "does not hold what this version of site-builder writes"
    finally:
        if collecting:
            gc.enable()


# The payload is (entries, keys). An entry is (parse key, document or nil, diagnostics), or nil for
# one that could not be packed; a document is the tuple of its fields in order, its front matter
# (``fields``, ``params``) a map of scalars or else packed inside as bytes; a key is (path, size,
# mtime_ns, settings, parse key). Reading checks the exact type of every value; writing leaves out
# an entry that reading would refuse.
_FIELDS = tuple(f.name for f in dataclasses.fields(Document))
_PLAIN = {"id": str, "section": str, "kind": str, "is_index": bool, "digest": str, "title": str}
_PLAIN |= {"date_only": bool, "draft": bool, "slug": str, "url": str, "team": str, "summary": str}
_PLAIN |= {"summary_html": str, "html": str, "word_count": int, "image": str, "image_alt": str}
_TEXTS = ("tags", "authors", "aliases")
_MOMENTS = ("date", "updated")
_PARTS = (("toc", Heading), ("links", LinkRef), ("images", ImageRef))
_MAPPINGS = ("fields", "params")
assert sorted(_FIELDS) == sorted([*_PLAIN, *_TEXTS, *_MOMENTS, *(name for name, _ in _PARTS), *_MAPPINGS])
_AT = {name: n for n, name in enumerate(_FIELDS)}
_TEXTS_AT, _MOMENTS_AT, _MAPPINGS_AT = (
    [_AT[name] for name in names] for names in (_TEXTS, _MOMENTS, _MAPPINGS)
)
_GET_FIELDS = operator.attrgetter(*_FIELDS)
_GET_PLAIN = operator.itemgetter(*(_AT[name] for name in _PLAIN))
_PLAIN_TYPES = tuple(_PLAIN.values())
_PART_AT = tuple(
    (_AT[name], cls, operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))) for name, cls in _PARTS
)


def _field_types(cls: type) -> tuple[type, ...]:
    """The exact type of each field of a small dataclass, in order, from its annotations."""
    hints = get_type_hints(cls)
    types = tuple(hints[f.name] for f in dataclasses.fields(cls))
    assert all(isinstance(t, type) for t in types), f"{cls.__name__}: check a field of two types here"
    return types


_PART_TYPES: dict[type, tuple[type, ...]] = {cls: _field_types(cls) for _, cls in _PARTS}
_CONTRIBUTOR_TYPES = _field_types(Contributor)
_KEY_ROW = (str, int, int, str, str)
_PROBLEM_ROWS = ((str, str, str, str, int, str), (str, str, str, str, type(None), str))
_PROBLEM_FIELDS = ("severity", "code", "path", "message", "line", "hint")
assert tuple(f.name for f in dataclasses.fields(Diagnostic)) == _PROBLEM_FIELDS
_SEVERITIES = {s.value: s for s in Severity}
_new = object.__new__
# Documents are made without their __init__, so it must have nothing to do but set fields.
assert not hasattr(Document, "__post_init__") and not hasattr(Document, "__slots__")

# Front matter values are whatever YAML or TOML gives. Scalars, lists and dicts go as they are
# (integers within MessagePack's 64 bits); dates, times and contributors as extension types of
# scalars; a tuple as a list that starts with an empty extension type. No extension type holds
# another, so reading one never recurses.
_SCALARS = frozenset({str, bytes, bool, int, float, type(None)})
_VALUES = _SCALARS | {dt.datetime, dt.date, dt.time, Contributor}
_KEYS = _SCALARS | {dt.datetime, dt.date, dt.time}
_TUPLE, _DATETIME, _DATE, _TIME, _CONTRIBUTOR = range(1, 6)
_TUPLE_MARK = msgpack.ExtType(_TUPLE, b"")
_DEPTH = 100  # front matter is at most 64 deep (frontmatter.MAX_DEPTH)


_MARK = object()  # what the hook reads for _TUPLE_MARK; of no type a value may have


class _Unfit(Exception):
    """A value the file cannot hold exactly: its entry is left out, and its file parsed again."""


def _payload(entries: Mapping[str, ParseEntry], keys: Mapping[Signature, str]) -> Iterator[bytes]:
    """The payload in parts, written as they are packed (no second copy of the cache in memory).
    An entry that cannot be written exactly is left out, or written as nil when packing finds it."""
    packer = msgpack.Packer(use_bin_type=True)
    key_rows = [
        row for row in ((*sig, key) for sig, key in keys.items()) if tuple(map(type, row)) == _KEY_ROW
    ]
    owner = {row[4]: row[0] for row in key_rows}
    rows = []
    for key, (doc, problems) in entries.items():
        if owner.get(key) is None or (doc is not None and doc.id != owner[key]):
            continue  # reading would refuse it (see _decode)
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
    row = list(_GET_FIELDS(doc))
    if type(doc) is not Document or tuple(map(type, _GET_PLAIN(row))) != _PLAIN_TYPES:
        raise _Unfit
    for at in _TEXTS_AT:
        if type(row[at]) is not tuple or not _all(row[at], str):
            raise _Unfit
    for at in _MOMENTS_AT:
        if row[at] is not None:
            row[at] = _value(row[at], 0) if type(row[at]) is dt.datetime else _unfit()
    for at, cls, fields_of in _PART_AT:
        items = row[at]
        if type(items) is not tuple or not _all(items, cls):
            raise _Unfit
        row[at] = [fields_of(item) for item in items]
        if not all(tuple(map(type, part)) == _PART_TYPES[cls] for part in row[at]):
            raise _Unfit
    for at in _MAPPINGS_AT:
        if type(row[at]) is not dict or not _all(row[at], str):
            raise _Unfit
        plain = _value(row[at], 0)  # scalars only go as a map; anything else packed inside as bytes
        row[at] = plain if _SCALARS.issuperset(map(type, plain.values())) else _packb(plain)
    return row


def _problem_row(p: Diagnostic) -> tuple[object, ...]:
    row = (p.severity.value, p.code, p.path, p.message, p.line, p.hint)
    if type(p) is not Diagnostic or tuple(map(type, row)) not in _PROBLEM_ROWS:
        raise _Unfit
    return row


def _all(items: Iterable[object], kind: type) -> bool:
    """Every item is exactly of ``kind`` (not a subclass: ``True`` is no number of words)."""
    return {kind}.issuperset(map(type, items))


def _packb(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)  # type: ignore[no-any-return]


def _unfit() -> Any:
    raise _Unfit


def _value(value: Any, depth: int) -> Any:
    """A front matter value as MessagePack holds it: ``_Unfit`` if it has no exact form there."""
    kind = type(value)
    if kind in _SCALARS:
        return value if kind is not int or -(2**63) <= value < 2**64 else _unfit()
    if depth > _DEPTH:
        raise _Unfit
    if kind is list:
        return [_value(v, depth + 1) for v in value]
    if kind is dict:
        return {
            _value(k, depth + 1) if type(k) in _KEYS else _unfit(): _value(v, depth + 1)
            for k, v in value.items()
        }
    if kind is tuple:
        return [_TUPLE_MARK, *(_value(v, depth + 1) for v in value)]
    parts: tuple[Any, ...]
    if kind is dt.datetime or kind is dt.time:
        zone = _zone_of(value.tzinfo)
        parts = (value.hour, value.minute, value.second, value.microsecond, value.fold, zone)
        if kind is dt.datetime:
            parts, code = (value.year, value.month, value.day, *parts), _DATETIME
        else:
            code = _TIME
    elif kind is dt.date:
        parts, code = (value.year, value.month, value.day), _DATE
    elif kind is Contributor and tuple(map(type, dataclasses.astuple(value))) == _CONTRIBUTOR_TYPES:
        parts, code = dataclasses.astuple(value), _CONTRIBUTOR
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


def _decode(payload: memoryview) -> tuple[dict[str, ParseEntry], dict[Signature, str]]:
    """Every value checked for its exact type, and every entry for the file its key was made from."""
    hook = _ext_hook({})
    raw = msgpack.unpackb(payload, use_list=False, raw=False, ext_hook=hook)
    if type(raw) is not tuple or len(raw) != 2 or type(raw[0]) is not tuple or type(raw[1]) is not tuple:
        raise ValueError("not (entries, keys)")
    entry_rows, key_rows = raw
    keys: dict[Signature, str] = {}
    owner: dict[str, str] = {}
    for row in key_rows:
        if type(row) is not tuple or tuple(map(type, row)) != _KEY_ROW:
            raise ValueError("a key")
        keys[row[:4]] = row[4]
        if owner.setdefault(row[4], row[0]) != row[0]:
            raise ValueError("two files with one key")
    made: dict[type, dict[tuple[object, ...], object]] = {cls: {} for _, cls in _PARTS}
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
    if (
        type(row) is not tuple
        or len(row) != len(_FIELDS)
        or tuple(map(type, _GET_PLAIN(row))) != _PLAIN_TYPES
    ):
        raise ValueError("a document")
    values = list(row)
    for at in _TEXTS_AT:
        if type(row[at]) is not tuple or not _all(row[at], str):
            raise ValueError(_FIELDS[at])
    for at in _MOMENTS_AT:
        if row[at] is not None and type(row[at]) is not dt.datetime:
            raise ValueError(_FIELDS[at])
    for at, cls, _ in _PART_AT:
        if type(row[at]) is not tuple:
            raise ValueError(cls.__name__)
        known = made[cls].get  # each heading, link or image is made once: weeknotes repeat headings
        values[at] = tuple([known(part) or _part(part, cls, made[cls]) for part in row[at]])
    for at in _MAPPINGS_AT:
        values[at] = _mapping(row[at], hook)
    doc = _new(Document)  # every field is given and checked: as pickle did, skip the frozen __init__
    doc.__dict__.update(zip(_FIELDS, values, strict=True))
    return doc


def _part(part: Any, cls: type, made: dict[Any, Any]) -> Any:
    if type(part) is not tuple or tuple(map(type, part)) != _PART_TYPES[cls]:
        raise ValueError(cls.__name__)
    made[part] = cls(*part)
    return made[part]


def _mapping(data: Any, hook: Callable[[int, bytes], object]) -> dict[str, Any]:
    value: Any = None
    if type(data) is dict and _SCALARS.issuperset(map(type, data.values())):
        value = data
    elif type(data) is bytes:
        value = msgpack.unpackb(data, raw=False, strict_map_key=False, ext_hook=hook)
        if type(value) is dict:
            value = _restored(value, 0)
    if type(value) is not dict or not _all(value, str):
        raise ValueError("front matter")
    return value


def _restored(value: Any, depth: int) -> Any:
    """A list or dict as read, checked to hold only what ``_value`` writes, at most ``_DEPTH``
    deep, with its marked lists made tuples again (anything else, a stray mark too, is refused)."""
    kind = type(value)
    if depth > _DEPTH or kind not in (list, dict):
        raise ValueError("a front matter value")
    if kind is dict:
        if not _KEYS.issuperset(map(type, value)):
            raise ValueError("a front matter key")
        for key, item in value.items():
            if type(item) not in _VALUES:
                value[key] = _restored(item, depth + 1)
        return value
    marked = bool(value) and value[0] is _MARK
    items = value[1:] if marked else value
    for n, item in enumerate(items):
        if type(item) not in _VALUES:
            items[n] = _restored(item, depth + 1)
    return tuple(items) if marked else items


def _problem(row: Any) -> Diagnostic:
    if type(row) is not tuple or tuple(map(type, row)) not in _PROBLEM_ROWS:
        raise ValueError("a diagnostic")
    return Diagnostic(_SEVERITIES[row[0]], *row[1:])


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
        if code == _TUPLE and not data:
            return _MARK
        parts = msgpack.unpackb(data)  # scalars only: an extension type inside stays one, and is refused
        if type(parts) is not list:
            raise ValueError("an extension type")
        if code == _DATETIME and len(parts) == 9:
            year, month, day, hour, minute, second, micro, fold, tz = parts
            return dt.datetime(year, month, day, hour, minute, second, micro, zone(tz), fold=fold)
        if code == _DATE:
            return dt.date(*parts)
        if code == _TIME and len(parts) == 6:
            hour, minute, second, micro, fold, tz = parts
            return dt.time(hour, minute, second, micro, zone(tz), fold=fold)
        if code == _CONTRIBUTOR and tuple(map(type, parts)) == _CONTRIBUTOR_TYPES:
            return Contributor(*parts)
        raise ValueError("an extension type")

    return hook


def global_key(config: SiteConfig, opts: BuildOptions, site: Site) -> str:
    """What every page shows or depends on: the config, the options, the navigation."""
    settings = dataclasses.replace(config, root=Path("."))
    nav = [(s.name, s.title, s.url, bool(s.docs)) for s in site.sections.values()]
    pages = [(site.docs[i].url, site.docs[i].title) for i in site.pages]
    indexes = [t for t, terms in site.taxonomies.items() if terms]
    return _hash(__version__, settings, opts.drafts, opts.future, nav, pages, indexes, site.home_intro_html)


_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(?:(["'])(.*?)\1|(\S+))""")


@dataclass(frozen=True, slots=True)
class TemplateKeys:
    keys: Mapping[str, str]  # template name -> key of its source and everything it uses
    full: frozenset[str]  # templates that show a post's body (feeds always do)
    # Templates that use a file of the site's own theme. What the built-in theme reads of the site
    # is known (tests/e2e/test_incremental.py proves it); a site theme may reach any value in any
    # way Jinja allows, so its pages are keyed by the whole site (README, "Speed").
    opaque: frozenset[str] = frozenset()


_QUOTED = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
_BODY = re.compile(r"[\w)\]]\.html\b")  # doc.html, item.html; template names are in quotes


def template_keys(theme: Theme, names: Iterable[str]) -> TemplateKeys:
    """Each template's key covers its source and every template it extends, includes or imports.

    References are found with a regular expression (parsing every template costs more than the
    build it saves); a reference that is not a string literal means any template may be used.
    """
    loader = theme.loader()
    env = jinja2.Environment(loader=loader)
    sources: dict[str, str] = {}
    builtin = Path(os.path.realpath(theme.builtin))
    theirs: set[str] = set()  # names whose source is a site theme's file

    def closure(name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        try:
            source, filename, _ = loader.get_source(env, name)
            if filename is None or not Path(os.path.realpath(filename)).is_relative_to(builtin):
                theirs.add(name)
        except jinja2.TemplateNotFound:
            source = "<missing>"  # rendering reports it
        except UnicodeDecodeError:
            source = "<not utf-8>"  # rendering reports it
        sources[name] = source
        for match in _REFERENCE.finditer(source):
            if match.group(2) is not None:
                closure(match.group(2), seen)
            else:
                for other in env.list_templates():
                    closure(other, seen)

    keys, full, opaque = {}, set(), set()
    for name in set(names):
        if name.startswith("feed:"):
            keys[name] = _hash(__version__, name)
            full.add(name)
            continue
        seen: set[str] = set()
        closure(name, seen)
        keys[name] = _hash(*sorted((n, sources[n]) for n in seen))
        if any(_BODY.search(_QUOTED.sub("", sources[n])) for n in seen):
            full.add(name)
        if seen & theirs:
            opaque.add(name)
    return TemplateKeys(keys, frozenset(full), frozenset(opaque))


def doc_terms(site: Site) -> dict[str, list[tuple[str, str, str]]]:
    """Each document's terms as pages show them: (taxonomy, name, URL)."""
    terms: dict[str, list[tuple[str, str, str]]] = {doc_id: [] for doc_id in site.docs}
    for taxonomy, found in site.taxonomies.items():
        for term in found.values():
            for doc_id in term.docs:
                terms[doc_id].append((taxonomy, term.name, term.url))
    return terms


def digest_pair(d: Document, terms: list[tuple[str, str, str]]) -> tuple[str, str]:
    """A document as lists show it (everything but the body), and in full.

    A list page, the home page or a term page re-renders only when what it shows of a post
    changed; a post's own page and the feeds (full content) also when its body changed.
    """
    listed = _hash(
        d.title,
        d.url,
        d.date,
        d.updated,
        d.draft,
        d.summary,
        d.summary_html,
        d.toc,
        d.word_count,
        d.tags,
        d.authors,
        d.team,
        d.fields,
        d.params,
        d.aliases,
        d.image,
        d.image_alt,
        terms,
    )
    return listed, _hash(listed, d.digest, _html_digest(d))


def view_digests(
    site: Site, terms: Mapping[str, list[tuple[str, str, str]]]
) -> tuple[dict[str, str], dict[str, str]]:
    """The list and full digests of every document (see ``digest_pair``)."""
    pairs = {doc_id: digest_pair(doc, terms[doc_id]) for doc_id, doc in site.docs.items()}
    return {i: p[0] for i, p in pairs.items()}, {i: p[1] for i, p in pairs.items()}


def _html_digest(doc: Document) -> str:
    # Link markers resolve to other documents' URLs; the resolved text is what pages show.
    return hashlib.blake2b(doc.html.encode(), digest_size=8).hexdigest() if doc.links else ""


class RouteKeys:
    """Route keys for one build: a template that shows posts' bodies (``.html``) gets the full
    digests of its inputs, any other the list digests; shared inputs tuples are hashed once. A
    template of the site's own theme (``TemplateKeys.opaque``) gets a digest of the whole site and
    the day: it is rendered again whenever anything it might read has changed."""

    def __init__(
        self,
        global_key: str,
        templates: TemplateKeys,
        digests: tuple[dict[str, str], dict[str, str]],
        day: str = "",
    ):
        self.global_key, self.templates, self.day = global_key, templates, day
        self.listed, self.full = digests
        self._inputs: dict[tuple[int, bool], tuple[tuple[str, ...], str]] = {}
        self._site: str | None = None

    def site_digest(self) -> str:
        """Every document in full, its terms (in ``listed``), and the day (streaks change with it)."""
        if self._site is None:
            self._site = _hash(sorted(self.full.items()), sorted(self.listed.items()), self.day)
        return self._site

    def __call__(self, route: Route) -> str:
        if route.template in self.templates.opaque:
            parts = (self.templates.keys[route.template], route.url, route.context, self.site_digest())
            return _hash(self.global_key, *parts)
        body = route.template in self.templates.full
        if body and "doc" in route.context:  # a post's page shows its own body, its neighbours' titles
            own = route.context["doc"]
            inputs = _hash([self.full[i] if i == own else self.listed[i] for i in route.inputs])
            return _hash(
                self.global_key, self.templates.keys[route.template], route.url, route.context, inputs
            )
        held = self._inputs.get((id(route.inputs), body))
        if held is None or held[0] is not route.inputs:
            digests = self.full if body else self.listed
            held = (route.inputs, _hash([digests[i] for i in route.inputs]))
            self._inputs[(id(route.inputs), body)] = held
        return _hash(self.global_key, self.templates.keys[route.template], route.url, route.context, held[1])


def static_key(path: Path) -> str:
    stat = path.stat()
    return _hash("static", str(path), stat.st_size, stat.st_mtime_ns)


def build_fingerprint(
    config: SiteConfig,
    opts: BuildOptions,
    sources: Iterable[Path],
    statics: Iterable[Path],
    template_dirs: Iterable[Path],
    today: str,
) -> str:
    """Everything a build reads, by stat, plus the settings and the day (streaks, scheduled posts).

    Equal to the one in the output's marker means the build would write the same files: a
    no-change build then stops after discovery, before reading a single post.
    """

    def stats(paths: Iterable[Path]) -> list[tuple[str, int, int]]:
        found = []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                return [("unreadable", 0, 0)]  # never matches: the full build reports it
            found.append((str(path), st.st_size, st.st_mtime_ns))
        return found

    templates = [p for d in template_dirs for p in sorted(d.rglob("*")) if p.is_file()]
    settings = dataclasses.replace(config, root=Path("."))
    chosen = (opts.drafts, opts.future, opts.strict, opts.base_url, opts.search)
    return _hash(__version__, settings, chosen, today, stats(sources), stats(statics), stats(templates))
