"""Errors raised inside the local Bot API server and how they reach the client."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]


class BotApiError(Exception):
    """An error answered to a Bot API request as Telegram would answer it."""

    def __init__(
        self, error_code: int, description: str, parameters: JsonDict | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JsonDict:
        """The Telegram error envelope for this error."""
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class ControlError(ValueError):
    """A control API request that cannot be carried out (unknown message, bad input ...)."""


class TelegramHtmlError(ValueError):
    """Text that Telegram's HTML parse mode would reject."""


class DropConnection(Exception):
    """Raised by a route handler to close the connection without any response."""
