"""Questions respelled to a made-up corpus's own spelling of its names, and names it lacks."""

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from corpusbot.bot.answer import respell
from corpusbot.bot.answer.compose import Reason, compose
from corpusbot.bot.answer.render import Context, render_html, render_text
from corpusbot.bot.answer.respell import rewrite
from corpusbot.config.settings import Settings
from corpusbot.retrieval.index.bm25 import Index
from corpusbot.retrieval.index.cache import open_index

from .conftest import make_settings

ARTICLES = {
    "pipeline": "Pipeline deal\nForeign Minister Kamran Khorvani said the Velmar-Ostrander "
    "pipeline will open in May. Khorvani met envoys in Tessaly on Friday.\n",
    "harbour": "Harbour news\nMayor Ilse Zandrovic opened the new harbour in Brevik on Monday. "
    "Zandrovic said that ships will dock there from June.\n",
    "mill": "Mill reopens\nThe old mill of Brevik reopened after the mayor approved repairs.\n",
}
FILLER = ("Saffron", "Pistachio", "Dates", "Carpets", "Caviar")


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Index, Settings]:
    root = tmp_path_factory.mktemp("made-up")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    for n, crop in enumerate(FILLER):  # so that idf tells rare from common words
        (corpus / f"market{n}.txt").write_text(f"Market news\n{crop} prices rose today.\n")
    settings = make_settings(root / "cache", Path(corpus))
    index = open_index(
        settings.corpus, settings.split, settings.index, settings.max_file_bytes
    ).index
    return index, settings


CONTEXT = Context(articles=8, example="", max_question_chars=1000)


def test_a_transliterated_name_is_searched_in_the_corpus_spelling(
    made_up: tuple[Index, Settings],
) -> None:
    index, settings = made_up
    answer = compose(index, "What did Qorvani say about the pipeline?", settings.answer)
    assert answer.answered and "Khorvani said" in answer.quotes[0].text
    assert [(r.asked, r.used, r.added) for r in answer.respelled] == [
        ("Qorvani", ("Khorvani",), False)
    ]
    assert render_text(answer, CONTEXT).text.startswith("(Showing results for Khorvani.)")


def test_a_typo_in_a_name_is_corrected(made_up: tuple[Index, Settings]) -> None:
    index, settings = made_up
    answer = compose(index, "Which harbour did Zandrovik open?", settings.answer)
    assert answer.answered and "Zandrovic opened the new harbour" in answer.quotes[0].text
    assert "Showing results for Zandrovic." in render_html(answer, CONTEXT).text


def test_a_joined_compound_is_split_into_the_corpus_words(made_up: tuple[Index, Settings]) -> None:
    index, _ = made_up
    rewritten = rewrite("When will the Velmarostrander pipeline open?", index)
    assert rewritten.respelled[0].terms == ("velmar", "ostrand")
    assert "velmar ostrand" in rewritten.question


def test_a_name_no_article_mentions_is_refused_by_name(made_up: tuple[Index, Settings]) -> None:
    index, settings = made_up
    answer = compose(index, "What did Blinken say about the harbour?", settings.answer)
    assert not answer.answered and answer.reason is Reason.ABSENT
    assert answer.missing == ("Blinken",) and answer.quotes == ()
    assert render_text(answer, CONTEXT).text.startswith("No article mentions Blinken.")


def test_a_refusal_offers_a_close_spelling(made_up: tuple[Index, Settings]) -> None:
    index, settings = made_up
    answer = compose(index, "What did Zanndrevic say?", settings.answer)
    assert answer.reason is Reason.ABSENT and answer.suggestions == ("Zandrovic",)
    assert "Did you mean <i>Zandrovic</i>?" in render_html(answer, CONTEXT).text


def test_an_absent_name_beside_a_present_one_is_said_but_not_refused(
    made_up: tuple[Index, Settings],
) -> None:
    index, settings = made_up
    answer = compose(
        index, "Did Mayor Zandrovic open the new harbour in Brevik with Blinken?", settings.answer
    )
    assert answer.answered and answer.missing == ("Blinken",)
    assert render_text(answer, CONTEXT).text.startswith("(No article mentions Blinken.)")


def test_common_words_and_the_first_word_are_never_respelled(
    made_up: tuple[Index, Settings],
) -> None:
    index, _ = made_up
    assert rewrite("Pipelne deal?", index).respelled == ()
    assert rewrite("what about the pipelne?", index).respelled == ()


@pytest.mark.parametrize(
    ("question", "capitalised"),
    [
        ("What did the mayor open?", False),
        ("  ¿what did zandrovic open?", False),  # the first letter is never a name's
        ("Which harbour did Zandrovik open?", True),
        ("Was it Zandrovik's?", True),
        ("Did the Th2 cells react?", True),  # "Th" then a number: a word of its own
        ("Does ADAR1 bind RNA in T cells?", False),  # abbreviations and single letters
        ("Was it McAdams or DeWitt?", False),  # two capitals: not name-like
        ("Zandrovik opened it", False),  # the first word is never a name
        ("что открыл Зандрович?", True),  # other scripts have capitals too
        ("что открыл зандрович?", False),
    ],
)
def test_only_a_question_with_a_name_like_word_after_its_first_is_read_for_names(
    question: str, capitalised: bool
) -> None:
    assert respell._may_hold_a_name(question) is capitalised


