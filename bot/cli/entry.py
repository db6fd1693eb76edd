"""The `corpusbot` command's entry point, light on purpose: the command's modules take a moment
to import, and Ctrl+C in that moment stops it quietly (status 130) instead of printing an
import traceback."""

from __future__ import annotations

__all__ = ["main"]


def main() -> int:
    """Import the command, then run it; the exit status."""
    try:
        from corpusbot.bot.cli.commands import main as run  # heavy: numpy, numba, telegram, ...
    except KeyboardInterrupt:
        return 130
    return run()
