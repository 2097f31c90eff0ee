"""The import rules of STYLE §8.1-8.2, checked with ast: stages share only model types, only the
pipeline runs them, only serve starts a server or a watcher, and only the CLI prints or exits."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "site_builder"
STAGES = {"discover", "parse", "collect", "routes", "render", "write"}
# Orchestration: the pipeline and the two modules it delegates to (pools, serve's fast path).
RUNNERS = {"pipeline", "workers", "incremental"}


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
    assert {"pipeline", "model", "cli", "commands.serve", *STAGES} <= set(MODULES)
    assert "model" in IMPORTS["parse"]  # the parser of imports itself works


def test_model_imports_nothing_of_ours() -> None:
    assert IMPORTS["model"] == set()


def test_stages_never_import_each_other() -> None:
    for stage in STAGES:
        assert not (IMPORTS[stage] & (STAGES - {stage})), (stage, IMPORTS[stage] & STAGES)


# Helpers that use a stage's vocabulary, not its work: the watcher drops the files discovery
# ignores, and the CLI turns write's OutputError (a full disk) into an exit code.
ALLOWED = {("watch", "discover"), ("cli", "write")}


def test_only_the_runners_and_commands_call_stages() -> None:
    for name, used in IMPORTS.items():
        if name in STAGES or name in RUNNERS or name.startswith("commands."):
            continue
        assert {(name, stage) for stage in used & STAGES} <= ALLOWED, (name, used & STAGES)


def test_only_serve_starts_a_server_or_a_watcher() -> None:
    for name, used in IMPORTS.items():
        if name != "commands.serve":
            assert not (used & {"server", "watch"}), name


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
