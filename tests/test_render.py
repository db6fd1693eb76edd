import re
from dataclasses import replace
from html.parser import HTMLParser
from string import Template

import pytest

from corpusbot.bot.answer.compose import Answer, Quote, Reason
from corpusbot.bot.answer.render import (
    Context,
    _Pieces,
    message_length,
    render_html,
    render_text,
    templates,
)
from corpusbot.bot.answer.scope import AnswerScope
from corpusbot.bot.app.service import Service
from corpusbot.retrieval.index.bm25 import ArticleInfo

CONTEXT = Context(articles=5, example="Sputnik vaccine", max_question_chars=1000)
ARTICLE = ArticleInfo(
    1, "a<1>", "Tom & <Jerry>", "a&b.txt", "AP", "2024-01-02", 'https://e.x/?a=1&b="2"', 3
)
ALLOWED = {"b", "i", "a", "blockquote", "code"}


class TagChecker(HTMLParser):
    """Fails on any tag Telegram would not accept or on tags that do not nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag


def assert_valid(html: str) -> None:
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    assert message_length(html) <= 4096


def test_everything_from_the_corpus_is_escaped() -> None:
    quote = Quote("x < y && <script>alert(1)</script>", ((0, 1),), (ARTICLE, ARTICLE), 1.0)
    html = render_html(Answer("q", True, (quote,)), CONTEXT).text
    assert_valid(html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Tom &amp; &lt;Jerry&gt;" in html
    assert 'href="https://e.x/?a=1&amp;b=&quot;2&quot;"' in html
    assert "<b>x</b>" in html and "Also reported in" in html


def test_a_reply_never_exceeds_the_limit_nor_cuts_a_tag() -> None:
    quotes = tuple(Quote("<word> " * 900, ((1, 5),), (ARTICLE,), 1.0) for _ in range(5))
    rendered = render_html(Answer("q", True, quotes), CONTEXT, count=5)
    assert_valid(rendered.text)
    assert rendered.shown == 1 and rendered.total == 5
    assert "1 of 5" in rendered.text


def test_pages_of_quotes(seeds_service: Service) -> None:
    answer = seeds_service.ask("Iran Russia talks")
    assert len(answer.quotes) > 3
    first = render_html(answer, seeds_service.context, start=0, count=3)
    second = render_html(answer, seeds_service.context, start=3, count=3)
    assert first.shown == 3 and re.search(r"<b>4\.</b>", second.text)
    assert_valid(first.text)
    assert_valid(second.text)


def test_plain_text_for_the_terminal(seeds_service: Service) -> None:
    reply = render_text(seeds_service.ask("Who is Iraq's foreign minister?"), CONTEXT).text
    assert reply.startswith("1. “") and "Fuad Hussein" in reply and "<" not in reply
    refusal = render_text(seeds_service.ask("What is the recipe for a chocolate cake?"), CONTEXT)
    assert "found nothing" in refusal.text and refusal.shown == 0


def test_overlong_citation_fields_are_clipped_and_plain_urls_not_escaped() -> None:
    huge = ArticleInfo(
        1,
        "id",
        "T " * 3000,
        "p" * 5000 + ".txt",
        "S" * 5000,
        "2024-01-02",
        "https://e.x/?a=1&b=2",
        1,
    )
    quote = Quote("A short quote.", (), (huge,), 1.0)
    html = render_html(Answer("q", True, (quote,)), CONTEXT).text
    assert_valid(html)
    assert message_length(html) < 1000
    plain = render_text(Answer("q", True, (quote,)), CONTEXT).text
    assert "https://e.x/?a=1&b=2" in plain and "&amp;" not in plain
    too_long = ArticleInfo(1, "id", "T", "p.txt", None, None, "https://e.x/" + "a" * 2000, 1)
    html = render_html(Answer("q", True, (Quote("Q.", (), (too_long,), 1.0),)), CONTEXT).text
    assert "<a href" not in html  # left out rather than cut into a broken link


def test_plain_text_never_doubles_an_opening_quotation_mark() -> None:
    said = Quote("“Any country may join,” he said. “Not yet,” she replied.", (), (ARTICLE,), 1.0)
    plain = Quote("Any country may join.", (), (ARTICLE,), 1.0)
    reply = render_text(Answer("q", True, (said, plain)), CONTEXT).text
    assert "““" not in reply
    assert reply.startswith("1. “Any country may join,” he said. “Not yet,” she replied.\n")
    assert "2. “Any country may join.”\n" in reply


def test_refusals_count_the_articles_and_offer_an_example_only_when_there_is_one() -> None:
    one = Context(articles=1, example="", max_question_chars=1000)
    not_found = render_text(Answer("q", False, reason=Reason.NOT_FOUND), one).text
    assert "in the 1 article I know" in not_found
    for render in (render_text, render_html):
        empty = render(Answer("", False, reason=Reason.EMPTY), one).text
        assert "example" not in empty.lower() and empty.endswith("articles.")
        offered = render(Answer("", False, reason=Reason.EMPTY), CONTEXT).text
        assert "For example: " in offered and "Sputnik vaccine" in offered


def test_a_refusal_names_the_range_it_searched_but_no_order() -> None:
    ranged = AnswerScope("articles of 2019", newest_first=True)
    refused = Answer("q", False, reason=Reason.NOT_FOUND, scope=ranged)
    assert render_text(refused, CONTEXT).text.startswith("From articles of 2019, newest first:")
    newest = replace(refused, scope=AnswerScope(newest_first=True))
    assert render_text(newest, CONTEXT).text.startswith("I found nothing about that")


def test_an_empty_corpus_says_so_instead_of_finding_nothing() -> None:
    nothing = Context(articles=0, example="", max_question_chars=1000)
    for reason in (Reason.EMPTY, Reason.NO_TERMS, Reason.NOT_FOUND):
        text = render_text(Answer("q", False, reason=reason), nothing).text
        assert text.startswith("I have no article to quote yet") and ".txt, .md or .jsonl" in text


def test_a_long_quote_keeps_its_answer_sentence_out_of_the_collapsed_part() -> None:
    lead = "Fuad Hussein is Iraq's foreign minister."
    text = lead + " … " + "He spoke at length about many other things. " * 10
    quote = Quote(text, ((0, 4), (len(lead) + 3, len(lead) + 5)), (ARTICLE,), 1.0, lead=len(lead))
    html = render_html(Answer("q", True, (quote,)), CONTEXT).text
    assert_valid(html)
    shown, collapsed = html.split("<blockquote expandable>")
    assert "<b>Fuad</b> Hussein is Iraq's foreign minister.</blockquote>" in shown
    assert collapsed.startswith("… <b>He</b> spoke")
    short = Quote(lead, (), (ARTICLE,), 1.0, lead=len(lead))
    assert "expandable" not in render_html(Answer("q", True, (short,)), CONTEXT).text


@pytest.mark.parametrize("kind", ["html", "text"])
def test_every_template_substitutes_as_string_template_does(kind: str) -> None:
    # The templates are cut into pieces once (render._Pieces); the text must be Template's.
    for name, template in templates(kind).items():
        names = {
            m.group("named") or m.group("braced")
            for m in template.pattern.finditer(template.template)
        } - {None}
        values = {key: f"<{key} & $x>" for key in names}
        expected = Template(template.template).substitute(values)
        assert template.substitute(**values) == expected, name
        assert template.substitute(values) == expected, name


@pytest.mark.parametrize("text", ["$a and ${b}c", "cost: $$5 for $a", "$a$b", "no placeholders"])
def test_pieces_follow_template_on_escapes_and_braces(text: str) -> None:
    assert _Pieces(text).substitute(a="1", b="2") == Template(text).substitute(a="1", b="2")


def test_pieces_refuse_what_template_refuses() -> None:
    with pytest.raises(ValueError):
        _Pieces("$a at the end $").substitute(a="1")
    with pytest.raises(KeyError):
        _Pieces("$missing").substitute(a="1")


def test_the_count_under_a_page_names_no_button_that_may_be_gone(seeds_service: Service) -> None:
    # The More button is taken off the old message when pressed; its text stays as it was.
    answer = seeds_service.ask("Who is Iran's foreign minister?")
    first = render_html(answer, seeds_service.context, 0, 3)
    assert first.text.endswith(f"<i>3 of {len(answer.quotes)} quotes.</i>")
    assert "Tap More" not in first.text
