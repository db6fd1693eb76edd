"""`python -m corpusbot.bot` is the `corpusbot` command."""

import sys

from corpusbot.bot.entry import main

sys.exit(main())
