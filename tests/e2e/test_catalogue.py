"""A catalogue of bad input, each run through the real CLI.

Every row starts from a site with a good earlier output, breaks one thing, runs ``site-builder build``
in process and checks: the exit code (1 for content and config errors, 0 with a warning, 2 for
usage), the diagnostic's severity, code, file and line and a fragment of its message, no traceback
anywhere, and (when the build fails) the earlier output byte for byte as it was, with no staging
folder left beside it. The rule deciding error or warning is in README.md, "Errors and warnings".

A row with ``pending`` needs a fix in another module; it is a strict xfail, so it fails loudly
once the fix lands and the marker must go.
"""

from __future__ import annotations

import _thread
import errno
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from site_builder import parse, write
from site_builder.cli import main

HashTree = Callable[[Path], dict[str, str]]
Setup = Callable[[Path, pytest.MonkeyPatch], None]

SITE_TOML = """\
title = "Catalogue"
base_url = "https://example.org/"
timezone = "Europe/London"
"""
PAGE = "content/about.md"
WEEKNOTE = "content/weeknotes/2026-01-05-week-two.md"
CASE = "content/case-studies/bins.md"
CONTRIB = "content/contributions/trello.md"
BASE = {
    PAGE: "---\ntitle: About\n---\n\nWho we are.\n",
    WEEKNOTE: "---\ntitle: Week two\nteam: platform\n---\n\nWe shipped.\n",
    CASE: "---\ntitle: Bins\norganisation: Calderbrook\nchallenges: [funding]\n---\n\nBins.\n",
    CONTRIB: "---\ntitle: Trello boards\ncontributor: {name: Sam Lee}\ntools: [Trello]\n---\n\nBoards.\n",
}
KIND_OF = {PAGE: "page", WEEKNOTE: "weeknote", CASE: "case-study", CONTRIB: "contribution"}
OVERRIDE = "themes/default/templates/post.html"
TIME_LIMIT = 60  # seconds: a guard against hangs (pathological nesting), never a speed check


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str | bytes]  # written over the base site (a path -> its new text or bytes)
    exit: int
    severity: str | None  # "error", "warning", or None when the input is accepted as it is
    code: str  # the diagnostic code, e.g. "front-matter/yaml"
    where: str  # "content/about.md:2": the location the message starts with
    message: str  # a fragment of the message (or of stderr, for usage errors)
    config: str | None = None  # a new site.toml
    argv: tuple[str, ...] = ()
    setup: Setup | None = None
    pending: str = ""
    count: int = 1  # how many diagnostics of this code (a loop of two links: two)


def fm(*lines: str, body: str = "Text.\n") -> str:
    """YAML front matter from ``lines``: the first one is on line 2 of the file."""
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n\n" + body


def wrong_type(path: str, field_name: str, value: str, *other: str) -> Case:
    """A field of ``path``'s kind with a value of the wrong type, on line 2."""
    return Case(
        f"type-{KIND_OF[path]}-{field_name}",
        {path: fm(f"{field_name}: {value}", *other)},
        1,
        "error",
        "front-matter/type",
        f"{path}:2",
        f"'{field_name}' should be",
    )


NEEDS_LINKS = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a linked file in content/ is a POSIX case",
)


def symlink_loop(site: Path, _: pytest.MonkeyPatch) -> None:
    (site / "content" / "loop.md").symlink_to("loop2.md")
    (site / "content" / "loop2.md").symlink_to("loop.md")


def symlink_out(site: Path, _: pytest.MonkeyPatch) -> None:
    outside = site.parent / f"{site.name}-outside.md"
    outside.write_text("---\ntitle: Secret\n---\n\nFrom outside the site.\n")
    (site / "content" / "secret.md").symlink_to(outside)


def folder_loop(site: Path, _: pytest.MonkeyPatch) -> None:
    (site / "content" / "weeknotes" / "again").symlink_to(site / "content", target_is_directory=True)


def out_under_a_file(site: Path, _: pytest.MonkeyPatch) -> None:
    (site / "notes.txt").write_text("mine\n")