@pytest.mark.parametrize(
    "question",
    [
        "Which harbour did Zandrovik open?",
        "Did the Th2 cells of Zandrovik react?",
        "ADAR1 binds to Dicer to cleave pre-miRNA.",
        "Was it McAdams, DeWitt or O'Brien?",
        "2Th cells: do they?",
        "What did the mayor open?",
        "CRP after Coronary Artery Bypass Graft (CABG) surgery",
    ],
)
def test_the_name_check_misses_no_name_like_word(question: str) -> None:
    from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings

    words = respell._words(question, Analyzer(AnalyzerSettings()))
    assert respell._may_hold_a_name(question) or not any(word.name_like for word in words)


def test_a_question_without_capitals_is_searched_as_asked(made_up: tuple[Index, Settings]) -> None:
    index, _ = made_up
    asked = "which harbour did zandrovik open?"
    assert rewrite(asked, index) == respell.Rewritten(asked)


def test_a_name_one_letter_from_a_stemmed_word_is_not_that_word(
    made_up: tuple[Index, Settings],
) -> None:
    # "Brevikia" is one letter from "Brevikic", which stems to "brevik"; but the corpus writes
    # only "Brevik", another name (as "Arabia" is not "Arab").
    index, settings = made_up
    answer = compose(index, "Who rules Brevikia?", settings.answer)
    assert not answer.answered and answer.reason is Reason.ABSENT
    assert answer.missing == ("Brevikia",) and answer.respelled == ()


def test_a_typo_whose_corrected_word_the_corpus_writes_is_still_corrected(
    made_up: tuple[Index, Settings],
) -> None:
    # "Khorvania" -> "Khorvani" (a deletion the corpus writes as such).
    index, _ = made_up
    assert rewrite("What did Khorvania say?", index).respelled[0].terms == ("khorvani",)


def test_neighbouring_absent_words_are_one_name(made_up: tuple[Index, Settings]) -> None:
    index, settings = made_up
    answer = compose(index, "Did Ostrovia Brevikia sign the pipeline deal?", settings.answer)
    assert answer.missing == ("Ostrovia Brevikia",)
    assert "No article mentions Ostrovia Brevikia." in render_text(answer, CONTEXT).text


def test_the_bot_prepares_the_spelling_table_on_a_thread(
    made_up: tuple[Index, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, _ = made_up
    started: list[str] = []
    real = threading.Thread

    def thread(*, target: Callable[[], object], name: str, daemon: bool) -> threading.Thread:
        started.append(name)
        return real(target=target, name=name, daemon=daemon)

    monkeypatch.setattr(threading, "Thread", thread)
    respell._spellers.pop(index, None)  # earlier tests built this index's table
    assert not respell.speller_for(index).prepared
    respell.prepare_in_background(index)
    assert started == ["corpusbot-speller"]
    for worker in threading.enumerate():
        if worker.name == "corpusbot-speller":
            worker.join(timeout=30)
    assert respell.speller_for(index).prepared


def test_an_updated_index_gets_its_speller_from_the_one_it_replaces(tmp_path: Path) -> None:
    """The table made from the earlier index's, changed by the terms gained and lost, is the
    table built anew; an unrelated index gets none."""
    from corpusbot.bot.answer.spelling import Speller

    from .test_segmented import ABSTRACTS, opened, saved

    corpus, cache = saved(tmp_path)
    before = opened(corpus, cache).index
    respell.speller_for(before).prepare()
    story = "Zarifkhani visits Qomshahr\nThe envoy Zarifkhani met the Qomshahr governor."
    for step in ("gain", "lose", "lose again"):
        if step == "gain":
            (corpus / "zarifkhani.txt").write_text(story, encoding="utf-8")
        else:
            (corpus / (ABSTRACTS[3][0] if step == "lose" else "zarifkhani.txt")).unlink()
        after = opened(corpus, cache).index
        assert after.vocabulary_since(before) is not None
        assert respell._updated_speller(after, before)
        fresh = Speller(after.vocab, after.document_frequency)
        derived = respell.speller_for(after)
        known, table = derived._table()
        assert known == fresh._table()[0]
        assert {k: sorted(v) for k, v in table.items()} == {
            k: sorted(v) for k, v in fresh._table()[1].items()
        }
        before = after
    unrelated = opened(corpus, tmp_path / "elsewhere").index
    assert unrelated.vocabulary_since(before) is None
    assert not respell._updated_speller(unrelated, before)
