"""Settings: config/default.toml, then an optional user file, then environment variables.

Every value is checked against the type of its default, so a typo fails at start-up with one line
naming the setting instead of a traceback deep inside the bot.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from corpusbot.bot.answer import AnswerSettings
from corpusbot.config import BUNDLED_CORPUS, DEFAULT_SETTINGS
from corpusbot.retrieval.analysis import AnalyzerSettings
from corpusbot.retrieval.index import IndexSettings
from corpusbot.retrieval.ingest import FetchSettings
from corpusbot.retrieval.reading import SplitSettings

__all__ = [
    "FeedSettings",
    "FollowSettings",
    "GroupReplies",
    "HistorySettings",
    "Settings",
    "SettingsError",
    "TelegramSettings",
    "checked_base_url",
    "load_settings",
]

log = logging.getLogger(__name__)

ENV_PREFIX = "CORPUSBOT_"
# Environment names that do not follow CORPUSBOT_<SECTION>_<KEY>, kept for convenience.
ENV_ALIASES = {"TELEGRAM_BOT_TOKEN": ("telegram", "token"), "CORPUSBOT_CORPUS": ("corpus", "path")}
# CORPUSBOT_* variables that are no setting: the compiled code's switch and the tests' switches.
OTHER_VARIABLES = frozenset(
    {"CORPUSBOT_KERNEL", "CORPUSBOT_REQUIRE_BROWSER", "CORPUSBOT_WEBCHAT_SCREENSHOT"}
)
# Whole-number settings (counts, sizes, ids) stay within what every consumer can hold.
MAX_WHOLE_NUMBER = 2**63 - 1
TEXT_LISTS = frozenset({"feeds.urls"})  # lists of text; the other lists hold ids


class SettingsError(ValueError):
    """A setting is missing, mistyped or out of range; the message names it."""


class GroupReplies(StrEnum):
    """[telegram] group_replies: where the answer to a question asked in a group goes."""

    IN_GROUP = "group"
    PRIVATE = "private"  # to the asker's private chat, with a short note in the group


@dataclass(frozen=True)
class TelegramSettings:
    """How the bot talks to Telegram and whom it serves (config/default.toml documents each)."""

    token: str
    base_url: str
    allowed_users: tuple[int, ...]
    allowed_chats: tuple[int, ...]
    admins: tuple[int, ...]
    rate_per_minute: float
    rate_burst: int
    max_sends_per_second: float
    chat_ttl_days: float
    group_replies: GroupReplies = GroupReplies.IN_GROUP
    rate_queue: int = 3  # questions per user over the limit answered late, not dropped
    button_rate_per_minute: float = 60.0
    button_burst: int = 15
    follow_up_seconds: float = 600.0  # a message with no subject of its own is read with the
    # same person's question this recent (bot/answer/conversation.py)
    # `run --local` with no admins set: the person at the chat page (each tab its own user) is
    # the machine's owner, so every user of the page may /stats and /reload.
    everyone_admin: bool = False

    def is_admin(self, user_id: int | None) -> bool:
        """Whether `user_id` may use the admin commands."""
        return user_id is not None and (self.everyone_admin or user_id in self.admins)


@dataclass(frozen=True)
class HistorySettings:
    """[history]: where questions and feedback are kept, and for how long (bot/history/)."""

    enabled: bool
    path: Path
    history_days: int


@dataclass(frozen=True)
class FeedSettings:
    """[feeds]: the feeds a running bot polls, besides those added with `corpusbot feeds add`
    (bot/app/feed_poller.py)."""

    urls: tuple[str, ...] = ()
    poll_minutes: float = 30.0


@dataclass(frozen=True)
class FollowSettings:
    """[follows]: how much a follow may send (bot/telegram/follow_handlers.py)."""

    max_alerts_per_day: int = 20
    digest_hour: int = 8
    backlog: int = 2000
    min_share: float = 0.5
    group_admins_only: bool = False


@dataclass(frozen=True)
class Settings:
    corpus: Path
    max_file_bytes: int
    watch_seconds: float
    split: SplitSettings
    index: IndexSettings
    answer: AnswerSettings
    telegram: TelegramSettings
    history: HistorySettings
    follow_outside_links: bool = False  # read linked files whose target is outside the corpus
    fetch: FetchSettings = field(default_factory=FetchSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    follows: FollowSettings = field(default_factory=FollowSettings)

    @property
    def bundled_corpus(self) -> bool:
        """Whether the corpus is the bundled seeds/, which links are never added to."""
        return self.corpus.resolve() == BUNDLED_CORPUS.resolve()


def load_settings(
    user_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    corpus: str | Path | None = None,
) -> Settings:
    """Read the defaults, then `user_file`, then `env` (os.environ by default); `corpus` wins."""
    raw = _read_toml(Path(DEFAULT_SETTINGS))
    if user_file is not None:
        _merge(raw, _read_toml(Path(user_file)), origin=str(user_file))
    _merge(raw, _from_env(os.environ if env is None else env, raw), origin="environment")
    if corpus is not None:
        raw["corpus"]["path"] = str(corpus)
    return _build(raw)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"settings file not found: {path}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"settings file {path} cannot be read: {exc}") from None


def _merge(base: dict[str, Any], override: dict[str, Any], origin: str) -> None:
    for section, values in override.items():
        if section not in base:
            raise SettingsError(f"{origin}: {_unknown_section(base, section)}")
        if not isinstance(values, dict):
            raise SettingsError(
                f"{origin}: {section} = {_short(values)} must be a section: "
                f"write [{section}] on a line, then key = value lines"
            )
        for key, value in values.items():
            if key not in base[section]:
                raise SettingsError(f"{origin}: unknown setting {section}.{key}")
            base[section][key] = _coerce(f"{section}.{key}", value, base[section][key])


def _unknown_section(base: dict[str, Any], name: str) -> str:
    """An unknown section, or a setting written above every section header."""
    owners = [section for section, values in base.items() if name in values]
    if owners:
        return f"setting {name} must go under its section: [{owners[0]}] on the line before it"
    return f"unknown settings section [{name}]; the sections are: {', '.join(base)}"


def _short(value: Any, limit: int = 40) -> str:
    """`value`'s repr, cut: an error message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _from_env(env: Mapping[str, str], defaults: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {}
    for name, (section, key) in ENV_ALIASES.items():
        if env.get(name):
            found.setdefault(section, {})[key] = env[name]
    settings = {
        f"{ENV_PREFIX}{section}_{key}".upper(): (section, key)
        for section, values in defaults.items()
        for key in values
    }
    for name, (section, key) in settings.items():
        if name in env:
            found.setdefault(section, {})[key] = env[name]
    _warn_unknown(env, settings)
    return found


