"""The Telegram layer's settings: the `[telegram]` section of the settings, once checked.

Beside the Telegram layer that uses them; config/settings.py reads and validates them, and imports
nothing from `telegram`, so the other commands load no Telegram code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
