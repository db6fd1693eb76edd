"""What the bot remembers: questions, the quotes they got, 👍/👎 feedback, in one SQLite file.

No Telegram here: the bot's handlers (bot/telegram/history_handlers.py) and the command line call
in.

- :mod:`.records`: the dataclasses and enums that cross this package's border;
- :mod:`.privacy`: the secret key and the keyed hashes that stand in for user and chat ids;
- :mod:`.store`: opening the database (lock, corruption, migrations) and every write;
- :mod:`.schema`: the versioned schema, one migration per version;
- :mod:`.stats`: the /stats and `corpusbot stats` queries, and their text;
- :mod:`.export`: `corpusbot feedback export`, JSON lines in the `eval --qa` format;
- :mod:`.plot`: the optional PNG chart (matplotlib);
- :mod:`.commands`: the `stats` and `feedback export` subcommands.
"""
