"""Issue 10, item 13: the bot token never reaches a log line, in whatever form a URL or an
error message carries it (upper-cased, percent-encoded in either case, hex)."""

from __future__ import annotations

import logging

import pytest

from corpusbot.bot.telegram.redaction import TokenRedactor

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = TOKEN.split(":", 1)[1]


def percent_all(text: str, case: str = "%%%02X") -> str:
    return "".join(case % byte for byte in text.encode())


@pytest.mark.parametrize(
    "form",
    [
        TOKEN,
        TOKEN.upper(),
        TOKEN.lower(),
        TOKEN.replace(":", "%3A"),
        TOKEN.replace(":", "%3a"),
        percent_all(TOKEN),
        percent_all(TOKEN, "%%%02x"),
        TOKEN.encode().hex(),
        TOKEN.encode().hex().upper(),
    ],
)
def test_every_form_of_the_token_is_masked(form: str) -> None:
    line = f"GET https://api.telegram.org/bot{form}/getUpdates failed"
    redacted = TokenRedactor(TOKEN).redact(line)
    assert form not in redacted
    assert SECRET.lower() not in redacted.lower()
    assert redacted.startswith("GET https://api.telegram.org/bot") and "getUpdates" in redacted


def test_a_record_with_an_upper_cased_token_is_masked() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (TOKEN.upper(),), None)
    TokenRedactor(TOKEN).filter(record)
    assert SECRET.upper() not in record.getMessage()
