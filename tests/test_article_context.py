from corpusbot.bot.answer.article_context import find_quote, paragraph_spans, quote_context

TEXT = "Headline\n\nFirst para.\n\nSecond   para has\nthe quote. More.\n\nThird para.\n"


def test_paragraphs_are_non_blank_lines_stripped() -> None:
    spans = paragraph_spans(TEXT)
    assert [TEXT[s.start : s.end] for s in spans] == [
        "Headline",
        "First para.",
        "Second   para has",
        "the quote. More.",
        "Third para.",
    ]


def test_a_quote_with_folded_whitespace_is_found() -> None:
    found = find_quote(TEXT, "Second para has the quote.")
    assert found is not None and TEXT[found.start : found.end] == "Second   para has\nthe quote."
    assert find_quote(TEXT, "not in the text") is None
    assert find_quote(TEXT, "") is None


def test_a_quote_of_sentences_apart_is_found_at_its_opening_sentence() -> None:
    # compose joins sentences that do not follow each other with " … "
    found = find_quote(TEXT, "Second para has the quote. … Third para.")
    assert found is not None and TEXT[found.start : found.end] == "Second   para has\nthe quote."
    assert find_quote(TEXT, "… Third para.") is None


def test_context_is_the_quote_paragraph_and_its_neighbours() -> None:
    found = quote_context(TEXT, "the quote.", around=1)
    assert found is not None
    assert found.paragraph == "the quote. More."
    assert found.paragraph[found.quote.start : found.quote.end] == "the quote."
    assert found.before == ("Second   para has",) and found.after == ("Third para.",)
    assert quote_context(TEXT, "missing words") is None


def test_a_quote_cut_at_its_start_is_found_without_its_ellipsis() -> None:
    text = "First paragraph.\n\nA very long sentence about the council and the bridge closure."
    span = find_quote(text, "…the council and the bridge closure.")
    assert span is not None and text[span.start : span.end] == "the council and the bridge closure."


def test_a_quote_longer_than_forty_words_is_marked_to_its_end() -> None:
    words = [f"word{n}" for n in range(70)]
    text = "Before.\n\n" + " ".join(words) + " after the quote.\n\nAfter."
    quote = " ".join(words)
    span = find_quote(text, quote)
    assert span is not None and text[span.start : span.end] == quote