def disk_full(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fourth file written into staging finds the disk full (ENOSPC), mid-build."""
    original = pathlib.Path.write_bytes
    written = 0

    def write_bytes(self: pathlib.Path, data: bytes) -> int:  # type: ignore[override]
        nonlocal written
        if ".staging-" in str(self):
            written += 1
            if written > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return original(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)


def unreadable_static(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, who can read anything: pretend the file's permissions say no."""
    monkeypatch.setattr(write.os, "access", lambda p, mode, **_: not str(p).endswith("logo.svg"))


def interrupted(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while rendered pages are landing in staging."""
    original = write.Staging.record

    def stop(self: write.Staging, rel: str, key: str) -> None:
        if len(self.manifest) > 3:
            raise KeyboardInterrupt
        original(self, rel, key)

    monkeypatch.setattr(write.Staging, "record", stop)


DEEP = "---\ntitle: Deep\n---\n\n"
CASES: list[Case] = [
    # -- front matter syntax --------------------------------------------------------------------
    Case(
        "yaml-broken",
        {PAGE: fm("title: About: us")},
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:2",
        "invalid YAML front matter",
    ),
    Case(
        "yaml-bad-indent",
        {PAGE: fm("title: About", "  tags: [a]", "draft: false")},
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:3",
        "invalid YAML front matter",
    ),
    Case(
        "yaml-duplicate-key",
        {PAGE: fm("title: About", "summary: One", "title: Other")},
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:4",
        "the key 'title' appears twice (first on line 2)",
    ),
    Case(
        "yaml-alias-bomb",
        {
            PAGE: fm(
                "a: &a [x, x, x, x, x, x, x, x, x]",
                *(
                    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i > 1 else "*a"] * 9) + "]"
                    for i in range(1, 9)
                ),
            )
        },
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:2",
        "too large (or repeats aliases too often)",
    ),
    Case(
        "toml-broken",
        {PAGE: '+++\ntitle = "About"\ndraft = \n+++\n\nText.\n'},
        1,
        "error",
        "front-matter/toml",
        f"{PAGE}:3",
        "invalid TOML front matter",
    ),
    Case(
        "toml-impossible-date",
        {PAGE: "+++\ntitle = 'About'\ndate = 2026-02-30\n+++\n"},
        1,
        "error",
        "front-matter/toml",
        f"{PAGE}:3",
        "invalid TOML front matter",
    ),
    Case(
        "front-matter-list",
        {PAGE: fm("- title", "- About")},
        1,
        "error",
        "front-matter/not-a-mapping",
        f"{PAGE}:2",
        "the front matter is a list",
    ),
    Case(
        "front-matter-scalar",
        {PAGE: fm("just some words")},
        1,
        "error",
        "front-matter/not-a-mapping",
        f"{PAGE}:2",
        "the front matter is a str",
    ),
    Case(
        "front-matter-unclosed",
        {PAGE: "---\ntitle: About\n\nWho we are.\n"},
        1,
        "error",
        "front-matter/unclosed",
        f"{PAGE}:1",
        "never closed",
    ),
    Case(
        "front-matter-too-deep",
        {PAGE: fm("x: " + "[" * 3000 + "]" * 3000)},
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:2",
        "nested too deeply",
    ),
    # -- wrong types, every field of every kind ---------------------------------------------------
    wrong_type(PAGE, "title", "[About, Us]"),
    wrong_type(PAGE, "date", "[2026, 1, 5]"),
    wrong_type(PAGE, "updated", "{when: soon}"),
    wrong_type(PAGE, "draft", "maybe"),
    wrong_type(PAGE, "slug", "[a, b]"),
    wrong_type(PAGE, "summary", "{text: x}"),
    wrong_type(PAGE, "tags", "{beta: 1}"),
    wrong_type(PAGE, "authors", "[[Amara, Bo]]"),
    wrong_type(PAGE, "aliases", "{old: /x/}"),
    wrong_type(PAGE, "image", "[a.png]"),
    wrong_type(PAGE, "image_alt", "{alt: x}"),
    wrong_type(WEEKNOTE, "team", "[platform, data]"),
    wrong_type(WEEKNOTE, "date", "true"),
    wrong_type(CASE, "organisation", "[a, b]"),
    wrong_type(CASE, "sector", "{a: b}"),
    wrong_type(CASE, "status", "[live]"),
    wrong_type(CASE, "outcome", "{a: b}"),
    wrong_type(CASE, "challenges", "{funding: true}"),
    wrong_type(CONTRIB, "contributor", "42"),
    wrong_type(CONTRIB, "tools", "{Trello: yes}"),
    wrong_type(CONTRIB, "licence", "[CC, BY]"),
    Case(
        "contributor-unknown-key",
        {CONTRIB: fm("contributor: {name: Sam, email: s@example.org}")},
        1,
        "error",
        "front-matter/type",
        f"{CONTRIB}:2",
        "'contributor' should be",
    ),
    Case(
        "contributor-missing",
        {CONTRIB: fm("title: Boards")},
        1,
        "error",
        "front-matter/missing",
        f"{CONTRIB}:1",
        "'contributor' is required",
    ),
    Case(
        "challenge-unknown",
        {CASE: fm("challenges: wizardry")},
        1,
        "error",
        "front-matter/challenge",
        f"{CASE}:2",
        "unknown challenge 'wizardry'",
    ),
    Case(
        "image-javascript",
        {PAGE: fm("image: 'javascript:alert(1)'")},
        1,
        "error",
        "front-matter/image",
        f"{PAGE}:2",
        "'image' must be a path on this site or an http(s) URL",
    ),
    Case(
        "index-wrong-type",
        {"content/weeknotes/_index.md": fm("title: [a, b]")},
        1,
        "error",
        "front-matter/type",
        "content/weeknotes/_index.md:2",
        "'title' should be text",
    ),
    # -- dates --------------------------------------------------------------------------------
    Case(
        "date-february-30",
        {PAGE: fm("date: 2026-02-30")},
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:2",
        "impossible date '2026-02-30'",
    ),
    Case(
        "date-month-13",
        {PAGE: fm("date: 2026-13-01")},
        1,
        "error",
        "front-matter/yaml",
        f"{PAGE}:2",
        "impossible date '2026-13-01'",
    ),
    Case(
        "date-day-month-ambiguous",
        {PAGE: fm("date: '10/11/2026'")},
        1,
        "error",
        "front-matter/type",
        f"{PAGE}:2",
        "'date' should be a date such as 2026-11-23, not '10/11/2026'",
    ),
    Case(
        "date-words",
        {PAGE: fm("date: next Tuesday")},
        1,
        "error",
        "front-matter/type",
        f"{PAGE}:2",
        "'date' should be a date",
    ),
    Case(
        "weeknote-without-date",
        {"content/weeknotes/notes.md": fm("title: Undated")},
        1,
        "error",
        "front-matter/missing",
        "content/weeknotes/notes.md:1",
        "'date' is required for a weeknote",
    ),
    Case(
        "date-beyond-year-9999",
        {PAGE: fm("date: 9999-12-31T23:00:00-12:00")},
        1,
        "error",
        "front-matter/type",
        f"{PAGE}:2",
        "'date' should be a date",
    ),
    # -- bytes ----------------------------------------------------------------------------------
    Case(
        "not-utf8",
        {PAGE: b"---\ntitle: Caf\xe9\n---\n\nText.\n"},
        1,
        "error",
        "content/encoding",
        f"{PAGE}:2",
        "not UTF-8 (byte 0xe9)",
    ),
    Case(
        "utf16",
        {PAGE: "---\ntitle: About\n---\n".encode("utf-16")},
        1,
        "error",
        "content/binary",
        f"{PAGE}:1",
        "NUL bytes",
    ),
    Case(
        "nul-byte",
        {PAGE: b"---\ntitle: About\n---\n\nWho\x00 we are.\n"},
        1,
        "error",
        "content/binary",
        f"{PAGE}:5",
        "NUL bytes",
    ),
    Case(
        "png-named-md",
        {PAGE: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"},
        1,
        "error",
        "content/binary",
        f"{PAGE}:3",
        "looks binary",
    ),
    Case(
        "huge-file",
        {PAGE: "---\ntitle: Huge\n---\n\n" + "word " * (parse.MAX_BYTES // 5 + 10)},
        1,
        "error",
        "content/too-large",
        PAGE,
        "the limit is 5 MiB",
    ),
    Case("empty-file", {PAGE: ""}, 0, "warning", "content/empty", PAGE, "the file is empty"),
    Case("whitespace-only", {PAGE: "\n  \n\t\n"}, 0, "warning", "content/empty", PAGE, "the file is empty"),
    # -- pathological Markdown: rendered in bounded time, never a RecursionError ------------------
    Case("nested-quotes", {PAGE: DEEP + ">" * 10_000 + " deep\n"}, 0, None, "", "", ""),
    Case("nested-brackets", {PAGE: DEEP + "[" * 10_000 + "x" + "]" * 10_000 + "\n"}, 0, None, "", "", ""),
    Case("nested-lists", {PAGE: DEEP + "- " * 10_000 + "x\n"}, 0, None, "", "", ""),
    Case(
        "nested-indented-lists",
        {PAGE: DEEP + "".join("  " * i + "- x\n" for i in range(1000))},
        0,
        None,
        "",
        "",
        "",
    ),
    Case("nested-emphasis", {PAGE: DEEP + "*_" * 5_000 + "x" + "_*" * 5_000 + "\n"}, 0, None, "", "", ""),
    Case("nested-html", {PAGE: DEEP + "<div>" * 5_000 + "x" + "</div>" * 5_000 + "\n"}, 0, None, "", "", ""),
    # -- accepted as written, listed so the choice is visible -----------------------------------
    Case("date-naive-datetime", {PAGE: fm("date: '2026-10-11T10:00:00'")}, 0, None, "", "", ""),
    # -- links and files ------------------------------------------------------------------------
    Case(
        "symlink-loop",
        {},
        0,
        "warning",
        "discover/symlink-broken",
        "content/loop.md",
        "points to nothing (or to itself)",
        setup=symlink_loop,
        count=2,
    ),
    Case(
        "symlink-folder-loop",
        {},
        0,
        "warning",
        "discover/symlink-dir",
        "content/weeknotes/again",
        "a linked folder is not followed",
        setup=folder_loop,
    ),
    Case(
        "symlink-out-of-the-site",
        {},
        1,
        "error",
        "discover/symlink-out",
        "content/secret.md",
        "points outside the site folder",
        setup=symlink_out,
    ),
    Case(
        "static-unreadable",
        {"static/logo.svg": "<svg/>"},
        1,
        "error",
        "discover/unreadable",
        "static/logo.svg",
        "cannot be read",
        setup=unreadable_static,
    ),
    Case(
        "duplicate-url",
        {"content/pages/a.md": fm("slug: same"), "content/pages/b.md": fm("slug: Same")},
        1,
        "error",
        "url/duplicate",
        "content/pages/b.md",
        "also the URL of content/pages/a.md",
    ),
    Case(
        "broken-link",
        {PAGE: fm("title: About", body="See [the plan](plan.md).\n")},
        0,
        "warning",
        "link/broken",
        f"{PAGE}:5",
        "broken link to plan.md",
    ),
    Case(
        "liquid-tag",
        {PAGE: fm("title: About", body="Text.\n\n{% include note.html %}\n")},
        0,
        "warning",
        "content/template-syntax",
        f"{PAGE}:7",
        "template syntax is shown as text",
    ),
    Case(
        "field-of-another-kind",
        {WEEKNOTE: fm("organisation: Calderbrook", "team: platform")},
        0,
        "warning",
        "front-matter/field",
        f"{WEEKNOTE}:2",
        "'organisation' is not a field of a weeknote",
    ),
    Case(
        "excerpt-separator-empty",  # accepted: no separator of its own means the default <!--more-->
        {PAGE: fm("excerpt_separator: ''")},
        0,
        None,
        "",
        "",
        "",
    ),
    Case(
        "control-characters",
        {PAGE: fm("title: About", body="Who\x06 we are.\n")},
        0,
        "warning",
        "content/control-character",
        f"{PAGE}:5",
        "invisible control character U+0006 removed",
    ),
    # -- site.toml ------------------------------------------------------------------------------
    Case(
        "config-unknown-key",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "colour: unknown key",
        config=SITE_TOML + 'colour = "red"\n',
    ),
    Case(
        "config-wrong-type",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "feed_limit: expected a whole number, got str 'ten'",
        config=SITE_TOML + 'feed_limit = "ten"\n',
    ),
    Case(
        "config-wrong-table",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "authors.amara: expected a table",
        config=SITE_TOML + "[authors]\namara = 3\n",
    ),
    Case(
        "config-invalid-toml",
        {},
        1,
        "error",
        "config/toml",
        "site.toml:4",
        "not valid TOML",
        config=SITE_TOML + "title = \n",
    ),
    Case(
        "config-not-utf8",
        {"site.toml": SITE_TOML.encode() + b'description = "caf\xe9"\n'},
        1,
        "error",
        "config/encoding",
        "site.toml:4",
        "not UTF-8 (byte 0xe9)",
    ),
    Case(
        "config-unknown-timezone",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "unknown time zone 'Mars/Olympus'",
        config=SITE_TOML.replace("Europe/London", "Mars/Olympus"),
    ),
    Case(
        "config-missing-theme",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "theme: no theme folder themes/fancy/",
        config=SITE_TOML + 'theme = "fancy"\n',
    ),
    Case(
        "config-bad-domain",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "is not a domain name",
        config=SITE_TOML + 'domain = "example.org\\nevil"\n',
    ),
    Case(
        "config-permalink-token",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "unknown token ':yaer'",
        config=SITE_TOML + '[sections.weeknotes]\npermalink = "/:section/:yaer/:slug/"\n',
    ),
    Case(
        "config-zero-paginate",
        {},
        1,
        "error",
        "config/invalid",
        "site.toml",
        "must be at least 1",
        config=SITE_TOML + "paginate = 0\n",
    ),
    # -- templates in a site theme override -----------------------------------------------------
    Case(
        "template-syntax",
        {OVERRIDE: '{% extends "default/post.html" %}\n{% block title %}{{ }}{% endblock %}\n'},
        1,
        "error",
        "template/syntax",
        f"{OVERRIDE}:2",
        "Expected an expression",
    ),
    Case(
        "template-runtime",
        {
            OVERRIDE: '{% extends "default/post.html" %}\n\n{% block title %}'
            "{{ doc.title / 2 }}{% endblock %}\n"
        },
        1,
        "error",
        "template/runtime",
        f"{OVERRIDE}:3",
        "TypeError",
        count=4,  # one per page the template renders, each naming its URL
    ),
    Case(
        "template-undefined",
        {
            OVERRIDE: '{% extends "default/post.html" %}\n{% block title %}'
            "{{ doc.no_such_field.x }}{% endblock %}\n"
        },
        1,
        "error",
        "template/runtime",
        f"{OVERRIDE}:2",
        "UndefinedError",
        count=4,  # one per page the template renders, each naming its URL
    ),
    Case(
        "template-missing-include",
        {
            OVERRIDE: '{% extends "default/post.html" %}\n{% block title %}'
            '{% include "missing.html" %}{% endblock %}\n'
        },
        1,
        "error",
        "template/missing",
        f"{OVERRIDE}:2",
        "template 'missing.html' not found",
    ),
    Case(
        "template-not-utf8",
        {OVERRIDE: b"{% extends 'default/post.html' %}\n{# caf\xe9 #}\n"},
        1,
        "error",
        "template/encoding",
        OVERRIDE,
        "not UTF-8",
    ),
    # -- the output folder ----------------------------------------------------------------------
    Case(
        "out-under-a-file",
        {},
        1,
        "error",
        "output/not-a-folder",
        "notes.txt/public",
        "notes.txt is a file, not a folder",
        argv=("--out", "{site}/notes.txt/public"),
        setup=out_under_a_file,
    ),
    Case(
        "out-is-a-file",
        {"notes.txt": "mine\n"},
        1,
        "error",
        "output/not-a-folder",
        "notes.txt",
        "the output path is a file",
        argv=("--out", "{site}/notes.txt"),
    ),
    Case(
        "disk-full",
        {PAGE: fm("title: About us")},
        1,
        "error",
        "output/write",
        "output/",
        "no space left on the device (ENOSPC)",
        setup=disk_full,
    ),
    Case("interrupted", {PAGE: fm("title: About us")}, 130, None, "", "", "Interrupted.", setup=interrupted),
    # -- usage ----------------------------------------------------------------------------------
    Case(
        "usage-jobs-negative",
        {},
        2,
        None,
        "",
        "",
        "--jobs: must be 0 (every core) or more",
        argv=("--jobs", "-2"),
    ),
    Case(
        "usage-jobs-words", {}, 2, None, "", "", "--jobs: invalid int value: 'many'", argv=("--jobs", "many")
    ),
    Case("usage-unknown-option", {}, 2, None, "", "", "unrecognized arguments: --fast", argv=("--fast",)),
]


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base site with a good output, built once; each case works on a copy."""
    root = tmp_path_factory.mktemp("catalogue") / "base"
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    for rel, text in BASE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    assert main(["build", str(root), "--jobs", "1"]) == 0
    return root


@pytest.fixture
def time_limit() -> Iterator[None]:
    """Fail a case that runs longer than TIME_LIMIT instead of hanging CI (a guard, not a benchmark).
    Windows has no SIGALRM: there a timer thread interrupts the main one, as Ctrl-C would."""
    if not hasattr(signal, "SIGALRM"):
        expired = threading.Event()

        def interrupt() -> None:
            expired.set()
            _thread.interrupt_main()

        timer = threading.Timer(TIME_LIMIT, interrupt)
        timer.start()
        yield
        timer.cancel()
        assert not expired.is_set(), f"the build took more than {TIME_LIMIT} s"
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"the build took more than {TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TIME_LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _params() -> list[object]:
    params = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.pending)] if case.pending else []
        marks += [NEEDS_LINKS] if case.setup in (symlink_loop, symlink_out, folder_loop) else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def _leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if re.match(r"\.(output|public)\.(staging|old)-", p.name))


