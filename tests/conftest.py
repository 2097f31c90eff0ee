"""Shared helpers: make a site from a dict, build it in memory, run the CLI, query HTML.

They are fixtures that return functions, because pytest runs with ``--import-mode=importlib`` and
test modules cannot import one another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # plain `pytest` without an editable install still finds the package
    sys.path.insert(0, str(REPO))

from site_builder.cli import main  # noqa: E402
from site_builder.config import load_config  # noqa: E402
from site_builder.model import BuildOptions, Document  # noqa: E402
from site_builder.pipeline import BuildResult, Goal  # noqa: E402
from site_builder.pipeline import build as run_pipeline  # noqa: E402
from tests.samples import copy_sample_site  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _own_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The parse cache's signing key lives in the user's cache folder (SECURITY.md): tests keep
    theirs in a folder of their own, so the suite writes nothing outside its temporary files.
    An environment variable, so CLI runs in subprocesses use it too."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


SITE_TOML = """\
title = "Test site"
base_url = "https://example.org/"
timezone = "Europe/London"
paginate = 3
"""


def write_site(root: Path, files: Mapping[str, str | bytes], config: str = SITE_TOML) -> Path:
    """A site folder: ``site.toml`` plus ``files`` (paths relative to the site root). Text is written
    with LF line ends on every system (Windows would write CRLF), so tests may compare bytes."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(textwrap.dedent(config), encoding="utf-8", newline="\n")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8", newline="\n")
    return root


@pytest.fixture(scope="session")
def site_writer() -> Callable[..., Path]:
    """``write_site(root, files, config)`` for module-scoped fixtures that cannot use tmp_path."""
    return write_site


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """``make_site({"content/a.md": "..."}, config=...)`` -> the site root under tmp_path."""
    count = 0

    def make(files: Mapping[str, str | bytes], config: str = SITE_TOML) -> Path:
        nonlocal count
        count += 1
        return write_site(tmp_path / f"site{count}", files, config)

    return make


def build_site(
    root: Path, *, goal: Goal = Goal.PUBLISH, base_url: str | None = None, **opts: Any
) -> BuildResult:
    """Run the whole pipeline in process; output goes to ``root/output`` unless ``out=`` says otherwise."""
    config = load_config(root, base_url)
    opts.setdefault("out", root / "output")
    opts.setdefault("jobs", 1)
    return run_pipeline(config, BuildOptions(base_url=base_url, **opts), goal=goal)


@pytest.fixture(scope="session")
def build() -> Callable[..., BuildResult]:
    return build_site


def run_main(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[[Sequence[str]], tuple[int, str, str]]:
    """``run_cli(["build", str(site)])`` -> (exit code, stdout, stderr), in process."""
    return lambda argv: run_main(argv, capsys)


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    return copy_sample_site(tmp_path / "sample")


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) -> sha256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def hash_tree() -> Callable[[Path], dict[str, str]]:
    return tree_hashes


def page_at(out: Path, url: str) -> lxml_html.HtmlElement:
    """The parsed HTML page a site-relative URL is written to ("/a/" -> a/index.html)."""
    rel = url.lstrip("/")
    path = out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    assert path.is_file(), f"no page at {url} ({path})"
    return lxml_html.fromstring(path.read_bytes())


@pytest.fixture(scope="session")
def page() -> Callable[[Path, str], lxml_html.HtmlElement]:
    return page_at


def make_document(doc_id: str, **fields: Any) -> Document:
    """A published-looking Document with every field defaulted; dates given as "YYYY-MM-DD" strings."""
    tz = fields.pop("tz", dt.UTC)
    date = fields.pop("date", None)
    if isinstance(date, str):
        date = dt.datetime.fromisoformat(date).replace(tzinfo=tz)
        fields.setdefault("date_only", True)
    section = doc_id.split("/", 1)[0] if "/" in doc_id else ""
    slug = Path(doc_id).stem
    values: dict[str, Any] = {
        "id": doc_id,
        "section": section,
        "kind": "page",
        "is_index": Path(doc_id).name == "_index.md",
        "digest": "0" * 16,
        "title": slug.replace("-", " ").capitalize(),
        "date": date,
        "date_only": False,
        "updated": None,
        "draft": False,
        "slug": slug,
        "url": f"/{section}/{slug}/" if section else f"/{slug}/",
        "tags": (),
        "authors": (),
        "team": "",
        "summary": "",
        "summary_html": "",
        "html": "",
        "toc": (),
        "links": (),
        "images": (),
        "word_count": 0,
        "aliases": (),
        "image": "",
        "image_alt": "",
    }
    values.update(fields)
    return Document(**values)


@pytest.fixture(scope="session")
def make_doc() -> Callable[..., Document]:
    return make_document