def _warn_unknown(env: Mapping[str, str], settings: Mapping[str, tuple[str, str]]) -> None:
    """A CORPUSBOT_* variable that is no setting is most often a typo: a TOML typo is an error,
    and this one would otherwise be ignored in silence."""
    known = {*settings, *ENV_ALIASES, *OTHER_VARIABLES}
    for name in sorted(env):
        if name.startswith(ENV_PREFIX) and name not in known:
            close = difflib.get_close_matches(name, list(settings), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            log.warning("%s is not a setting and is ignored%s", name, hint)


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Turn `value` (from TOML or an environment string) into the type of `default`."""
    try:
        if isinstance(default, bool):
            return _to_bool(value)
        if isinstance(default, int):
            return _to_int(value)
        if isinstance(default, float):
            if isinstance(value, bool):  # TOML's true is no number, whatever Python says
                raise ValueError(value)
            return float(value)
        if isinstance(default, list):
            items = value.replace(",", " ").split() if isinstance(value, str) else value
            if name in TEXT_LISTS:
                return [_to_text(item) for item in items]
            return [_to_int(item) for item in items]
        if isinstance(value, str):
            return value
    except (TypeError, ValueError, OverflowError):
        pass
    raise SettingsError(f"bad setting {name}={_short(value)}: expected {_type_name(default)}")


def _to_int(value: Any) -> int:
    """A whole number from TOML or the environment: 3, "3" and 3.0 are; 2.5, true and 1e300
    are not."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    number = int(value)
    if abs(number) > MAX_WHOLE_NUMBER:
        raise ValueError(value)
    return number


def _to_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(value)
    return value.strip()


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"1", "true", "yes", "on"}:
        return True
    if str(value).lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)


