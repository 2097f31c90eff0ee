"""config.load_config: site.toml validated; every problem names the key and says what to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.config import ConfigError, SiteConfig, load_config


def load(tmp_path: Path, text: str, base_url: str | None = None) -> SiteConfig:
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    return load_config(tmp_path, base_url)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert all(d.path == "site.toml" for d in caught.value.diagnostics)
    return [d.message for d in caught.value.diagnostics]


def test_a_full_config(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
title = "Northmoor"
base_url = "https://example.org/"
timezone = "Europe/London"
paginate = 5
[sections.notes]
kind = "weeknote"
permalink = "/notes/:year/:slug/"
[tags]
digitalinsurgents = "#DigitalInsurgents"
[teams.platform]
name = "Platform team"
cadence = "fortnightly"
""",
    )
    assert config.title == "Northmoor"
    assert config.section("notes").kind == "weeknote"
    assert config.section("notes").permalink == "/notes/:year/:slug/"
    assert config.section("notes").paginate == 5  # inherits the site's paginate
    assert config.teams["platform"].cadence == "fortnightly"
    assert config.tz.key == "Europe/London"


def test_default_kinds_by_folder_name(tmp_path: Path) -> None:
    config = load(tmp_path, 'title = "x"\n')
    assert config.section("weeknotes").kind == "weeknote"
    assert config.section("case-studies").kind == "case-study"
    assert config.section("contributions").kind == "contribution"
    assert config.section("anything").kind == "page"
    assert config.section("weeknotes").permalink == "/:section/:year/:month/:slug/"


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, 'title = "x"\nbaseurl = "https://example.org/"\n') == ["baseurl: unknown key"]


def test_unknown_nested_key_is_named_with_its_table(tmp_path: Path) -> None:
    assert problems(tmp_path, "[sections.weeknotes]\npaginat = 5\n") == [
        "sections.weeknotes.paginat: unknown key"
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('paginate = "ten"\n', "paginate"),
        ("paginate = true\n", "paginate"),
        ("title = 3\n", "title"),
        ('tags = "beta"\n', "tags"),
        ("[sections.weeknotes]\npaginate = 2.5\n", "sections.weeknotes.paginate"),
        ("[authors.amara]\nname = 7\n", "authors.amara.name"),
        ("[tags]\nbeta = 1\n", "tags.beta"),
    ],
)
def test_wrong_type_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith(f"{key}: expected ")


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "", "../../etc/passwd"])
def test_bad_timezone(tmp_path: Path, value: str) -> None:
    found = problems(tmp_path, f'timezone = "{value}"\n')
    assert found == [f"timezone: unknown time zone {value!r}"]


@pytest.mark.parametrize(
    "text", ["paginate = 0\n", "feed_limit = -1\n", "[sections.weeknotes]\npaginate = 0\n"]
)
def test_counts_must_be_positive(tmp_path: Path, text: str) -> None:
    assert [m.split(":")[1].strip() for m in problems(tmp_path, text)] == ["must be at least 1"]


def test_unknown_section_kind(tmp_path: Path) -> None:
    assert problems(tmp_path, '[sections.blog]\nkind = "blog-post"\n') == [
        "sections.blog.kind: unknown kind 'blog-post'"
    ]


def test_unknown_cadence(tmp_path: Path) -> None:
    assert problems(tmp_path, '[teams.platform]\ncadence = "daily"\n') == [
        "teams.platform.cadence: unknown cadence 'daily'"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    assert len(problems(tmp_path, 'colour = "red"\npaginate = "x"\ntimezone = "Nowhere/Land"\n')) == 3


def test_invalid_toml_has_a_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, 'title = "x"\n\nbase_url = https://example.org/\n')
    (found,) = caught.value.diagnostics
    assert (found.code, found.line) == ("config/toml", 3)


def test_missing_site_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    (found,) = caught.value.diagnostics
    assert found.code == "config/missing"
    assert "site.toml" in found.message
    assert "init" in found.hint


@pytest.mark.parametrize(
    ("base_url", "stored", "base_path"),
    [
        ("https://example.org/", "https://example.org/", "/"),
        ("https://example.org", "https://example.org/", "/"),
        ("https://org.github.io/repo/", "https://org.github.io/repo/", "/repo/"),
        ("https://org.github.io/repo", "https://org.github.io/repo/", "/repo/"),
        ("https://org.github.io/a/b/", "https://org.github.io/a/b/", "/a/b/"),
    ],
)
def test_base_url_path(tmp_path: Path, base_url: str, stored: str, base_path: str) -> None:
    config = load(tmp_path, f'base_url = "{base_url}"\n')
    assert config.base_url == stored
    assert config.base_path == base_path


def test_base_url_override_wins(tmp_path: Path) -> None:
    config = load(tmp_path, 'base_url = "https://example.org/"\n', base_url="https://org.github.io/repo/")
    assert config.base_path == "/repo/"


@pytest.mark.parametrize("base_url", ["example.org", "/repo/", "ftp://example.org/"])
def test_base_url_must_be_absolute_http(tmp_path: Path, base_url: str) -> None:
    (found,) = problems(tmp_path, f'base_url = "{base_url}"\n')
    assert found.startswith("base_url: ")


def test_parse_fingerprint_ignores_base_url(tmp_path: Path) -> None:
    a = load(tmp_path, 'base_url = "https://a.example/"\n')
    b = load(tmp_path, 'base_url = "https://b.example/repo/"\n')
    c = load(tmp_path, 'base_url = "https://a.example/"\ntimezone = "Europe/Paris"\n')
    assert a.parse_fingerprint() == b.parse_fingerprint() != c.parse_fingerprint()
