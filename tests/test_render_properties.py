"""Arbitrary text through compose and render: the HTML stays valid for Telegram and in bounds."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusbot.bot.answer.compose import Answer, Quote
from corpusbot.bot.answer.render import Context, message_length, render_html
from corpusbot.bot.app.service import Service
from corpusbot.bot.local_api import parse_telegram_html
from corpusbot.retrieval.index.bm25 import ArticleInfo

# Any Unicode text, markup characters made likely, surrogates excluded (not encodable).
TEXT = st.text(
    st.one_of(st.characters(blacklist_categories=["Cs"]), st.sampled_from("<>&\"'*_`[]()#")),
    max_size=3000,
)
SHORT = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=200)


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    text = draw(TEXT.filter(str.strip))
    spans = sorted(
        {
            tuple(sorted(draw(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))))))
            for _ in range(draw(st.integers(0, 5)))
        }
    )
    spans = [s for i, s in enumerate(spans) if s[0] < s[1] and (i == 0 or spans[i - 1][1] <= s[0])]
    article = ArticleInfo(
        1,
        draw(SHORT),
        draw(SHORT),
        draw(SHORT),
        draw(st.none() | SHORT),
        draw(st.none() | SHORT),
        draw(st.none() | SHORT),
        1,
    )
    highlights = tuple((start, end) for start, end in spans)
    return Quote(text, highlights, (article,) * draw(st.integers(1, 3)), 1.0)


def assert_sendable(html: str) -> None:
    visible, _entities = parse_telegram_html(html)  # raises on anything Telegram would refuse
    assert message_length(html) <= 4096
    assert visible.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(quotes(), min_size=1, max_size=6), st.integers(0, 5), st.booleans())
def test_any_answer_renders_to_sendable_html(items: list[Quote], start: int, cut: bool) -> None:
    answer = Answer("q", True, tuple(items), question_cut=cut)
    context = Context(articles=3, example="<b>&", max_question_chars=1000)
    rendered = render_html(answer, context, start=min(start, len(items) - 1), count=3)
    assert_sendable(rendered.text)
    assert rendered.shown >= 1


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(question=TEXT)
def test_any_question_gets_a_sendable_reply(seeds_service: Service, question: str) -> None:
    answer = seeds_service.ask(question)
    assert len(answer.question) <= seeds_service.settings.answer.max_question_chars
    assert_sendable(render_html(answer, seeds_service.context).text)