def _type_name(default: Any) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    return names.get(type(default), "a list of whole numbers (ids), or of links for feeds.urls")


def _check(name: str, ok: bool, value: Any, expected: str) -> None:
    if not ok:
        raise SettingsError(f"bad setting {name}={_short(value)}: expected {expected}")


def _at_least(
    section: str, values: dict[str, Any], key: str, minimum: float, expected: str
) -> None:
    """`section.key` must be `minimum` or more."""
    _check(f"{section}.{key}", values[key] >= minimum, values[key], expected)


def checked_base_url(url: str, name: str = "telegram.base_url") -> str:
    """A Bot API base URL without its trailing slash; `name` is what the error names."""
    _check(
        name, not url or url.startswith(("http://", "https://")), url, "an http:// or https:// URL"
    )
    return url.rstrip("/")


def default_history_path() -> Path:
    """$XDG_DATA_HOME/corpusbot/history.sqlite3, or ~/.local/share/corpusbot/history.sqlite3."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "corpusbot" / "history.sqlite3"


def _history(raw: dict[str, Any]) -> HistorySettings:
    days = raw["history_days"]
    _check("history.history_days", 1 <= days <= 3650, days, "1 to 3650 days")
    path = Path(raw["path"]).expanduser() if raw["path"] else default_history_path()
    return HistorySettings(enabled=raw["enabled"], path=path, history_days=days)


def _fetch(raw: dict[str, Any]) -> FetchSettings:
    for key in ("connect_seconds", "read_seconds", "total_seconds"):
        _check(f"fetch.{key}", 0 < raw[key] <= 600, raw[key], "0 to 600 seconds")
    _check("fetch.max_mb", 0 < raw["max_mb"] <= 1000, raw["max_mb"], "0 to 1000 MB")
    redirects = raw["max_redirects"]
    _check("fetch.max_redirects", 0 <= redirects <= 20, redirects, "0 to 20")
    return FetchSettings(
        allow_private=raw["allow_private"],
        connect_seconds=raw["connect_seconds"],
        read_seconds=raw["read_seconds"],
        total_seconds=raw["total_seconds"],
        max_bytes=int(raw["max_mb"] * 1_000_000),
        max_redirects=redirects,
    )


def _feeds(raw: dict[str, Any]) -> FeedSettings:
    minutes = raw["poll_minutes"]
    _check("feeds.poll_minutes", 1 <= minutes <= 1440, minutes, "1 to 1440 minutes")
    for url in raw["urls"]:
        _check("feeds.urls", url.lower().startswith(("http://", "https://")), url, "http(s) links")
    return FeedSettings(urls=tuple(dict.fromkeys(raw["urls"])), poll_minutes=minutes)


def _follows(raw: dict[str, Any]) -> FollowSettings:
    _at_least("follows", raw, "max_alerts_per_day", 1, "at least 1")
    _at_least("follows", raw, "backlog", 1, "at least 1")
    hour = raw["digest_hour"]
    _check("follows.digest_hour", 0 <= hour <= 23, hour, "an hour from 0 to 23")
    share = raw["min_share"]
    _check("follows.min_share", 0 <= share <= 1, share, "a number from 0 to 1")
    return FollowSettings(
        raw["max_alerts_per_day"], hour, raw["backlog"], share, raw["group_admins_only"]
    )


def _build(raw: dict[str, Any]) -> Settings:
    corpus, passages, analyzer, index, answer, telegram = (
        raw[name] for name in ("corpus", "passages", "analyzer", "index", "answer", "telegram")
    )
    size, overlap = passages["chunk_size"], passages["chunk_overlap"]
    _check("passages.chunk_size", 50 <= size <= 100_000, size, "50 to 100000 characters")
    _check("passages.chunk_overlap", 0 <= overlap < size, overlap, "0 to chunk_size - 1")
    _check("index.k1", 0 <= index["k1"] <= 10, index["k1"], "a number from 0 to 10")
    _check("index.b", 0 <= index["b"] <= 1, index["b"], "a number from 0 to 1")
    _check("index.epsilon", 0 <= index["epsilon"] <= 1, index["epsilon"], "0 to 1")
    _check("index.workers", 0 <= index["workers"] <= 64, index["workers"], "0 to 64")
    _check("corpus.max_file_mb", corpus["max_file_mb"] > 0, corpus["max_file_mb"], "above 0")
    _at_least("corpus", corpus, "watch_seconds", 0, "0 (off) or more seconds")
    for key in ("max_quotes", "max_hits", "max_quote_sentences", "max_quote_chars"):
        _at_least("answer", answer, key, 1, "at least 1")
    for key in ("min_coverage", "duplicate_overlap"):
        _check(f"answer.{key}", 0 <= answer[key] <= 1, answer[key], "a number from 0 to 1")
    _at_least("answer", answer, "max_question_chars", 10, "at least 10")
    _at_least("telegram", telegram, "rate_per_minute", 0, "0 (no limit) or more")
    _at_least("telegram", telegram, "rate_burst", 1, "at least 1")
    _at_least("telegram", telegram, "rate_queue", 0, "0 (no waiting) or more")
    _at_least("telegram", telegram, "button_rate_per_minute", 0, "0 (no limit) or more")
    _at_least("telegram", telegram, "button_burst", 1, "at least 1")
    _at_least("telegram", telegram, "max_sends_per_second", 0, "0 (no limit) or more")
    _at_least("telegram", telegram, "chat_ttl_days", 0, "0 (keep forever) or more days")
    _at_least("telegram", telegram, "follow_up_seconds", 0, "0 (no follow-ups) or more")
    base_url = checked_base_url(telegram["base_url"])
    replies = telegram["group_replies"]
    _check(
        "telegram.group_replies",
        replies in GroupReplies.__members__.values(),
        replies,
        '"group" or "private"',
    )
    try:
        analyzer_settings = AnalyzerSettings.create(
            analyzer["language"], analyzer["stopwords"], lemmas=analyzer["lemmas"]
        )
    except ValueError as exc:
        raise SettingsError(f"bad setting analyzer: {exc}") from None
    return Settings(
        corpus=Path(corpus["path"]).expanduser() if corpus["path"] else BUNDLED_CORPUS,
        max_file_bytes=int(corpus["max_file_mb"] * 1024 * 1024),
        watch_seconds=corpus["watch_seconds"],
        split=SplitSettings(chunk_size=size, chunk_overlap=overlap),
        index=IndexSettings(
            analyzer=analyzer_settings,
            k1=index["k1"],
            b=index["b"],
            epsilon=index["epsilon"],
            cache_dir=Path(index["cache_dir"]).expanduser() if index["cache_dir"] else None,
            workers=index["workers"] or (os.cpu_count() or 1),
        ),
        answer=AnswerSettings(**answer),
        telegram=TelegramSettings(
            token=telegram["token"].strip(),
            base_url=base_url,
            allowed_users=tuple(telegram["allowed_users"]),
            allowed_chats=tuple(telegram["allowed_chats"]),
            admins=tuple(telegram["admins"]),
            rate_per_minute=telegram["rate_per_minute"],
            rate_burst=telegram["rate_burst"],
            rate_queue=telegram["rate_queue"],
            button_rate_per_minute=telegram["button_rate_per_minute"],
            button_burst=telegram["button_burst"],
            max_sends_per_second=telegram["max_sends_per_second"],
            chat_ttl_days=telegram["chat_ttl_days"],
            group_replies=GroupReplies(replies),
            follow_up_seconds=telegram["follow_up_seconds"],
        ),
        history=_history(raw["history"]),
        fetch=_fetch(raw["fetch"]),
        feeds=_feeds(raw["feeds"]),
        follows=_follows(raw["follows"]),
        follow_outside_links=bool(corpus["follow_outside_links"]),
    )
