"""`check` on files an attacker named: no forged workflow command (SECURITY.md, "Workflow annotations").

A pull request's files are checked by `check --format github` in CI, and the runner reads every
line of the step's output for commands: `::name props::data` at the start of a line (after white
space) and the older `##[name props]data` anywhere in one. A file name can hold a newline, a
carriage return, commas and colons, so each hostile name below is made on disk for real, the CLI
is run on the site, and its output is read line by line as the runner (actions/runner,
ActionCommand.cs) reads it: lines end at LF, CR or CRLF (.NET ``StreamReader.ReadLine``), and the
Unicode separators U+0085, U+2028 and U+2029 do not end one. The output is also split as Python's
``splitlines`` splits it, which does break there, so a viewer that does cannot be fooled either.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.diagnostics import error, warning
from site_builder.report import Reporter, escape_data, escape_property, format_github, format_text

Run = Callable[[Sequence[str]], tuple[int, str, str]]
# Git for Windows will not check out such a name, and NTFS could not hold it.
NTFS_REFUSES = pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows file names cannot hold line breaks, control characters or colons",
)

BROKEN = "---\ntitle: [oops\n---\n\nText.\n"  # invalid YAML: an error with a line number
# Stems of Markdown files under content/weeknotes/, each an attack on the annotation format.
HOSTILE = [
    "a\n::error file=README.md,line=1::forged by a file name",
    "b\n::stop-commands::pwned",
    "c\n::add-mask::ghp_secret",
    "d\n::set-output name=ok::forged",
    "e\n::warning::two\n::error::three",
    "f\r::error::carriage return alone",
    "g\r\n::error::crlf",
    "h\n  ::error::after white space",
    "i literal %0A::error::already encoded %0D %25 %3A %2C",
    "j,line=1,title=forged,file=README.md",
    "k:b::error::colons and::double colons",
    "l=1::error::",
    "m\u2028::error::line separator",
    "n\u0085::error::next line",
    "o\u2029::error::paragraph separator",
    "p\x0b::error::vertical tab",
    "q\x0c::error::form feed",
    "r\x1c::error::file separator",
    "s##[error]the runner's older syntax",
    "t##[stop-commands]pwned",
    "u\x1b[2K\x1b[1A\x1b[31mrewrites the terminal",
    "v\x07\x08\x7f\x9b31m",
    "w\u202etxt.exe",
]
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# A hostile folder (its post is an error) and hostile names the build skips (a warning with no line).
HOSTILE_DIR = "x\n::error::a folder"
SKIPPED = ["_y\n::error::skipped", "_z,line=1::warning::skipped"]


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str]
    data: str


def runner_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def parse_command(line: str) -> Command | None:
    """``ActionCommand.TryParseV2``, treating every name as registered (``stop-commands`` registers
    any token); Python's ``lstrip`` strips at least what .NET's ``TrimStart`` does."""
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    name, _, props = message[2:end].partition(" ")
    properties = {}
    for prop in props.strip().split(","):
        key, _, value = prop.partition("=")
        if key and value:
            properties[key.lower()] = unescape(value, property=True)
    return Command(name, properties, unescape(message[end + 2 :]))


def unescape(value: str, *, property: bool = False) -> str:
    """The runner's ``UnescapeData`` / ``UnescapeProperty``, in its order."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if property else [])
    for code, char in [*pairs, ("%25", "%")]:
        value = value.replace(code, char)
    return value


def commands_in(text: str) -> list[Command]:
    """Every command the runner would act on; the older syntax anywhere fails the test at once."""
    found = []
    for split in (runner_lines(text), text.splitlines()):
        for line in split:
            assert "##[" not in line, line
            command = parse_command(line)
            if command is not None:
                found.append(command)
    return found


@pytest.fixture
def hostile_site(make_site: Callable[..., Path]) -> Path:
    files = {f"content/weeknotes/{stem}.md": BROKEN for stem in HOSTILE}
    files[f"content/weeknotes/{HOSTILE_DIR}/post.md"] = BROKEN
    files["content/weeknotes/[bold red]x[/].md"] = BROKEN  # rich markup, through a folder "[bold red]x["
    files.update({f"content/weeknotes/{stem}.md": BROKEN for stem in SKIPPED})
    return make_site(files)


def hostile_paths() -> list[str]:
    return [
        *(f"content/weeknotes/{stem}.md" for stem in HOSTILE),
        f"content/weeknotes/{HOSTILE_DIR}/post.md",
        "content/weeknotes/[bold red]x[/].md",
        *(f"content/weeknotes/{stem}.md" for stem in SKIPPED),
    ]


