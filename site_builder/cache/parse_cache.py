"""The parse cache: parsed documents kept between builds by parse key, in one signed file.

A parse key covers the tool version, the settings parsing reads, the file's path and bytes, so an
unchanged key means the file would parse to the same document.

The file holds plain data (MessagePack, see ``payload``), never a pickle: anyone who can commit can
put a file in the site folder (SECURITY.md), so reading it must run no code, and what it holds
must be checked before it is believed.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
import os
import stat
import tempfile
from pathlib import Path

import msgpack

from .. import __version__
from ..diagnostics import Diagnostic, note
from ..model import Document
from ..signing import MAC_BYTES, machine_key
from .decode import decode_payload
from .encode import payload_parts
from .keys import _hash

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

    def save(self) -> None:
        """Keep only what this build used, so the cache never grows past the site, and write the
        file, in the build's own thread (BENCHMARKS.md, "One pipeline"): a forked child would copy
        a lock the progress bar's thread may hold, and a thread gains nothing, as packing holds the
        GIL. At 10,000 posts the write takes about 0.8 s. A write that fails raises here, and the
        old file stays (it is replaced whole)."""
        if self._prune():
            self._write()

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
                for part in payload_parts(self.entries, self.keys):
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
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows reads text without it
    fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
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
        return decode_payload(body[len(HEADER) :])
    # msgpack's OutOfData is an UnpackException only; OSError: a time zone that cannot be read
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, OSError, _UNPACK):
        return "does not hold what this version of site-builder writes"
    finally:
        if collecting:
            gc.enable()
