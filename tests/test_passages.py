from corpusbot.retrieval.reading.corpus import load_corpus, parse_article
from corpusbot.retrieval.reading.passages import SplitSettings, split_article

from .conftest import SEEDS


def test_every_passage_traces_back_to_its_article() -> None:
    settings = SplitSettings(chunk_size=300)
    for article in load_corpus(SEEDS).articles:
        passages = split_article(article, settings)
        assert [p.ordinal for p in passages] == list(range(len(passages)))
        for passage in passages:
            assert article.text[passage.start : passage.end] == passage.text
            assert len(passage.text) <= 300
        assert passages[0].start == 0
        assert passages[-1].end == len(article.text)


def test_passages_break_at_paragraphs_before_words() -> None:
    text = "First paragraph here.\n\nSecond paragraph, which is a little longer than the first."
    article = parse_article(f"Headline\n{text}", article_id="a", path="a.txt")
    passages = split_article(article, SplitSettings(chunk_size=60))
    assert [p.text for p in passages] == [
        "First paragraph here.",
        "Second paragraph, which is a little longer than the first.",
    ]
