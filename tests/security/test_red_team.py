"""What a red-team pass found after the first round (SECURITY.md): each case ends in exit 0 with
the payload inert, or exit 1 naming the file, never a traceback; links never leave the site."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

Cli = Callable[[Sequence[str]], tuple[int, str, str]]
MakeSite = Callable[..., Path]
# NTFS refuses these characters in a name, and git for Windows will not check such a file out.
NTFS_REFUSES = pytest.mark.skipif(
    sys.platform == "win32", reason='Windows file names cannot hold \\ " < > ? or control characters'
)
# Two names that differ only in case are one folder on Windows' and macOS's usual file systems.
ONE_CASE = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"),
    reason="the file system ignores case: Contributions/ and contributions/ are one folder",
)


def contribution(front: str = "", body: str = "Hello.\n") -> str:
    return f"---\ntitle: C\ndate: 2026-10-01\ncontributor: Eve\n{front}---\n{body}"


@pytest.mark.parametrize(
    "front",
    [
        'contributor:\n  name: Eve\n  url: "https://[x"\n',
        'image: "https://[x"\n',
        'image: "http://[::1"\n',
        'contributor:\n  name: Eve\n  url: "https://a]b"\n',
    ],
)
def test_a_url_python_cannot_split_is_refused_not_a_crash(
    front: str, make_site: MakeSite, run_cli: Cli
) -> None:
    root = make_site({"content/contributions/c.md": contribution(front.replace("contributor: Eve\n", ""))})
    for command in (["check", "--format", "github"], ["build"]):
        code, out, err = run_cli([*command, str(root)])
        assert code == 1 and "Traceback" not in out + err
        assert "content/contributions/c.md" in out + err


@pytest.mark.parametrize("link", ["[a](//[x)", "![a](//[x/y.png)", "<//[x>", "[a](/[x)"])
def test_a_link_python_cannot_split_builds(link: str, make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site({"content/contributions/c.md": contribution(body=f"{link}\n")})
    code, _, err = run_cli(["build", str(root), "--no-search"])
    assert code == 0 and "Traceback" not in err


@pytest.mark.parametrize(
    "link",
    [
        "[two](%2F%2Fevil.test/path)",
        "![img](%2F%2Fevil.test/x.png)",
        "[one](..%2F%5Cevil.test)",
        "[three](%5C%5Cevil.test/x)",
        "[four](sub/..%2F..%2F%2Fevil.test)",
    ],
)
@pytest.mark.parametrize("base", ["https://example.org/", "https://example.org/repo/"])
def test_encoded_slashes_and_backslashes_never_lead_off_the_site(
    link: str, base: str, make_site: MakeSite, run_cli: Cli
) -> None:
    config = f'title = "T"\nbase_url = "{base}"\n'
    root = make_site({"content/contributions/c.md": contribution(body=f"{link}\n")}, config=config)
    assert run_cli(["build", str(root), "--no-search"])[0] == 0
    page_url = urljoin(base, "contributions/c/")
    page = lxml_html.fromstring((root / "output/contributions/c/index.html").read_bytes())
    content = page.xpath("//div[@class='content']")[0]
    urls = content.xpath(".//a/@href | .//img/@src")
    assert urls
    for url in urls:  # what a browser does: backslashes are slashes in http(s) URLs
        resolved = urlsplit(urljoin(page_url, url.replace("\\", "/")))
        assert resolved.netloc == "example.org", (url, resolved)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param('a"><img src=x onerror=alert(1)>.txt', marks=NTFS_REFUSES),
        pytest.param("b\\evil.txt", marks=NTFS_REFUSES),
        pytest.param("c\nnl.txt", marks=NTFS_REFUSES),
        pytest.param("d?x#y.txt", marks=NTFS_REFUSES),
        "e'x.txt",
        pytest.param("f\x01.txt", marks=NTFS_REFUSES),
    ],
)
def test_untrusted_file_names_follow_the_url_rule(name: str, make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site({"content/contributions/c.md": contribution()})
    (root / "content" / "contributions" / name).write_text("plain text\n")
    code, _, err = run_cli(["build", str(root), "--no-search"])
    assert code == 1 and "[discover/file-name]" in err and "Traceback" not in err
    assert not (root / "output").exists()


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows names are UTF-16: bytes that are not UTF-8 cannot be one"
)
def test_a_name_that_is_not_utf8_is_an_error_not_a_crash(make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site({"content/contributions/c.md": contribution()})
    folder = os.fsencode(root / "content" / "contributions")
    with open(os.path.join(folder, b"\xfe\xff.md"), "w") as f:
        f.write(contribution())
    os.makedirs(os.path.join(folder, b"d\xff"))
    for command in (["check"], ["build", "--no-search"]):
        code, out, err = run_cli([*command, str(root)])
        assert code == 1 and "[discover/file-name]" in out + err and "Traceback" not in out + err


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="made through folder descriptors (dir_fd), which Windows lacks; a checkout there also stops "
    "at 260 characters of path unless long paths are enabled",
)
def test_folders_nested_thousands_deep_are_walked_without_recursion(
    make_site: MakeSite, run_cli: Cli
) -> None:
    root = make_site({"content/contributions/c.md": contribution()})
    fds = [os.open(os.path.join(root, "content", "contributions"), os.O_RDONLY)]
    try:  # 1,100 levels: deeper than Python's recursion limit; made and removed through fds
        for _ in range(1100):
            os.mkdir("a", dir_fd=fds[-1])
            fds.append(os.open("a", os.O_RDONLY, dir_fd=fds[-1]))
        with open(os.open("x.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fds[-1]), "w") as f:
            f.write("deep\n")
        code, _, err = run_cli(["check", str(root)])
        assert "Traceback" not in err and "RecursionError" not in err
        assert code in (0, 1)
    finally:  # pytest's own clean-up of old temporary folders recurses: leave nothing this deep
        os.unlink("x.txt", dir_fd=fds[-1])
        while len(fds) > 1:
            os.close(fds.pop())
            os.rmdir("a", dir_fd=fds[-1])
        os.close(fds.pop())


def test_a_file_cannot_take_a_generated_feeds_place(make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site({"content/contributions/c.md": contribution(), "content/contributions/feed.json": "{}"})
    code, out, _ = run_cli(["check", str(root)])
    assert code == 1 and "[url/duplicate]" in out
    assert "content/contributions/feed.json" in out and "(/contributions/feed.json)" in out


@pytest.mark.parametrize(
    "folder",
    [
        pytest.param("Contributions", marks=ONE_CASE),
        "contributi\u03bfns",
        pytest.param("CONTRIBUTIONS", marks=ONE_CASE),
    ],
)
def test_a_look_alike_of_the_untrusted_section_is_refused(
    folder: str, make_site: MakeSite, run_cli: Cli
) -> None:
    root = make_site(
        {
            "content/contributions/c.md": contribution(),
            f"content/{folder}/x.md": "---\ntitle: X\n---\n<script>alert(1)</script>\n",
        }
    )
    code, out, _ = run_cli(["check", str(root)])
    assert code == 1 and "[discover/look-alike]" in out and f"content/{folder}" in out


def test_import_never_copies_hidden_files(make_site: MakeSite, run_cli: Cli, tmp_path: Path) -> None:
    hugo = tmp_path / "hugo"
    for rel, text in {
        "hugo.toml": 'baseURL = "https://example.org/"\ntitle = "Old"\n',
        "content/posts/first.md": "---\ntitle: First\ndate: 2024-01-02\n---\nHi.\n",
        "content/posts/.git/config": "SECRET-SENTINEL",
        "content/.hidden.md": "---\ntitle: SECRET-SENTINEL\n---\n",
        "static/.env": "SECRET-SENTINEL",
        "static/.git/config": "SECRET-SENTINEL",
        "static/img/a.txt": "public",
    }.items():
        (hugo / rel).parent.mkdir(parents=True, exist_ok=True)
        (hugo / rel).write_text(text)
    target = tmp_path / "new"
    code, _, err = run_cli(["import", "hugo", str(hugo), str(target)])
    assert code == 0, err
    copied = [p for p in target.rglob("*") if p.is_file()]
    assert any(p.name == "a.txt" for p in copied)
    assert not [p for p in copied if "SECRET-SENTINEL" in p.read_text(errors="replace")]
