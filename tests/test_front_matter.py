"""YAML front matter's simple key: value subset (retrieval/reading/front_matter.py)."""

from corpusbot.retrieval.reading.front_matter import split_front_matter


def lines(text: str) -> list[str]:
    return text.split("\n")


def test_fields_are_read_and_the_block_is_removed() -> None:
    fields, rest = split_front_matter(
        lines(
            "\n---\ntitle: \"Talks stall: no deal\"\nOutlet: Tasnim\npublished-at: '2021-06-18'\n"
            "tags:\n  - nuclear\n  - geneva\nsummary: |\n  long text\nempty:\n"
            "note: kept # comment\n"
            "---\nBody line."
        )
    )
    assert fields == {
        "title": "Talks stall: no deal",
        "outlet": "Tasnim",
        "published_at": "2021-06-18",
        "note": "kept",
    }
    assert rest == ["Body line."]


def test_dots_close_a_block_too() -> None:
    fields, rest = split_front_matter(lines("---\ndate: 2020-01-02\n...\nText"))
    assert fields == {"date": "2020-01-02"} and rest == ["Text"]


def test_no_block_or_an_unclosed_one_leaves_the_lines_alone() -> None:
    plain = lines("Headline\n---\ndate: 2020-01-02\n---")
    assert split_front_matter(plain) == ({}, plain)
    unclosed = lines("---\ndate: 2020-01-02\nBody text that never closes the block.")
    assert split_front_matter(unclosed) == ({}, unclosed)
