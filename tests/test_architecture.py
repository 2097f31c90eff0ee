"""The import rules that keep the stages apart, checked with ast: stages share only model types, only
the pipeline runs them, only serve starts a server or a watcher, and only the CLI prints or exits.

And the repository carries everything it needs: no source, test, benchmark or script reads a path
outside it (README, "Set up": both commands work in a clone with nothing beside it).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "site_builder"
REPO = PACKAGE.parent
STAGES = {"discover", "parse", "collect", "routes", "render", "write"}
# The pipeline package runs the stages (ARCHITECTURE.md): its modules, and no other, may call them.
RUNNER = "pipeline"


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imports(name: str, tree: ast.Module) -> set[str]:
    """The package modules ``name`` imports, as names relative to the package."""
    found = set()
    package = name.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            if node.module:
                found.add(".".join([*base, *node.module.split(".")]))
            else:
                found.update(".".join([*base, alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("site_builder"):
            found.add(node.module.removeprefix("site_builder").lstrip("."))
    return found


MODULES = modules()
IMPORTS = {name: imports(name, tree) for name, tree in MODULES.items()}


def test_the_rules_see_every_module() -> None:
    named = {"pipeline.stages", "pipeline.workers", "model", "cli", "commands.serve", "serve.http"}
    assert named | STAGES <= set(MODULES)
    assert "model" in IMPORTS["parse"]  # the parser of imports itself works


def test_model_imports_nothing_of_ours() -> None:
    assert IMPORTS["model"] == set()


def test_stages_never_import_each_other() -> None:
    for stage in STAGES:
        assert not (IMPORTS[stage] & (STAGES - {stage})), (stage, IMPORTS[stage] & STAGES)


def test_only_the_runners_and_commands_call_stages() -> None:
    for name, used in IMPORTS.items():
        if name in STAGES or name == RUNNER or name.startswith((RUNNER + ".", "commands.")):
            continue
        assert not (used & STAGES), (name, used & STAGES)


def test_only_serve_starts_a_server_or_a_watcher() -> None:
    """The serve package (server, watcher, builder) is used by the serve command and itself only."""
    for name, used in IMPORTS.items():
        if name != "commands.serve" and not name.startswith("serve."):
            assert not any(u == "serve" or u.startswith("serve.") for u in used), name


def test_only_the_cli_imports_commands() -> None:
    for name, used in IMPORTS.items():
        if not name.startswith("commands.") and name != "cli":
            assert not any(u.startswith("commands") for u in used), name


def test_no_print_or_exit_below_the_cli() -> None:
    for name, tree in MODULES.items():
        if name in ("cli", "report", "__main__"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit"), (name, node.lineno)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert not (node.func.attr == "exit" and getattr(node.func.value, "id", "") == "sys"), name


# --- a module a reader can hold in their head ---------------------------------------------------

MODULE_LINES = 300
FUNCTION_LINES = 50


def test_no_module_or_function_is_too_long_to_read() -> None:
    """ARCHITECTURE.md: no module over 300 lines, no function over 50 (``def`` to its last line)."""
    long_modules, long_functions = [], []
    for name, tree in MODULES.items():
        path = PACKAGE / (name.replace(".", "/") + ".py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MODULE_LINES:
            long_modules.append(name)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > FUNCTION_LINES:
                    long_functions.append(f"{name}.{node.name}")
    assert (long_modules, long_functions) == ([], [])


# --- nothing outside the repository ----------------------------------------------------------------

# Code and the files it reads or runs; the corpora and sample sites under tests/ are data, not code.
SCANNED = ("site_builder", "tests", "benchmarks", "scripts", ".ci", ".github", "pyproject.toml", "README.md")
DATA = ("tests/corpora/", "tests/sites/")
TEXT_SUFFIXES = {".py", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".md", ".txt", ".js", ".html", ""}
# What lies beside this checkout on the machine it was written on, named by path.
OUTSIDE = re.compile(
    r"(?<![\w.:/-])/work/"  # an absolute path on that machine
    r"|\bshared/(?:corpora|bench|schemas|hooks)\b"  # the folders the tests once read from there
    r"|\bshared/(?:TOOLING|STYLE|SPEC)\.md"
)
OUTSIDE_IN_PROSE = re.compile(r"\.\./shared\b")  # Python may name such a path inside a temporary site


def scanned_files() -> list[Path]:
    found = []
    for name in SCANNED:
        root = REPO / name
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            rel = path.relative_to(REPO).as_posix()
            if path.is_file() and path.suffix in TEXT_SUFFIXES and not rel.startswith(DATA):
                found.append(path)
    return found


def climbs(node: ast.expr, names: dict[str, int]) -> int | None:
    """How many levels up from the file a path expression built from ``__file__`` points (the file
    itself is 0, its folder 1), or None when it is not such an expression."""
    if isinstance(node, ast.Name):
        return 0 if node.id == "__file__" else names.get(node.id)
    if isinstance(node, ast.Call):
        func = node.func
        called = ast.unparse(func)
        if called in ("Path", "pathlib.Path", "os.path.abspath", "os.path.realpath") and node.args:
            base = climbs(node.args[0], names)
            extra = [a for a in node.args[1:] if isinstance(a, ast.Constant)]
            return None if base is None else base + sum(a.value == ".." for a in extra)
        if called == "os.path.dirname" and node.args:
            base = climbs(node.args[0], names)
            return None if base is None else base + 1
        if called == "os.path.join" and node.args:
            base = climbs(node.args[0], names)
            ups = [a for a in node.args[1:] if isinstance(a, ast.Constant) and a.value == ".."]
            return None if base is None else base + len(ups)
        if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
            return climbs(func.value, names)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = climbs(node.value, names)
        return None if base is None else base + 1
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
    ):
        base = climbs(node.value.value, names)
        index = node.slice
        if base is None or not (isinstance(index, ast.Constant) and isinstance(index.value, int)):
            return None
        return base + index.value + 1
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        base = climbs(node.left, names)
        right = node.right
        if base is not None and isinstance(right, ast.Constant) and right.value == "..":
            return base + 1
    return None


def paths_outside(source: str, rel: str) -> list[int]:
    """Lines of Python in the file ``rel`` (repository-relative) whose path climbs above the repository."""
    root_level = len(Path(rel).parts)  # tests/e2e/x.py: x.py is 0 up, the repository 3 up
    names: dict[str, int] = {}
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            level = climbs(node.value, names)
            if level is not None:
                names[node.targets[0].id] = level
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and (level := climbs(node, names)) is not None and level > root_level:
            found.append(node.lineno)
    return sorted(set(found))


def outside_references(path: Path) -> list[str]:
    rel = path.relative_to(REPO).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    found = (
        [f"{rel}:{line}: a path above the repository" for line in paths_outside(text, rel)]
        if rel.endswith(".py")
        else []
    )
    pattern = OUTSIDE if rel.endswith(".py") else re.compile(f"{OUTSIDE.pattern}|{OUTSIDE_IN_PROSE.pattern}")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.search(line):
            found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_nothing_refers_to_a_path_outside_the_repository() -> None:
    files = scanned_files()
    assert REPO / "benchmarks" / "make_corpus.py" in files and REPO / ".ci" / "run" in files
    assert not any(f.is_relative_to(REPO / "tests" / "corpora") for f in files)
    found = [hit for path in files if path != Path(__file__).resolve() for hit in outside_references(path)]
    assert found == []


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("tests/e2e/t.py", 'CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"\n'),
        ("tests/unit/t.py", 'REPO = Path(__file__).resolve().parents[2]\nX = REPO.parent / "shared"\n'),
        ("benchmarks/b.py", 'REPO = Path(__file__).parent.parent\nX = REPO / ".." / "bench"\n'),
        ("scripts/s.py", 'X = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")\n'),
        ("site_builder/m.py", 'X = Path(__file__, "..", "..", "..")\n'),
        ("tests/t.py", "X = Path(__file__).parents[1].parent.parent\n"),
    ],
)
def test_the_check_finds_paths_that_climb_out(rel: str, source: str) -> None:
    assert paths_outside(source, rel)


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("tests/e2e/t.py", 'CORPORA = Path(__file__).resolve().parents[1] / "corpora"\n'),
        ("tests/unit/t.py", 'REPO = Path(__file__).resolve().parents[2]\nX = REPO / "benchmarks"\n'),
        ("tests/t.py", "X = Path(__file__).parents[1]\n"),
        ("tests/t.py", 'link(site / "static/a.txt", "../shared/hop.txt")\n'),  # inside a temporary site
    ],
)
def test_the_check_lets_paths_inside_the_repository_be(rel: str, source: str) -> None:
    assert paths_outside(source, rel) == []


@pytest.mark.parametrize(
    "line",
    [
        "Run ../shared/bench/make_corpus.py first.",
        "script = /work/shared/bench/make_corpus.py",
        "see shared/TOOLING.md §8",
        'cd "$(dirname "$0")/../../shared/corpora"',
    ],
)
def test_the_check_finds_the_sibling_folder_named_in_text(tmp_path: Path, line: str) -> None:
    assert OUTSIDE.search(line) or OUTSIDE_IN_PROSE.search(line)
