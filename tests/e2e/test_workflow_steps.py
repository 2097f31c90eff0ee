"""The generated workflow's ``run:`` steps, run for real on a site fresh from ``init``.

The wheel is built from this checkout and served from a local folder as the only package index, so
the install step can get site-builder only from there, at the version ``init`` pinned; a pin that
names no build in that folder fails the test. Its dependencies are installed first, from the index
this machine is configured with, as a runner gets them from the public one. Then each job's ``run:``
steps run in order, in bash as GitHub runs them, in a clean virtual environment, with GitHub's
environment variables faked; ``uses:`` steps are stood in for (checkout: the site is the workspace;
configure-pages: its ``base_url`` output; upload-pages-artifact: its folder must exist).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import html

import site_builder
from site_builder.cli import main
from site_builder.workflow import WORKFLOW, pinned
from tests.actions import Runner, event, jobs_started, load
from tests.gitrepo import isolate

pytestmark = pytest.mark.skipif(
    sys.platform == "win32",
    reason="the generated workflow runs on ubuntu-latest: its steps are bash for a Linux runner, with a "
    "POSIX virtual environment (bin/, not Scripts/)",
)
REPO = Path(__file__).resolve().parents[2]
BASE_URL = "https://octo-org.github.io/new-site"  # what configure-pages says for a project site


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, timeout=900, check=False
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only the wheel of this checkout: the package index the install step sees."""
    folder = tmp_path_factory.mktemp("index")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", REPO, "-w", folder)
    assert [p.name for p in folder.iterdir()] == [f"site_builder-{site_builder.__version__}-py3-none-any.whl"]
    return folder


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, index: Path) -> Path:
    """A clean virtual environment with site-builder's dependencies and not site-builder itself."""
    folder = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", folder)
    python = folder / "bin" / "python"
    (wheel,) = index.iterdir()
    with zipfile.ZipFile(wheel) as built:
        metadata = built.read(f"site_builder-{site_builder.__version__}.dist-info/METADATA").decode()
    requirements = [
        line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")
    ]
    requirements = [r for r in requirements if "extra ==" not in r]
    assert any(r.lower().startswith("jinja2") for r in requirements)
    _run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements)
    return folder


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    isolate(monkeypatch, tmp_path / "home")
    root = tmp_path / "new-site"
    assert main(["init", str(root), "--github-pages", "--timezone", "America/Los_Angeles"]) == 0
    capsys.readouterr()
    return root


def fresh(venv: Path) -> None:
    """As on a new runner: no site-builder installed (the dependencies stay, as pip's cache would)."""
    _run(venv / "bin" / "python", "-m", "pip", "uninstall", "-y", "-q", "site-builder")


def runner(site: Path, venv: Path, index: Path, tmp_path: Path, name: str, ref: str) -> Runner:
    temp = tmp_path / f"runner-{name}"
    temp.mkdir()
    # The only index pip may use is the folder; no config file of this machine's is read.
    pip = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(index), "PIP_CONFIG_FILE": os.devnull}
    pip |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    github = event(name, ref)["github"] | {"repository": "octo-org/new-site"}
    return Runner(site, temp, [venv / "bin"], github, extra_env=pip)


def assert_green(run: Runner, names: list[str]) -> None:
    assert [name for name, _ in run.ran] == names
    for name, done in run.ran:
        assert done.returncode == 0, f"{name}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_the_jobs_steps_run_green_on_a_new_site(site: Path, venv: Path, index: Path, tmp_path: Path) -> None:
    flow = load((site / WORKFLOW).read_text(encoding="utf-8"))
    assert flow["env"]["SITE_BUILDER"] == pinned()

    # A pull request: check only.
    fresh(venv)
    assert jobs_started(flow, event("pull_request", "refs/pull/1/merge")) == ["check"]
    check = runner(site, venv, index, tmp_path, "pull_request", "refs/pull/1/merge")
    check.run_job(flow, "check")
    assert_green(check, ["Install site-builder", "Check the content"])
    install, checked = (done for _, done in check.ran)
    assert f"Successfully installed site-builder-{site_builder.__version__}" in install.stdout
    assert "::error" not in checked.stdout + checked.stderr
    installed = subprocess.run(
        [venv / "bin" / "python", "-c", "import site_builder; print(site_builder.__file__)"],
        cwd=tmp_path,  # not this checkout, which `python -c` would import first
        env={"PATH": os.defpath},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(installed.strip()).is_relative_to(venv)  # the wheel's copy, not this checkout

    # A push to the default branch, on a fresh runner: build (and then deploy).
    fresh(venv)
    assert jobs_started(flow, event("push", "refs/heads/main")) == ["build", "deploy"]
    build = runner(site, venv, index, tmp_path, "push", "refs/heads/main")
    build.outputs["pages"] = {"base_url": BASE_URL, "base_path": "/new-site"}
    build.run_job(flow, "build")
    assert_green(build, ["Install site-builder", "Build"])
    uploaded = next(s for s in build.used if s["uses"].startswith("actions/upload-pages-artifact"))
    out = site / uploaded["with"]["path"]
    home = html.fromstring((out / "index.html").read_bytes())
    stylesheets = home.xpath("//link[@rel='stylesheet']/@href")
    assert stylesheets and all(h.startswith("/new-site/") for h in stylesheets)
    assert (out / "weeknotes" / "index.html").is_file() and (out / "pagefind").is_dir()


def test_a_pin_the_index_does_not_have_fails_at_the_install_step(
    site: Path, venv: Path, index: Path, tmp_path: Path
) -> None:
    """The control: the folder really is the only index, so a wrong pin cannot pass."""
    fresh(venv)
    text = (site / WORKFLOW).read_text(encoding="utf-8").replace(pinned(), "site-builder==0.0.1")
    check = runner(site, venv, index, tmp_path, "pull_request", "refs/pull/1/merge")
    check.run_job(load(text), "check")
    ((name, done),) = check.ran  # the job stops there
    assert name == "Install site-builder" and done.returncode != 0
    assert "site-builder==0.0.1" in done.stderr
