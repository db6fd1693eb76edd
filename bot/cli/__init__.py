"""The `corpusbot` command: its light entry point, the subcommands, running the bot (polling or
the local chat page), and what the command line reads and prints."""

from .entry import main

__all__ = ["main"]