@pytest.mark.parametrize("case", _params())
def test_bad_input(
    case: Case,
    built_base: Path,
    tmp_path: Path,
    hash_tree: HashTree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    time_limit: None,
) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_base, site, symlinks=True)
    before = hash_tree(site / "output")
    if case.config is not None:
        (site / "site.toml").write_text(case.config)
    for rel, text in case.files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    if case.setup is not None:
        case.setup(site, monkeypatch)
    argv = [a.replace("{site}", str(site)) for a in case.argv]
    code = main(["build", str(site), "--jobs", "1", *argv])
    monkeypatch.undo()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "this is a bug" not in (out + err).lower()
    assert code == case.exit, err
    _check_message(case, out, err, site)
    if case.exit != 0:
        assert hash_tree(site / "output") == before
        assert _leftovers(site) == []
    if case.exit == 0:
        assert out.startswith("Built "), out
        warnings = case.count if case.severity else 0
        assert f" {warnings} warning{'' if warnings == 1 else 's'}" in out


def _check_message(case: Case, out: str, err: str, site: Path) -> None:
    if case.severity is None:
        assert case.message in out + err
        if case.exit == 0:
            assert err == ""  # accepted: no diagnostic at all
        return
    # Diagnostics name the file (and line) first: "content/about.md:2: error: ... [front-matter/yaml]".
    lines = [_relative(line, site) for line in err.splitlines()]
    matching = [
        line
        for line in lines
        if line.startswith(f"{case.where}:" if case.where.endswith("/") else f"{case.where}: ")
        or (case.where.endswith("/") and line.startswith(case.where))
    ]
    assert matching, f"no diagnostic at {case.where}:\n{err}"
    line = matching[0]
    assert f" {case.severity}: " in line
    assert line.endswith(f"[{case.code}]")
    assert case.message in line
    assert sum(1 for other in lines if other == line) == 1  # printed once, at the end
    assert sum(1 for other in lines if other.endswith(f"[{case.code}]")) == case.count
    assert "  hint: " in err  # every diagnostic says what to do


