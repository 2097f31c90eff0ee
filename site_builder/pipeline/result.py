"""What a build is asked to do, and what it gives back."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Diagnostics
from ..model import BuildOptions, BuildStats, Inventory, LeftOut, Output, Site
from ..pages import Route
from ..theme import Theme

if TYPE_CHECKING:
    from .memory import Memory

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Goal(enum.Enum):
    CHECK = "check"  # stop before render: every problem found, nothing made (``check``)
    PREVIEW = "preview"  # every output as bytes in memory (``serve``, tests)
    PUBLISH = "publish"  # the output folder, swapped in whole (``build``, ``deploy``)


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the build a ``Memory`` remembers: these files (absolute paths), or, when
    ``paths`` is None, anything may have."""

    paths: frozenset[Path] | None = None


ANYTHING = Changes()


@dataclass(frozen=True, slots=True)
class BuildResult:
    diagnostics: Diagnostics
    site: Site | None = None
    routes: tuple[Route, ...] = ()
    outputs: tuple[Output, ...] = ()  # ``PREVIEW`` only: every output file
    stats: BuildStats = field(default_factory=BuildStats)
    written: bool = False  # ``PUBLISH``: the output folder is this build's
    left_out: LeftOut = field(default_factory=LeftOut)  # drafts and future posts, for the summary
    memory: Memory | None = None  # ``PREVIEW``: what the next build may start from


@dataclass(frozen=True, slots=True)
class Found:
    """What a build reads before any post: the theme, the files, the build's one clock."""

    theme: Theme
    inventory: Inventory
    now: dt.datetime  # what counts as future, the day in the fingerprint, streaks
    asked: BuildOptions  # as the caller gave them: the next ``serve`` build compares them
    opts: BuildOptions  # with ``now`` set
    problems: tuple[Diagnostic, ...]  # the theme's and discovery's
