"""The theme override chain: a site's ``themes/<name>/`` over the built-in ``default``, file by file."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, TemplateNotFound
from jinja2.loaders import split_template_path

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .fence import DANGLING, link_refusal, link_target, shown_path


@dataclass(frozen=True, slots=True)
class Theme:
    template_dirs: tuple[Path, ...]  # searched in order: the site's theme first
    static_dirs: tuple[Path, ...]  # overlaid in order: the built-in first, so later ones win
    builtin: Path
    # Per template folder, the resolved folder its templates may come from (SECURITY.md): the site
    # root for the site's theme, the built-in theme's own folder for the built-in one.
    fences: tuple[Path, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # template links refused, for the build to report

    def loader(self) -> BaseLoader:
        """Templates by name, and ``default/<name>`` to extend the built-in file being overridden."""
        own = Path(os.path.realpath(self.builtin))
        return ChoiceLoader(
            [
                _FencedLoader(self.template_dirs, self.fences or (own,) * len(self.template_dirs)),
                PrefixLoader({"default": _FencedLoader((self.builtin / "templates",), (own,))}),
            ]
        )


class _FencedLoader(FileSystemLoader):
    """A FileSystemLoader that refuses, as if missing, a template reached through a link out of its
    folder's fence or into ``.git``: a theme's ``base.html -> ../../.git/config`` would otherwise be
    rendered into every page. Checked when the template is loaded, right before it is read."""

    def __init__(self, folders: tuple[Path, ...], fences: tuple[Path, ...]) -> None:
        super().__init__([str(d) for d in folders])
        self.fences = fences

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder, fence in zip(self.searchpath, self.fences, strict=True):
            filename = posixpath.join(folder, *pieces)
            if os.path.isfile(filename):  # the one FileSystemLoader would read
                if (why := link_refusal(Path(filename), fence)) is not None:
                    raise TemplateNotFound(template, f"{filename}: {why}")
                break
        return super().get_source(environment, template)


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
    root = Path(os.path.realpath(config.root))
    fenced = [(d, _fence(d, config.root, root, builtin)) for d in templates]
    problems = tuple(p for d, fence in fenced for p in _refused(d, fence, config.root))
    # A template folder that is itself a link out is left out whole: nothing searches or lists it.
    kept = [(d, fence) for d, fence in fenced if link_refusal(d, fence) is None]
    return Theme(tuple(d for d, _ in kept), statics, builtin, tuple(f for _, f in kept), problems)


def _fence(folder: Path, site: Path, root: Path, builtin: Path) -> Path:
    """The site root for a folder under it; the built-in theme's own folder for the built-in one."""
    inside = Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(site))
    return root if inside else Path(os.path.realpath(builtin))


def _refused(folder: Path, fence: Path, site: Path) -> list[Diagnostic]:
    """Links in a template folder (or the folder itself) that the loader will refuse, named once
    here with where they point, rather than only as a missing template while rendering."""
    found: list[Diagnostic] = []
    candidates = [folder]
    if link_refusal(folder, fence) is None:
        for here, dirs, files in os.walk(folder):  # links to folders are listed, not entered
            candidates += [Path(here, name) for name in (*dirs, *files) if os.path.islink(Path(here, name))]
    for path in candidates:
        why = link_refusal(path, fence)
        if why is not None and why != DANGLING:  # a dangling link leaks nothing
            shown = shown_path(path, site)
            found.append(
                error(
                    "theme/symlink-out",
                    shown,
                    f"this theme link ({shown} -> {link_target(path)}) is not followed: {why}",
                    hint="copy the template into the theme instead of linking it, or remove the link",
                )
            )
    return found