def _relative(line: str, site: Path) -> str:
    """``line`` with the site's folder taken out of the paths in it, and the path it starts with in
    POSIX form: an output error names its file in full, with Windows' separators there."""
    for prefix in (str(site) + os.sep, str(site) + "/"):
        line = line.replace(prefix, "")
    where, colon, rest = line.partition(": ")
    return where.replace(os.sep, "/") + colon + rest


def test_the_catalogue_covers_every_class_of_input() -> None:
    """At least 30 kinds of bad input, each name used once."""
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert len([c for c in CASES if c.severity is not None or c.exit != 0]) >= 30


def test_a_naive_datetime_is_read_in_the_site_timezone(built_base: Path, tmp_path: Path) -> None:
    """A datetime without an offset is in the site's time zone (Europe/London: BST in October)."""
    site = tmp_path / "site"
    shutil.copytree(built_base, site, symlinks=True)
    (site / WEEKNOTE).write_text(fm("title: Week two", "date: '2026-10-11T10:00:00'"))
    assert main(["build", str(site), "--jobs", "1"]) == 0
    html = (site / "output" / "weeknotes" / "2026" / "10" / "week-two" / "index.html").read_text()
    assert 'datetime="2026-10-11T10:00:00+01:00"' in html


def test_strict_makes_a_warning_fail_and_keeps_the_output(
    built_base: Path, tmp_path: Path, hash_tree: HashTree, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_base, site, symlinks=True)
    before = hash_tree(site / "output")
    (site / PAGE).write_text("")
    assert main(["build", str(site), "--jobs", "1", "--strict"]) == 1
    out, err = capsys.readouterr()
    assert f"{PAGE}: warning: the file is empty" in err
    assert "warnings are errors under --strict" in out
    assert hash_tree(site / "output") == before


