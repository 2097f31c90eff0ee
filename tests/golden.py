"""Sites whose every output byte is recorded (``tests/output-digests.json``), so a change to how
the code is arranged can show it changes nothing a reader sees.

    python scripts/record_digests.py   # after a change that means to change output: read the diff

The sites: the repository's sample, both real corpora (as tests/e2e/test_corpora.py builds them),
the Jekyll and Hugo test sites as ``import`` makes them, and a generated 300-post corpus. Each is
built on a fixed clock, without the search index (Pagefind's files are not ours to pin).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from site_builder.config import load_config
from site_builder.importers import import_site
from site_builder.model import BuildOptions
from site_builder.pipeline import build as run_build
from tests.samples import copy_sample_site

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "tests" / "output-digests.json"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
MARKER = ".site-builder-output"  # signed with a per-user key: differs on every machine

CORPUS_SITES = {
    "18f": (
        "18f/content/posts",
        "posts",
        'title = "18F blog"\nbase_url = "https://18f.gsa.gov/"\ntimezone = "America/New_York"\n'
        'feed_limit = 1000\n\n[sections.posts]\nkind = "page"\npermalink = "/:year/:month/:day/:slug/"\n',
    ),
    "nhse": (
        "nhse-datascience/docs",
        "datascience",
        'title = "NHS England Data Science"\nbase_url = "https://nhsengland.github.io/datascience/"\n'
        'timezone = "Europe/London"\nfeed_limit = 1000\n\n[sections.datascience]\nkind = "page"\n',
    ),
}


def _sample(root: Path) -> Path:
    return copy_sample_site(root)


def _corpus(name: str) -> Callable[[Path], Path]:
    source, section, config = CORPUS_SITES[name]

    def make(root: Path) -> Path:
        root.mkdir(parents=True)
        (root / "site.toml").write_text(config, encoding="utf-8")
        shutil.copytree(REPO / "tests" / "corpora" / source, root / "content" / section)
        return root

    return make


def _imported(kind: str) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        report = import_site(kind, REPO / "tests" / "sites" / f"{kind}-src", root)
        assert report.posts, report
        return root

    return make


def _generated(root: Path) -> Path:
    script = REPO / "benchmarks" / "make_corpus.py"
    subprocess.run([sys.executable, str(script), "--posts", "300", "--out", str(root)], check=True)
    return root


SITES: dict[str, Callable[[Path], Path]] = {
    "sample": _sample,
    "18f": _corpus("18f"),
    "nhse": _corpus("nhse"),
    "jekyll-import": _imported("jekyll"),
    "hugo-import": _imported("hugo"),
    "generated-300": _generated,
}


def digests(out: Path) -> dict[str, str]:
    """Every output file's SHA-256 (first 16 bytes), by POSIX path; the marker left out."""
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != MARKER
    }


def build(name: str, work: Path, jobs: int = 2) -> dict[str, str]:
    """Make the site ``name`` in ``work`` and build it; its output's digests."""
    root = SITES[name](work / name)
    out = work / f"{name}-output"
    result = run_build(load_config(root), BuildOptions(out=out, jobs=jobs, now=NOW, search=False))
    assert result.written, [str(d) for d in result.diagnostics.errors]
    return digests(out)
