"""What the release workflow publishes (README, "Releasing"): an sdist and a wheel built from it, named
and versioned as the pin ``init`` writes, with the built-in theme and the package's data files."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import site_builder
from site_builder.workflow import DISTRIBUTION, pinned
from tests.actions import Runner, event, load, substitute

REPO = Path(__file__).resolve().parents[2]
VERSION = site_builder.__version__


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` as the release workflow runs it (sdist, then the wheel from the sdist), but
    offline: without an isolated environment, with the build backend the test extras installed."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_the_release_is_named_and_versioned_as_the_pin_init_writes(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == [
        f"site_builder-{VERSION}-py3-none-any.whl",
        f"site_builder-{VERSION}.tar.gz",
    ]
    wheel = zipfile.ZipFile(dist / f"site_builder-{VERSION}-py3-none-any.whl")
    metadata = email.message_from_bytes(wheel.read(f"site_builder-{VERSION}.dist-info/METADATA"))
    assert f"{metadata['Name']}=={metadata['Version']}" == f"{DISTRIBUTION}=={VERSION}" == pinned()


def test_wheel_contains_the_default_theme_and_the_package_data(dist: Path) -> None:
    wheel = zipfile.ZipFile(dist / f"site_builder-{VERSION}-py3-none-any.whl")
    names = set(wheel.namelist())
    assert "site_builder/themes/default/templates/base.html" in names
    assert "site_builder/themes/default/static/css/site.css" in names
    # package files read at run time: serve's live-reload script and init's files
    assert {
        "site_builder/live.js",
        "site_builder/scaffold_files/pages.yml",
        "site_builder/scaffold_files/site/site.toml",
        "site_builder/scaffold_files/site/gitignore",
        "site_builder/cli.py",
        "site_builder/workflow.py",
    } <= names
    entry_points = wheel.read(f"site_builder-{VERSION}.dist-info/entry_points.txt").decode()
    assert "site-builder = site_builder.cli:run" in entry_points


def test_the_sdist_holds_what_the_wheel_is_built_from(dist: Path) -> None:
    with tarfile.open(dist / f"site_builder-{VERSION}.tar.gz") as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {
        "pyproject.toml",
        "README.md",
        "site_builder/__init__.py",
        "themes/default/templates/base.html",
    } <= names
    assert not any(n.startswith(("tests/", "content/", ".github/")) for n in names)


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="runs a step of release.yml, whose job runs on ubuntu-latest, in bash as that runner does",
)
@pytest.mark.parametrize(("tag", "ok"), [(f"v{VERSION}", True), ("v99.0.0", False), (f"v{VERSION}.1", False)])
def test_the_release_workflow_refuses_a_tag_that_is_not_the_version(
    dist: Path, tmp_path: Path, tag: str, ok: bool
) -> None:
    """The release workflow's own check, run as GitHub runs it, next to the dist/ it built."""
    flow = load((REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in flow["jobs"]["build"]["steps"] if "the tag is the version" in s.get("name", "")]
    workspace = tmp_path / "workspace"
    (workspace / "dist").mkdir(parents=True)
    for built in dist.iterdir():
        (workspace / "dist" / built.name).symlink_to(built)
    (tmp_path / "temp").mkdir()
    github = event("push", f"refs/tags/{tag}")["github"]
    runner = Runner(workspace, tmp_path / "temp", [], github)
    env = {key: substitute(str(value), runner.context({})) for key, value in step["env"].items()}
    assert env == {"TAG": tag}
    runner.run_step(0, step, env)
    ((_, done),) = runner.ran
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    if not ok:
        assert f"::error::tag {tag} is not the version" in done.stdout
