"""Tests for bot.redaction: the token out of log messages, arguments and tracebacks."""

from __future__ import annotations

import io
import logging

from corpusbot.bot.telegram import redaction
from corpusbot.bot.telegram.redaction import TokenRedactor

TOKEN = "123456:TEST-secret"


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, exc_info)


def test_redactor_masks_message_args_and_tracebacks() -> None:
    redactor = TokenRedactor(TOKEN)
    plain = record("HTTP Request: POST %s", f"http://h/bot{TOKEN}/getMe")
    assert redactor.filter(plain)
    assert plain.getMessage() == "HTTP Request: POST http://h/bot<TOKEN>/getMe"
    encoded = record("url %s", "http://h/bot123456%3ATEST-secret/x")
    redactor.filter(encoded)
    assert "TEST-secret" not in encoded.getMessage()
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError as exc:
        failed = record("boom", exc=exc)
    redactor.filter(failed)
    text = logging.Formatter().format(failed)
    assert "RuntimeError: The token `<TOKEN>` was rejected" in text and TOKEN not in text
    untouched = record("count %d", 3)
    redactor.filter(untouched)
    assert (untouched.msg, untouched.args) == ("count %d", (3,))


def test_install_log_redaction_covers_every_root_handler() -> None:
    root = logging.getLogger()
    streams = [io.StringIO(), io.StringIO()]
    added = [logging.StreamHandler(stream) for stream in streams]
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "corpusbot")}
    for handler in added:
        root.addHandler(handler)
    try:
        redactor = redaction.install_log_redaction(TOKEN)
        assert logging.getLogger("httpx").level == logging.WARNING
        logging.getLogger("corpusbot.telegram").info("calling /bot%s/getMe", TOKEN)
    finally:
        for handler in added:
            root.removeHandler(handler)
        for each in root.handlers:
            each.removeFilter(redactor)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    for stream in streams:
        assert stream.getvalue() == "calling /bot<TOKEN>/getMe\n"
