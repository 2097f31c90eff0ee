"""write: a staging folder swapped in whole, the marker, and never touching a folder not ours ."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.marker import MARKER, read_marker
from site_builder.model import Output
from site_builder.write import Staging, check_out_folder, is_build_output, recover

HashTree = Callable[[Path], dict[str, str]]


def write_output(outputs: list[Output], out: Path) -> int:
    """Every output through a staging folder swapped in whole, as a build publishes; files written."""
    staging = Staging(out)
    try:
        for output in sorted(outputs, key=lambda o: o.path):
            if output.data is not None:
                staging.write(output.path, output.data)
            elif output.source is not None:
                staging.copy(output.path, output.source)
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    return len(outputs)


def test_writes_outputs_and_the_marker(tmp_path: Path) -> None:
    source = tmp_path / "logo.svg"
    source.write_bytes(b"<svg/>")
    out = tmp_path / "out"
    count = write_output([Output("index.html", b"<p>home</p>"), Output("img/logo.svg", source=source)], out)
    assert count == 2
    assert (out / "index.html").read_bytes() == b"<p>home</p>"
    assert (out / "img" / "logo.svg").read_bytes() == b"<svg/>"
    assert is_build_output(out)
    assert read_marker(out)["tool"] == "site-builder"


def test_swap_replaces_the_previous_output_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output([Output("old.html", b"old"), Output("keep.html", b"v1")], out)
    write_output([Output("keep.html", b"v2")], out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "keep.html"]  # old.html is gone
    assert (out / "keep.html").read_bytes() == b"v2"
    # no staging or old folders are left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_leaves_the_previous_output(tmp_path: Path, hash_tree: HashTree) -> None:
    out = tmp_path / "out"
    write_output([Output("index.html", b"v1")], out)
    before = hash_tree(out)
    with pytest.raises(FileNotFoundError):
        write_output([Output("index.html", b"v2"), Output("gone.css", source=tmp_path / "missing.css")], out)
    assert hash_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the staging folder was removed


def test_missing_or_empty_or_marked_folders_are_ours(tmp_path: Path) -> None:
    assert check_out_folder(tmp_path / "new") is None
    (tmp_path / "empty").mkdir()
    assert check_out_folder(tmp_path / "empty") is None
    write_output([Output("index.html", b"x")], tmp_path / "built")
    assert check_out_folder(tmp_path / "built") is None


def test_a_folder_without_the_marker_is_refused_and_untouched(tmp_path: Path, hash_tree: HashTree) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "thesis.docx").write_bytes(b"years of work")
    (home / ".bashrc").write_text("export X=1\n")
    before = hash_tree(home)
    problem = check_out_folder(home)
    assert problem is not None
    assert problem.code == "output/not-ours"
    assert "not empty" in problem.message
    # and write_output itself refuses at the swap, even if someone skipped the check
    with pytest.raises(RuntimeError, match="not a site-builder output"):
        write_output([Output("index.html", b"x")], home)
    assert hash_tree(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_file_is_not_an_output_folder(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    problem = check_out_folder(target)
    assert problem is not None
    assert problem.code == "output/not-a-folder"
    assert target.read_text() == "mine"


def test_recover_puts_back_an_output_moved_aside_by_a_crash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output([Output("index.html", b"v1")], out)
    out.rename(tmp_path / ".out.old-12345")  # killed between the two renames
    recover(out)
    assert (out / "index.html").read_bytes() == b"v1"


def test_recover_ignores_folders_without_the_marker(tmp_path: Path) -> None:
    stray = tmp_path / ".out.old-1"
    stray.mkdir()
    (stray / "index.html").write_text("not ours")
    recover(tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("rel", ["../escape.html", "a/../../escape.html", "/etc/escape.html"])
def test_a_path_outside_the_output_is_never_written(tmp_path: Path, rel: str) -> None:
    out = tmp_path / "site" / "out"
    with pytest.raises(ValueError, match="outside the output folder"):
        write_output([Output(rel, b"x")], out)
    assert not list(tmp_path.rglob("escape.html"))
    assert not out.exists()
