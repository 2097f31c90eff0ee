"""The build: the stages run in order, and what each build may reuse (ARCHITECTURE.md).

``build`` is the one entry point: ``check`` stops it before render, ``serve`` keeps every output
in memory, ``build`` and ``deploy`` publish the output folder.
"""

from .memory import Memory
from .result import ANYTHING, BuildResult, Changes, Goal
from .stages import build

__all__ = ["ANYTHING", "BuildResult", "Changes", "Goal", "Memory", "build"]
