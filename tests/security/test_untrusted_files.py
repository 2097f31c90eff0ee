"""An untrusted section publishes only inert files (SECURITY.md, "Nothing from an untrusted section
runs in a reader's browser").

GitHub Pages sets Content-Type from the suffix, so a contribution's ``.html``, ``.svg`` or ``.js``
would be a live page or script on the site's origin. Only raster images, PDF and plain text or data
are copied from an untrusted section, and only when their bytes are what their suffix says; any
other file is an error naming it, with a hint, and the previous output is left as it was.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

Cli = Callable[[Sequence[str]], tuple[int, str, str]]
MakeSite = Callable[..., Path]
SITE_TOML = 'title = "T"\nbase_url = "https://example.org/"\n'
FILES = {
    "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "content/weeknotes/week-1.md": "---\ntitle: Week 1\ndate: 2026-01-05\n---\nA week.\n",
}
SCRIPT = b"<script>alert(document.cookie)</script>"


def _png() -> bytes:
    """A real 1x1 PNG (PNG spec: signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF87 = b"GIF87a\x01\x00\x01\x00\x00\x00\x00;"
GIF89 = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00\x00\x00\x08free"
AVIF_COMPATIBLE = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif" + b"\x00\x00\x00\x08free"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

INERT: dict[str, bytes] = {
    "photo.png": PNG,
    "PHOTO.PNG": PNG,
    "photo.jpg": JPEG,
    "photo.jpeg": JPEG,
    "old.gif": GIF87,
    "anim.gif": GIF89,
    "photo.webp": WEBP,
    "photo.avif": AVIF,
    "other.avif": AVIF_COMPATIBLE,
    "paper.pdf": PDF,
    "notes.txt": b"Notes: a < b, and <b>tags</b> later on are only text.\n",
    "empty.txt": b"",
    "names.csv": "name,tool\nÉve,Trello\n".encode(),
    "data.json": b'{"items": [1, 2, 3], "note": "<script> in a string is data"}',
    "eve/nested.png": PNG,
}
# Files that are not of a type an untrusted section may publish.
WRONG_TYPE: dict[str, bytes] = {
    "page.html": SCRIPT,
    "page.htm": SCRIPT,
    "Page.HTML": SCRIPT,
    "page.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml">' + SCRIPT + b"</html>",
    "page.shtml": SCRIPT,
    "chart.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "plain.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
    "chart.svgz": zlib.compress(b"<svg onload=alert(1)/>"),
    "app.js": b"alert(document.cookie)",
    "module.mjs": b"export default 1",
    "style.css": b"body { background: url(javascript:alert(1)) }",
    "feed.xml": b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
    "photo.png.html": SCRIPT,
    "app.wasm": b"\x00asm\x01\x00\x00\x00",
    "movie.swf": b"FWS\x0a",
    "site.webmanifest": b'{"start_url": "javascript:alert(1)"}',
    "README": b"no suffix, served as application/octet-stream or sniffed",
    "eve/deep/page.html": SCRIPT,
}
# Files named as an inert type whose bytes are something else.
WRONG_CONTENT: dict[str, bytes] = {
    "photo.png": b"<!doctype html>" + SCRIPT,
    "photo.jpg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "anim.gif": b"<html>" + SCRIPT,
    "photo.webp": b"RIFF\x00\x00\x00\x00WAVE",
    "photo.avif": b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp41",
    "paper.pdf": b"<html>" + SCRIPT,
    "gif-as.png": GIF89,
    "png-as.jpg": PNG,
    "notes.txt": b"<!DOCTYPE html>" + SCRIPT,
    "bom.txt": b"\xef\xbb\xbf \r\n\t<html>" + SCRIPT,
    "upper.txt": b"  <SCRIPT>alert(1)</SCRIPT>",
    "names.csv": b"<svg onload=alert(1)>,x\n",
    "data.json": SCRIPT,
    "broken.json": b"{not json",
    "deep.json": b"[" * 100_000,
    "binary.txt": PNG,
    "latin1.txt": "café".encode("latin-1"),
    "utf16.txt": "hello".encode("utf-16"),
}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _built(make_site: MakeSite, run_cli: Cli, config: str = SITE_TOML) -> tuple[Path, dict[str, bytes]]:
    root = make_site(FILES, config=config)
    code, _, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 0, err
    return root, tree(root / "output")


def _refused(
    root: Path, rel: str, data: bytes, code_name: str, run_cli: Cli, before: dict[str, bytes]
) -> None:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    code, out, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 1, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"content/{rel}: error:"))
    assert lines[at].endswith(f"[{code_name}]"), lines[at]
    assert lines[at + 1].startswith("  hint: ")
    assert tree(root / "output") == before


