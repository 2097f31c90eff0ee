"""What every page says is true: facts a post declares reach the page that shows them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from lxml import html as lxml_html

Cli = Callable[[Sequence[str]], tuple[int, str, str]]


def _text(out: Path, rel: str) -> tuple[lxml_html.HtmlElement, str]:
    page = lxml_html.fromstring((out / rel).read_bytes())
    return page, " ".join(page.text_content().split())


def test_a_case_study_shows_its_sector(make_site: Callable[..., Path], run_cli: Cli) -> None:
    study = "---\ntitle: Repairs\ndate: 2026-10-01\nsector: local government\n---\nText.\n"
    root = make_site({"content/case-studies/repairs.md": study})
    assert run_cli(["build", str(root)])[0] == 0
    page, _ = _text(root / "output", "case-studies/repairs/index.html")
    sector = page.xpath("//dt[text()='Sector']/following-sibling::dd/a")
    assert [(a.text, a.get("href")) for a in sector] == [
        ("Local government", "/case-studies/sectors/local-government/")
    ]
    _, listing = _text(root / "output", "case-studies/sectors/local-government/index.html")
    assert "Repairs" in listing


def test_a_contributor_with_several_contributions_links_to_all_of_them(
    make_site: Callable[..., Path], run_cli: Cli
) -> None:
    def post(title: str, who: str) -> str:
        return f"---\ntitle: {title}\ndate: 2026-10-0{len(title)}\ncontributor:\n  name: {who}\n---\nText.\n"

    root = make_site(
        {
            "content/contributions/a.md": post("A", "Sam Lee"),
            "content/contributions/bb.md": post("BB", "Sam Lee"),
            "content/contributions/ccc.md": post("CCC", "Ann Roe"),
        }
    )
    assert run_cli(["build", str(root)])[0] == 0
    out = root / "output"
    for rel in ("contributions/a/index.html", "contributions/bb/index.html"):
        page, text = _text(out, rel)
        assert "All 2 contributions by Sam Lee" in text
        assert page.xpath("//a[@class='contributor-more']/@href") == ["/contributions/contributors/sam-lee/"]
    _, text = _text(out, "contributions/ccc/index.html")
    assert "contributions by" not in text  # one contribution: nothing more to see
