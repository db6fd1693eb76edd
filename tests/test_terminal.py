import io

from corpusbot.bot.cli.terminal import input_lines, valid_text, visible


def test_control_characters_are_shown_not_obeyed() -> None:
    assert visible("a\x1b[31mb\tc\nd\x7f\x9b") == "a\\x1b[31mb\tc\nd\\x7f\\x9b"
    assert visible("Téhéran — “quoted”") == "Téhéran — “quoted”"


def test_undecodable_bytes_from_the_command_line_become_replacement_characters() -> None:
    assert valid_text("caf\udce9") == "caf\ufffd"
    assert valid_text("lone \ud800 surrogate") == "lone ? surrogate"
    assert valid_text("plain") == "plain"


def test_input_lines_never_fail_on_bytes() -> None:
    stream = io.BytesIO(b"one \xff\r\ntwo\n\xc3\xa9")
    assert list(input_lines(stream)) == ["one \ufffd", "two", "é"]