@pytest.mark.parametrize("name", sorted(WRONG_TYPE))
def test_a_file_of_another_type_is_refused(name: str, make_site: MakeSite, run_cli: Cli) -> None:
    root, before = _built(make_site, run_cli)
    _refused(root, f"contributions/{name}", WRONG_TYPE[name], "discover/untrusted-type", run_cli, before)


@pytest.mark.parametrize("name", sorted(WRONG_CONTENT))
def test_a_file_that_is_not_what_its_name_says_is_refused(
    name: str, make_site: MakeSite, run_cli: Cli
) -> None:
    root, before = _built(make_site, run_cli)
    _refused(
        root, f"contributions/{name}", WRONG_CONTENT[name], "discover/untrusted-content", run_cli, before
    )


def test_inert_files_are_copied_as_they_are(make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site({**FILES, **{f"content/contributions/{k}": v for k, v in INERT.items()}})
    code, _, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 0, err
    for name, data in INERT.items():
        assert (root / "output" / "contributions" / name).read_bytes() == data, name


@pytest.mark.parametrize(
    "config",
    [
        pytest.param('[sections.guests]\nkind = "page"\ntrusted = false\n', id="trusted-false"),
        pytest.param('[sections.guests]\nkind = "contribution"\n', id="contribution-kind"),
    ],
)
def test_any_untrusted_section_is_held_to_the_rule(config: str, make_site: MakeSite, run_cli: Cli) -> None:
    root, before = _built(make_site, run_cli, SITE_TOML + config)
    (root / "content" / "guests").mkdir()
    (root / "content" / "guests" / "photo.png").write_bytes(PNG)
    _refused(root, "guests/chart.svg", WRONG_TYPE["chart.svg"], "discover/untrusted-type", run_cli, before)


def test_a_trusted_section_copies_any_file(make_site: MakeSite, run_cli: Cli) -> None:
    files = {
        "weeknotes/chart.svg": WRONG_TYPE["chart.svg"],
        "weeknotes/embed.html": SCRIPT,
        "weeknotes/app.js": b"1",
    }
    root = make_site({**FILES, **{f"content/{k}": v for k, v in files.items()}, "static/x.svg": b"<svg/>"})
    code, _, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 0, err
    for rel, data in files.items():
        assert (root / "output" / rel).read_bytes() == data


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a linked contribution is a POSIX case",
)
@pytest.mark.parametrize(
    ("name", "target", "code_name"),
    [
        ("pic.png", "../weeknotes/embed.html", "discover/untrusted-content"),
        ("page.html", "../weeknotes/pic.png", "discover/untrusted-type"),
    ],
)
def test_a_link_is_judged_by_its_own_name_and_its_target_bytes(
    name: str, target: str, code_name: str, make_site: MakeSite, run_cli: Cli
) -> None:
    root, before = _built(make_site, run_cli)
    (root / "content" / "weeknotes" / "embed.html").write_bytes(SCRIPT)
    (root / "content" / "weeknotes" / "pic.png").write_bytes(PNG)
    assert run_cli(["build", str(root), "--jobs", "1"])[0] == 0
    before = tree(root / "output")
    (root / "content" / "contributions").mkdir()
    (root / "content" / "contributions" / name).symlink_to(target)
    code, _out, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 1 and f"content/contributions/{name}: error:" in err and f"[{code_name}]" in err
    assert tree(root / "output") == before


def test_check_reports_the_file_on_a_pull_request(make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site({**FILES, "content/contributions/chart.svg": WRONG_TYPE["chart.svg"]})
    code, out, _ = run_cli(["check", str(root), "--format", "github"])
    assert code == 1
    assert "::error file=content/contributions/chart.svg," in out and "untrusted-type" in out
