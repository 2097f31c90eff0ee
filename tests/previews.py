"""What ``serve``'s builder keeps between builds, for tests that rebuild as it does."""

from __future__ import annotations

from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.model import BuildOptions
from site_builder.pipeline import ANYTHING, BuildResult, Changes, Goal, Memory, build


class Preview:
    """Each build in memory, handed the memory the build before it left (serve/builder.py)."""

    def __init__(self) -> None:
        self.memory = Memory()

    def build(
        self, config: SiteConfig, opts: BuildOptions, changed: frozenset[Path] | None = None
    ) -> BuildResult:
        changes = ANYTHING if changed is None else Changes(changed)
        result = build(config, opts, changes, goal=Goal.PREVIEW, memory_of=self.memory)
        self.memory = result.memory or self.memory
        return result