def test_every_problem_is_reported_in_one_run(
    built_base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stage skips a bad file and carries on, so one run names them all."""
    site = tmp_path / "site"
    shutil.copytree(built_base, site, symlinks=True)
    (site / PAGE).write_text(fm("title: About: us"))
    (site / WEEKNOTE).write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (site / CASE).write_text(fm("challenges: wizardry"))
    assert main(["build", str(site), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    for where in (f"{PAGE}:2: error", f"{WEEKNOTE}:2: error", f"{CASE}:2: error"):
        assert where in err


def test_a_bug_stays_loud(
    built_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not bad input but a bug: the traceback and 'this is a bug', never a quiet diagnostic."""
    site = tmp_path / "site"
    shutil.copytree(built_base, site, symlinks=True)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("an invariant broke")

    monkeypatch.setattr("site_builder.pipeline.stages.plan_routes", broken)
    assert main(["build", str(site), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: an invariant broke" in err
    assert "This is a bug in site-builder" in err


FULL_DISK_IN_WORKERS = """\
import errno, os, pathlib

os.environ.setdefault("FULL_DISK_MAIN_PID", str(os.getpid()))  # the first process: the build's own
_write_bytes = pathlib.Path.write_bytes


def _full(self, data):
    if ".staging-" in str(self) and str(os.getpid()) != os.environ["FULL_DISK_MAIN_PID"]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
    return _write_bytes(self, data)


pathlib.Path.write_bytes = _full
"""


def test_a_full_disk_in_a_worker_is_reported_like_one_here(
    built_base: Path,
    tmp_path: Path,
    hash_tree: HashTree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Workers write the pages they render; a write error there comes back as the same diagnostic
    (an exception cannot cross the process boundary intact) and the old output stays."""
    site = tmp_path / "site"
    shutil.copytree(built_base, site, symlinks=True)
    before = hash_tree(site / "output")
    for n in range(60):  # enough routes for a pool
        (site / "content" / "weeknotes" / f"2026-02-{n % 28 + 1:02d}-note-{n}.md").write_text(
            fm(f"title: Note {n}")
        )
    # Workers start from a fork server or are spawned: a patch made here would not reach them, so
    # the disk fills in every process the build starts (sitecustomize runs in each), not in its own.
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(FULL_DISK_IN_WORKERS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), *sys.path])}
    env.pop("FULL_DISK_MAIN_PID", None)
    command = [sys.executable, "-m", "site_builder", "build", str(site), "--jobs", "2", "--no-search"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    err = run.stderr
    assert "Traceback" not in err
    line = next(line for line in err.splitlines() if ": error: " in line)
    assert line.startswith(str(site / "output" / "weeknotes" / "2026" / "02") + os.sep)  # not staging's
    assert line.endswith("cannot write the output: no space left on the device (ENOSPC) [output/write]")
    assert "hint: free some disk space" in err
    assert hash_tree(site / "output") == before
    assert _leftovers(site) == []
