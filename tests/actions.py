"""GitHub Actions in tests: which jobs an event starts, and a job's ``run:`` steps run for real.

Only what our workflows use is understood: ``if:`` expressions with ``==``, ``!=``, ``&&``, ``||``,
``!``, brackets, strings and ``format()``, context paths (``github.event.repository.default_branch``)
and ``${{ }}`` in ``env:`` and ``run:``. Anything else raises, so a workflow that grows beyond it
makes the tests fail rather than pass on a guess.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Context = Mapping[str, Any]


def load(text: str) -> dict[str, Any]:
    """The workflow as data; YAML 1.1 reads the key ``on`` as True, so it is put back."""
    data: dict[Any, Any] = yaml.safe_load(text)
    if True in data:
        data["on"] = data.pop(True)
    return data


# --- expressions -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot read the expression at {text[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


class _Parser:
    def __init__(self, text: str, context: Context) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.either()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()!r}")
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == "||":
            self.take()
            right = self.both()
            value = value if truthy(value) else right
        return value

    def both(self) -> Any:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Any:
        left = self.unary()
        if self.peek() in ("==", "!="):
            op = self.take()[1]
            same = _equal(left, self.unary())
            return same if op == "==" else not same
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.either()
            self.take(")")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if self.peek() == "(":
            self.take("(")
            args = []
            while self.peek() != ")":
                args.append(self.either())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return _call(text, args)
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        return lookup(self.context, text)


def _call(name: str, args: list[Any]) -> Any:
    if name == "format":
        template, *values = args
        return re.sub(r"\{(\d+)\}", lambda m: _text(values[int(m.group(1))]), str(template))
    raise ValueError(f"the tests do not know the function {name}()")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()  # GitHub compares strings ignoring case
    return bool(left == right)


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


def lookup(context: Context, path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def evaluate(text: str, context: Context) -> Any:
    """An expression, with or without its ``${{ }}``."""
    inner = text.strip()
    if inner.startswith("${{") and inner.endswith("}}"):
        inner = inner[3:-2]
    return _Parser(inner, context).parse()


def substitute(text: str, context: Context) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m.group(1), context)), text)


def jobs_started(flow: Mapping[str, Any], context: Context) -> list[str]:
    """The jobs that run for an event, in order: each one's ``needs`` ran and its ``if:`` holds."""
    started: list[str] = []
    for name, job in flow["jobs"].items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        if all(n in started for n in needs) and truthy(evaluate(str(job.get("if", "true")), context)):
            started.append(name)
    return started


def event(name: str, ref: str, default_branch: str = "main", **extra: Any) -> dict[str, Any]:
    """The ``github`` context of an event, as far as our workflows read it. A scheduled run's
    payload has no ``repository``, so the default branch is unknown there."""
    payload: dict[str, Any] = {} if name == "schedule" else {"repository": {"default_branch": default_branch}}
    ref_name = ref.split("/", 2)[-1] if ref.startswith(("refs/heads/", "refs/tags/")) else ref
    return {"github": {"event_name": name, "ref": ref, "ref_name": ref_name, "event": payload, **extra}}


# --- running a job's steps -----------------------------------------------------------------------


@dataclass
class Runner:
    """One job on a fake runner: ``run:`` steps run in bash as GitHub runs them, in ``workspace``
    with ``path`` first on PATH (where setup-python puts its Python); ``uses:`` steps are recorded,
    and their outputs taken from ``outputs`` (step id -> outputs)."""

    workspace: Path
    temp: Path
    path: list[Path]
    github: dict[str, Any]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    ran: list[tuple[str, subprocess.CompletedProcess[str]]] = field(default_factory=list)
    used: list[dict[str, Any]] = field(default_factory=list)

    def context(self, env: Mapping[str, str]) -> dict[str, Any]:
        steps = {sid: {"outputs": out, "outcome": "success"} for sid, out in self.outputs.items()}
        return {"github": self.github, "env": dict(env), "steps": steps, "runner": {"temp": str(self.temp)}}

    def run_job(self, flow: Mapping[str, Any], name: str) -> None:
        job = flow["jobs"][name]
        env = {k: str(v) for k, v in flow.get("env", {}).items()}
        env.update({k: str(v) for k, v in job.get("env", {}).items()})
        for number, step in enumerate(job["steps"]):
            step_env = dict(env)
            for key, value in step.get("env", {}).items():
                step_env[key] = substitute(str(value), self.context(step_env))
            if "uses" in step:
                self.used.append(step)
                continue
            self.run_step(number, step, step_env)
            if self.ran[-1][1].returncode != 0:
                return  # GitHub stops a job at its first failed step

    def run_step(self, number: int, step: Mapping[str, Any], env: Mapping[str, str]) -> None:
        files = {
            n: self.temp / f"{n.lower()}-{number}" for n in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")
        }
        for path in files.values():
            path.write_text("")
        script = self.temp / f"step-{number}.sh"
        script.write_text(substitute(str(step["run"]), self.context(env)))
        process_env = {
            "PATH": os.pathsep.join([*map(str, self.path), os.defpath]),
            "HOME": str(self.temp / "home"),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_NAME": self.github["event_name"],
            "GITHUB_REF": self.github["ref"],
            "GITHUB_REF_NAME": self.github["ref_name"],
            "GITHUB_REPOSITORY": self.github.get("repository", "octo-org/new-site"),
            "GITHUB_SHA": "0" * 40,
            "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.temp),
            **{k: str(v) for k, v in files.items()},
            **self.extra_env,
            **env,
        }
        (self.temp / "home").mkdir(exist_ok=True)
        cwd = self.workspace / step.get("working-directory", ".")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=process_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.ran.append((str(step.get("name", step["run"])), done))
        if "id" in step:
            lines = files["GITHUB_OUTPUT"].read_text().splitlines()
            self.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
