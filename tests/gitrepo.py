"""Git in tests: a process with no user's or machine's git config, as on a fresh CI runner."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No git config from the machine or the user, and no git user unless a command names one."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    # Stop git guessing a name from the machine, so "no user configured" is the same everywhere.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    monkeypatch.setenv("GIT_OPTIONAL_LOCKS", "0")  # our own `git status` must not refresh the index


def git(cwd: Path, *args: str) -> str:
    """Run git as a named editor; returns its output."""
    ident = ["-c", "user.name=Editor", "-c", "user.email=editor@example.org"]
    done = subprocess.run(["git", *ident, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()
