"""`python -m corpusbot.bot` is the `corpusbot` command."""

import sys

from corpusbot.bot.cli import main

sys.exit(main())
