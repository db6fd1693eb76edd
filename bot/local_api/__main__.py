"""``python -m corpusbot.bot.local_api --port 8081``."""

from .standalone import main

raise SystemExit(main())
