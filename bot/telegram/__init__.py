"""The Telegram layer: the only package that imports `telegram`. Handlers, the typed context,
buttons, inline mode, running the bot (`corpusbot run`), and the replies built (no I/O) apart
from the code that sends them."""

from .runner import run_command

__all__ = ["run_command"]