def check_annotations(out: str, expected: int) -> list[Command]:
    """The output is ``expected`` well-formed annotations of ours, one a line, and nothing else."""
    lines = [line for line in runner_lines(out) if line]
    assert len(lines) == expected, lines
    commands = commands_in(out)
    assert len(commands) == 2 * expected  # the same ones, however the text is split
    for command in commands:
        assert command.name in ("error", "warning", "notice"), command
        assert set(command.properties) <= {"file", "line", "title"}, command
        assert re.fullmatch(r"[a-z-]+/[a-z-]+", command.properties["title"]), command
        assert re.fullmatch(r"[1-9][0-9]*", command.properties.get("line", "1")), command
        assert not CONTROL.search(command.data), command
    return commands[:expected]


@NTFS_REFUSES
def test_hostile_file_names_forge_no_workflow_command(hostile_site: Path, run_cli: Run) -> None:
    code, out, err = run_cli(["check", "--format", "github", str(hostile_site)])
    assert code == 1
    assert err == ""
    paths = hostile_paths()
    annotations = check_annotations(out, len(paths))
    shown = {named(a): a for a in annotations}
    assert sorted(shown) == sorted(paths)
    skipped = {f"content/weeknotes/{stem}.md" for stem in SKIPPED}  # notes of the whole file
    assert {path for path, a in shown.items() if a.name == "notice"} == skipped
    assert all(shown[path].properties["line"] == "1" for path in skipped)  # still well-formed


def named(annotation: Command) -> str:
    """The file an annotation names, its written-out control characters (``\\n``, ``\\x1b``,
    ``\\u2028``, and ``[`` in ``##\\x5b``) read back."""
    return annotation.properties["file"].encode("ascii").decode("unicode_escape")


EXACT = [
    "j,line=1,title=forged,file=README.md",
    "k:b::error::colons and::double colons",
    "l=1::error::",
    "i literal %0A::error::already encoded %0D %25 %3A %2C",
    "100% sure, 50%2C off: yes",
]


@pytest.mark.parametrize("stem", [pytest.param(s, marks=NTFS_REFUSES if ":" in s else ()) for s in EXACT])
def test_commas_colons_and_percent_signs_reach_github_exactly(
    make_site: Callable[..., Path], run_cli: Run, stem: str
) -> None:
    """Legal, if odd, names: the annotation must name the very file so GitHub can show it inline."""
    site = make_site({f"content/weeknotes/{stem}.md": BROKEN})
    code, out, _ = run_cli(["check", "--format", "github", str(site)])
    assert code == 1
    [annotation] = check_annotations(out, 1)
    assert annotation.properties["file"] == f"content/weeknotes/{stem}.md"
    assert "line" in annotation.properties  # the YAML error's own line
    assert annotation.data.startswith("invalid YAML front matter")


def test_a_hostile_site_toml_is_reported_as_annotations(make_site: Callable[..., Path], run_cli: Run) -> None:
    """site.toml comes with the pull request too: its problems are annotations, made as safely."""
    config = (
        'title = "T"\nbase_url = "https://example.org/"\n'
        '"x\\n::error file=README.md::forged\\r::stop-commands::t" = 1\n'
        '"y##[add-mask]z\\u2028::warning::w" = 2\n'
    )
    site = make_site({"content/about.md": "---\ntitle: About\n---\n\nHi.\n"}, config=config)
    code, out, err = run_cli(["check", "--format", "github", str(site)])
    assert code == 1 and err == ""
    annotations = check_annotations(out, 2)
    assert {a.properties["file"] for a in annotations} == {"site.toml"}
    assert any("forged" in a.data and "stop-commands" in a.data for a in annotations)


def test_a_hostile_message_stays_inside_its_annotation(make_site: Callable[..., Path], run_cli: Run) -> None:
    """Front matter values reach messages (an unknown challenge is named in the error)."""
    post = (
        "---\ntitle: Case\ndate: 2026-10-01\n"
        'challenges: ["a\\n::error::forged\\r::add-mask::b##[set-output name=x]y\\u2028::warning::z"]\n'
        "---\n\nText.\n"
    )
    site = make_site({"content/case-studies/case.md": post})
    code, out, _ = run_cli(["check", "--format", "github", str(site)])
    assert code == 1
    [annotation] = check_annotations(out, 1)
    assert annotation.properties["title"] == "front-matter/challenge"
    assert "::error::forged" in annotation.data and "::add-mask::" in annotation.data


