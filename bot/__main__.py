"""`python -m bot` is the `corpusbot` command."""

import sys

from bot.cli import main

sys.exit(main())
