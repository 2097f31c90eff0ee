"""Load ``site.toml``: read it, check it against its schema (``config_schema``) and return the
plain frozen settings every stage reads (``site_config``). Unknown keys and wrong types are errors
naming the key, all reported at once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config_schema import CONFIG_FILE, KIND_NAMES, check_values, theme_problems, validate
from .diagnostics import Diagnostic, error, warning
from .site_config import DEFAULT_CHALLENGES, Profile, SectionConfig, SiteConfig

# What callers import from here, wherever it is defined.
__all__ = [
    "CONFIG_FILE",
    "DEFAULT_CHALLENGES",
    "KIND_NAMES",
    "ConfigError",
    "Profile",
    "SectionConfig",
    "SiteConfig",
    "load_config",
    "placeholder_problem",
]


class ConfigError(Exception):
    """Raised with every problem found in ``site.toml``; the build cannot start without it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read ``root/site.toml``; ``base_url`` overrides the file's (``--base-url``)."""
    values, problems = validate(_read_toml(root))
    if base_url is not None:
        values["base_url"] = base_url
    values, found = check_values(values)
    problems += found + theme_problems(root, values.get("theme", "default"))
    if problems:
        raise ConfigError(problems)
    return SiteConfig(root=root, **values)


def placeholder_problem(config: SiteConfig) -> Diagnostic | None:
    """A warning when ``base_url`` is still the placeholder ``init`` writes (a host under the
    reserved ``.example`` name, never a real site): feeds, the sitemap and canonical links would
    point there."""
    host = (urlsplit(config.base_url).hostname or "").lower()
    if not (host == "example" or host.endswith(".example")):
        return None
    return warning(
        "config/base-url",
        CONFIG_FILE,
        f"base_url is still the placeholder {config.base_url}: feeds, the sitemap and canonical links "
        "would point there",
        hint="set base_url in site.toml to the address the site is published at, or pass --base-url",
    )


def _read_toml(root: Path) -> dict[str, Any]:
    """The file's tables, or ConfigError with the one problem that stops it being read."""
    text = _read_text(root)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = error(
            "config/toml",
            CONFIG_FILE,
            f"{CONFIG_FILE} is not valid TOML: {exc}",
            _toml_line(str(exc)),
            hint="fix the TOML syntax at that line",
        )
        raise ConfigError([problem]) from None


def _read_text(root: Path) -> str:
    path = root / CONFIG_FILE
    if not path.is_file():
        problem = error(
            "config/missing",
            CONFIG_FILE,
            f"no {CONFIG_FILE} in {root}",
            hint="run the command in a site folder, or create one with 'site-builder init DIR'",
        )
        raise ConfigError([problem])
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = error(
            "config/encoding",
            CONFIG_FILE,
            f"{CONFIG_FILE} is not UTF-8 (byte 0x{raw[exc.start]:02x})",
            raw[: exc.start].count(b"\n") + 1,
            hint="re-save the file as UTF-8 in your editor",
        )
        raise ConfigError([problem]) from None


def _toml_line(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0].rstrip(")")
        return int(digits) if digits.isdigit() else None
    return None
