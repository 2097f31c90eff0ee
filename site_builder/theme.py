"""The theme override chain: a site's ``themes/<name>/`` over the built-in ``default`` (STYLE §8.8)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

from .config import SiteConfig


@dataclass(frozen=True, slots=True)
class Theme:
    template_dirs: tuple[Path, ...]  # searched in order: the site's theme first
    static_dirs: tuple[Path, ...]  # overlaid in order: the built-in first, so later ones win
    builtin: Path

    def loader(self) -> BaseLoader:
        """Templates by name, and ``default/<name>`` to extend the built-in file being overridden."""
        return ChoiceLoader(
            [
                FileSystemLoader([str(d) for d in self.template_dirs]),
                PrefixLoader({"default": FileSystemLoader(str(self.builtin / "templates"))}),
            ]
        )


def builtin_theme() -> Path:
    """Inside the wheel (``site_builder/themes/default``), else the repository's ``themes/default``."""
    packaged = Path(str(resources.files("site_builder"))) / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes" / "default"


def load_theme(config: SiteConfig) -> Theme:
    builtin = builtin_theme()
    own = config.root / "themes" / config.theme
    layers = [builtin] if own.resolve() == builtin.resolve() else [builtin, own]
    templates = tuple(d / "templates" for d in reversed(layers) if (d / "templates").is_dir())
    statics = tuple(d / "static" for d in layers if (d / "static").is_dir())
    return Theme(templates, statics, builtin)
