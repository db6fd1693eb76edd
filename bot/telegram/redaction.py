"""Keeping the bot token out of every log line, and library tracebacks out of a quiet log.

The token is in every Bot API URL, so httpx's request lines, network errors and tracebacks can
all carry it; :class:`TokenRedactor` masks it on every handler of the root logger.
"""

from __future__ import annotations

import logging
import re
import traceback


class TokenRedactor(logging.Filter):
    """Replaces the token in a record's message and traceback, in every form a URL or an error
    may carry it: in any letter case, each character as is or percent-encoded (%3A or %3a),
    or as hex."""

    MASK = "<TOKEN>"

    def __init__(self, token: str) -> None:
        super().__init__()
        self._pattern = _token_pattern(token) if token else None

    def redact(self, text: str) -> str:
        return self._pattern.sub(self.MASK, text) if self._pattern else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _token_pattern(token: str) -> re.Pattern[str]:
    """A case-insensitive pattern for `token`: each character literal or percent-encoded, or
    the whole token as hex."""
    characters = "".join(
        f"(?:{re.escape(char)}|{''.join(f'%{byte:02x}' for byte in char.encode())})"
        for char in token
    )
    return re.compile(f"{characters}|{token.encode().hex()}", re.IGNORECASE)


class LibraryErrorsOnOneLine(logging.Filter):
    """Without --debug, python-telegram-bot's own errors take one line, not a traceback.

    Its start-up retry loop logs a traceback when it gives up; `corpusbot run` reports that
    failure itself, in one line, so that record is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram"):
            return True
        message = record.getMessage()
        gave_up = "Aborting" in message or "Invalid token" in message
        if "Network Retry Loop" in message and gave_up:
            return False  # the start-up gave up: run_command says why, in one line
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg, record.args = f"{message} ({type(error).__name__}: {error})", ()
            record.exc_info, record.exc_text = None, None
        return True


def install_log_redaction(token: str, debug: bool = False) -> TokenRedactor:
    """Redact `token` on every handler of the root logger; quiet httpx unless debugging.

    httpx logs each request URL at INFO, and Bot API URLs contain the token.
    """
    redactor = TokenRedactor(token)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not debug:
            handler.addFilter(LibraryErrorsOnOneLine())
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.INFO if debug else logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.INFO if debug else logging.WARNING)
    logging.getLogger("corpusbot").setLevel(logging.DEBUG if debug else logging.INFO)
    return redactor