@NTFS_REFUSES
def test_json_gives_the_exact_names_and_no_command(hostile_site: Path, run_cli: Run) -> None:
    code, out, _ = run_cli(["check", "--format", "json", str(hostile_site)])
    assert code == 1
    assert commands_in(out) == []
    assert out.isascii() and not CONTROL.search(out.replace("\n", ""))
    paths = {d["path"] for d in json.loads(out)}
    assert set(hostile_paths()) <= paths  # a JSON reader gets every name back exactly


@NTFS_REFUSES
def test_text_prints_hostile_names_literally(hostile_site: Path, run_cli: Run) -> None:
    """In a terminal or a CI log: no command, no escape sequence, no markup, one line per problem."""
    code, out, err = run_cli(["check", str(hostile_site)])
    assert code == 1
    for stream in (out, err):
        assert commands_in(stream) == []
        assert not CONTROL.search(stream.replace("\n", ""))
    lines = out.splitlines()
    assert lines[-1] == f"Checked: {len(HOSTILE) + 2} errors, 0 warnings, {len(SKIPPED)} notes."
    assert len([line for line in lines if not line.startswith("  hint: ")]) == len(hostile_paths()) + 1
    out = re.sub(r"\.md:\d+:", ".md:{line}:", out)
    assert "content/weeknotes/[bold red]x[/].md:{line}: error: invalid YAML front matter" in out
    assert (
        "content/weeknotes/a\\n::error file=README.md,line=1::forged by a file name.md:{line}: error:" in out
    )
    assert "content/weeknotes/u\\x1b[2K\\x1b[1A\\x1b[31mrewrites the terminal.md:{line}:" in out
    assert "content/weeknotes/s##\\x5berror]the runner's older syntax.md:{line}:" in out
    assert "content/weeknotes/m\\u2028::error::line separator.md:{line}:" in out


@NTFS_REFUSES
def test_a_build_log_is_as_safe(hostile_site: Path, run_cli: Run) -> None:
    """`build` prints the same diagnostics (to stderr) on the daily CI run."""
    code, out, err = run_cli(["build", str(hostile_site)])
    assert code == 1
    for stream in (out, err):
        assert commands_in(stream) == []
        assert not CONTROL.search(stream.replace("\n", ""))
    err = re.sub(r"\.md:\d+:", ".md:{line}:", err)
    assert "content/weeknotes/b\\n::stop-commands::pwned.md:{line}: error:" in err


@pytest.mark.parametrize(
    "path",
    ["::error::x.md", "  ::error::x.md", "\u00a0::error::x.md", "\n::error::x.md", "::stop-commands::t"],
)
def test_a_path_at_the_start_of_a_text_line_is_never_a_command(path: str) -> None:
    for d in (error("a/b", path, "m", 3, "h"), warning("a/b", path, "m")):
        assert commands_in(format_text(d)) == []


def test_every_printed_line_shows_control_characters_escaped() -> None:
    """The last guard for what commands print themselves (serve's "Rebuilt ... (content/x.md)")."""
    out = io.StringIO()
    Reporter(out, io.StringIO()).line("Rebuilt (content/a\x1b[2J\x1b[H\rb\u202e.md)\nnext ##[add-mask]x")
    assert out.getvalue() == "Rebuilt (content/a\\x1b[2J\\x1b[H\\rb\\u202e.md)\nnext ##\\x5badd-mask]x\n"


VALUES = ["", "%", "%0A", "%250A", "%%0D%0A", "a\r\nb", "\r", "\n\n", "a,b:c::d", "=,=", "%3A%2C", "::x::"]


@pytest.mark.parametrize("value", VALUES)
def test_escaping_round_trips_through_the_runner(value: str) -> None:
    """One function per kind of value, each the exact inverse of the runner's unescaping."""
    prop, data = escape_property(value), escape_data(value)
    assert not re.search(r"[\r\n,:]", prop) and not re.search(r"[\r\n]", data)
    assert unescape(prop, property=True) == value
    assert unescape(data) == value


@pytest.mark.parametrize("line", [7, None])
def test_every_value_of_an_annotation_is_escaped(line: int | None) -> None:
    d = error("x,y:z", "content/a,b:c%0A.md", "50% done\r\n::error::no", line, hint="a, b: c")
    command, again = commands_in(format_github(d))
    assert command == again
    assert command.properties == {
        "file": "content/a,b:c%0A.md",
        "title": "x,y:z",
        "line": "7" if line else "1",  # a whole file's problem is shown on its first line
    }
    assert command.data == "50% done\\r\\n::error::no. a, b: c"
