"""liquid.convert: safe Liquid and Hugo shortcodes become Markdown; the rest are warnings with file lines."""

from __future__ import annotations

import pytest

from site_builder.liquid import convert


def run(
    body: str, doc_id: str = "posts/2016-03-04-a.md", render: bool = True
) -> tuple[str, list[tuple[str, int]]]:
    text, problems = convert(body, doc_id=doc_id, path=f"content/{doc_id}", first_line=5, render=render)
    assert all(p.path == f"content/{doc_id}" for p in problems)
    return text, [(p.code, p.line) for p in problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[b]({% post_url 2016-03-11-b %})", "[b](2016-03-11-b.md)"),
        ("[b]({% post_url /2016-03-11-b %})", "[b](2016-03-11-b.md)"),
        ("[b]({% link _posts/2016-03-11-b.md %})", "[b](2016-03-11-b.md)"),
        ("[about]({% link about.md %})", "[about](../about.md)"),
        ("[x]({{ site.baseurl }}/2016/a/)", "[x](/2016/a/)"),
        ("[x]({{site.url}}{{ site.baseurl }}/a/)", "[x](/a/)"),
        ('[x]({{ "/team/" | url }})', "[x](/team/)"),
        ('![x]({{ "img/a.png" | relative_url }})', "![x](/img/a.png)"),
        ('[n]({{< ref "b.md" >}})', "[n](b.md)"),
        ('[n]({{< relref "/notes/c" >}})', "[n](../notes/c.md)"),
        ('[n]({{< ref "b.md#part-2" >}})', "[n](b.md#part-2)"),
        ('{{< figure src="/i/a.png" alt="A [chart]" >}}', "![A \\[chart\\]](</i/a.png>)"),
        ('{{< figure src="a.png" caption="Q3" >}}', "![](<a.png>) *Q3*"),
        ('{% image "assets/a.png" "The board" %}', "![The board](</assets/a.png>)"),
        ('{% image_with_class "assets/a.png" "wide" "The board" %}', "![The board](</assets/a.png>)"),
        ('{% image "assets/a.png", "The board" %}', "![The board](</assets/a.png>)"),
        ("{{</* youtube x */>}}", "{{< youtube x >}}"),
        ("a{% raw %}{{ x }} {% if %}{% endraw %}b", "a{{ x }} {% if %}b"),
        ("a\n{% comment %}\nhidden {{ x }}\n{% endcomment %}\nb", "a\n\n\n\nb"),
    ],
)
def test_safe_equivalents_are_rewritten_without_warnings(body: str, expected: str) -> None:
    assert run(body) == (expected, [])


def test_link_to_a_file_with_spaces_is_percent_encoded() -> None:
    text, _ = run("[b]({% post_url 2016-03-11-two words %})")
    assert text == "[b](2016-03-11-two.md)"  # Liquid's own rule: the name ends at the first space
    text, _ = run('[n]({{< ref "my note.md" >}})')
    assert text == "[n](my%20note.md)"


def test_highlight_becomes_fenced_code_on_the_same_lines() -> None:
    body = "Intro\n\n{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n\n{{ x }}\n"
    text, problems = run(body)
    assert text == "Intro\n\n```ruby\nputs 1\n```\n\n{{ x }}\n"
    assert problems == [("content/template-syntax", 11)]  # line 7 of the body, which starts at line 5


def test_hugo_highlight_and_code_with_backticks_gets_a_longer_fence() -> None:
    body = "{{< highlight go >}}\nx := `raw`\n``` not a fence\n{{< /highlight >}}\n"
    text, problems = run(body)
    assert text == "````go\nx := `raw`\n``` not a fence\n````\n"
    assert problems == []


def test_template_syntax_inside_highlight_and_raw_is_not_a_warning() -> None:
    body = (
        "{% highlight liquid %}\n{{ page.title }}\n{% endhighlight %}\n{% raw %}\n{% for x %}\n{% endraw %}\n"
    )
    text, problems = run(body)
    assert problems == []
    assert "{{ page.title }}" in text and "{% for x %}" in text


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("one\ntwo\n{% include video.html id='x' %}\n", 7),
        ("{{ page.title }}", 5),
        ('Hi {{ "ann" | team_link }} there', 5),
        ("\n{{< youtube abc >}}", 6),
        ("\n\n{{% notice info %}}", 7),
        ('{% image "only-a-src.png" %}', 5),
        ("{% raw %} never closed", 5),
        ("{% highlight ruby %}\nnever closed", 5),
        ("{{< highlight go >}}\nnever closed", 5),
        ('{{< figure alt="no src" >}}', 5),
    ],
)
def test_what_cannot_be_rendered_is_kept_as_text_with_a_warning(body: str, line: int) -> None:
    text, problems = run(body)
    assert text == body
    assert problems == [("content/template-syntax", line)]


def test_a_tag_over_several_lines_is_one_warning_at_its_first_line() -> None:
    body = 'Text\n\n{% include "linked-figure.html",\n     image: "/a.png",\n     alt: "A" %}\n\nMore {{ x }}'
    text, problems = run(body)
    assert text == body
    assert problems == [("content/template-syntax", 7), ("content/template-syntax", 11)]


def test_untrusted_text_is_never_rewritten_only_warned_about() -> None:
    body = "[a]({{ site.baseurl }}/x/)\n{% raw %}{{ y }}{% endraw %}\n{% post_url 2016-01-01-a %}"
    text, problems = run(body, doc_id="contributions/a.md", render=False)
    assert text == body
    assert [line for _, line in problems] == [5, 6, 6, 6, 7]


def test_line_count_never_changes() -> None:
    body = "{% comment %}\na\nb\n{% endcomment %}\n{% highlight py %}\nx\n{% endhighlight %}\n"
    body += "{{ site.baseurl }}\n"
    text, _ = run(body)
    assert text.count("\n") == body.count("\n")


def test_inside_a_raw_html_block_an_image_is_an_img_tag_with_a_link_marker() -> None:
    body = '<figure>\n  {% image "assets/a.png" "A <b>" %}\n</figure>\n\n<img src="{{ site.baseurl }}/b.png">'
    text, problems = run(body)
    assert problems == []
    assert (
        text
        == '<figure>\n  <img src="sb:/assets/a.png" alt="A &lt;b&gt;">\n</figure>\n\n<img src="sb:/b.png">'
    )
