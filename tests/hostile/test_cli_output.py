"""What the command line prints, whatever the input, the locale or the articles hold (issue 10,
items 12 and 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import corpusbot, seed_corpus

BAD_STDIN = b"Josep Borrell \xff\xfe\nsaffron \xe9 exports\n\xc3\x28\r\n"


@pytest.mark.parametrize(
    "env", [{}, {"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C"}, {"PYTHONIOENCODING": "latin-1"}]
)
def test_ask_json_prints_valid_utf8_json_whatever_the_input_and_locale(
    tmp_path: Path, env: dict[str, Any]
) -> None:
    corpus = seed_corpus(tmp_path / "corpus", count=5)
    result = corpusbot(
        "ask",
        "--json",
        "-",
        "--corpus",
        str(corpus),
        cache=tmp_path / "cache",
        stdin=BAD_STDIN,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()  # strict: raises if not UTF-8
    replies = [json.loads(line) for line in lines]
    assert len(replies) == 3
    assert replies[0]["question"] == "Josep Borrell \ufffd\ufffd" and replies[0]["answered"]
    assert "Borrell" in replies[0]["quotes"][0]["text"]


def test_a_question_argument_that_is_not_utf8_still_gives_json(tmp_path: Path) -> None:
    corpus = seed_corpus(tmp_path / "corpus")
    result = corpusbot(
        "ask", b"caf\xe9 Borrell", "--json", "--corpus", str(corpus), cache=tmp_path / "cache"
    )
    reply = json.loads(result.stdout.decode("utf-8"))
    assert reply["question"] == "caf\ufffd Borrell"
    assert result.returncode == (0 if reply["answered"] else 3), result.stderr


ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x08"


def test_terminal_control_sequences_in_articles_are_neutralised(tmp_path: Path) -> None:
    corpus = seed_corpus(tmp_path / "corpus")
    (corpus / "evil.txt").write_text(
        f"Saffron {ESCAPES}report\n\nSaffron exports {ESCAPES}rose in Mashhad this year."
    )
    for command in (["ask", "saffron exports"], ["sources"]):
        result = corpusbot(*command, "--corpus", str(corpus), cache=tmp_path / "cache")
        assert result.returncode == 0, result.stderr
        out = result.stdout.decode("utf-8")
        assert "Saffron" in out
        for control in ("\x1b", "\x07", "\x9b", "\x08"):
            assert control not in out, (command, out)
        assert "\\x1b[2J" in out  # shown, not obeyed
