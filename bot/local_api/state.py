"""The server's state: chats and their messages, the update queue, commands and the call log.

One re-entrant lock guards everything, with a condition that is notified on every change so
long polls (``getUpdates`` and the control API's ``wait``) wake up at once.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import ControlError, JsonDict
from .params import MessageText

T = TypeVar("T")

MAX_LOGGED_CALLS = 10_000
"""How many Bot API calls the call log keeps (oldest dropped first)."""
CHAT_ACTION_SECONDS = 5.0
"""How long a chat action shows, unless the bot sends a message first (as in Telegram)."""
NOTICES_KEPT = 20
"""How many answers to button presses (see :attr:`Chat.notices`) a chat keeps."""

_CHAT_TYPES = frozenset({"private", "group", "supergroup"})


@dataclass
class StoredMessage:
    """A message of a chat, from the user or the bot, as the server keeps it."""

    message_id: int
    sender: JsonDict
    from_bot: bool
    date: int
    text: MessageText
    reply_markup: JsonDict | None = None
    reply_to_message_id: int | None = None
    link_preview_options: JsonDict | None = None
    edit_count: int = 0
    edit_date: int | None = None
    version: int = 0
    via_bot: JsonDict | None = None
    """The bot a message was sent through in inline mode (see :mod:`.inline`)."""


@dataclass
class Chat:
    """A chat: its Telegram ``Chat`` object and messages; ``version`` grows on every change."""

    chat_id: int
    info: JsonDict
    chat_instance: str
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    version: int = 0
    action: str | None = None
    """The bot's current chat action ("typing" ...), set by ``sendChatAction``."""
    action_until: float = 0.0
    """``time.monotonic()`` at which :attr:`action` ends."""
    action_seq: int = 0
    """A number that grows whenever :attr:`action` is set or cleared."""
    notices: deque[JsonDict] = field(default_factory=lambda: deque(maxlen=NOTICES_KEPT))
    """The bot's answers to button presses that carry a text (``answerCallbackQuery``), each
    ``{"seq", "text", "show_alert"}``: a Telegram client shows them as a toast or an alert."""
    notice_seq: int = 0
    """The ``seq`` of the latest notice."""
    admins: set[int] = field(default_factory=set)
    """A group's administrators (user ids), for ``getChatMember``; set by the control side."""


class ServerState:
    """Everything the server remembers, behind one lock.

    Methods whose names start with ``locked_`` expect the caller to hold :attr:`lock`
    (it is re-entrant, so taking it again is harmless); the others take it themselves.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        # One more condition per chat, on the same lock: a chat's waiters (a user in a test or
        # load run, a browser page) wake for that chat's changes only, not for every chat's.
        self.chat_changed: dict[int, threading.Condition] = {}
        self.chats: dict[int, Chat] = {}
        self.updates: list[JsonDict] = []
        self.update_ids = itertools.count(1)
        self.query_ids = itertools.count(1)
        self.open_queries: dict[str, int] = {}
        """Callback queries not answered yet: query id -> the chat of the pressed button."""
        self.commands: dict[str, list[JsonDict]] = {}
        self.calls: deque[JsonDict] = deque(maxlen=MAX_LOGGED_CALLS)
        self.paused = False
        self.stopping = False

    # ---------------------------------------------------------------- changes

    def locked_touch(self, chat: Chat, record: StoredMessage) -> None:
        """Give ``record`` the chat's next version and wake its waiters and the general ones."""
        chat.version += 1
        record.version = chat.version
        self.locked_notify(chat.chat_id)

    def locked_notify(self, chat_id: int | None = None) -> None:
        """Wake the general waiters and those of ``chat_id`` (None: of every chat)."""
        self.changed.notify_all()
        conditions = (
            self.chat_changed.values()
            if chat_id is None
            else [self.chat_changed[chat_id]]
            if chat_id in self.chat_changed
            else []
        )
        for condition in conditions:
            condition.notify_all()

    def _chat_condition(self, chat_id: int) -> threading.Condition:
        with self.lock:
            return self.chat_changed.setdefault(chat_id, threading.Condition(self.lock))

    def locked_store_message(
        self,
        chat: Chat,
        *,
        sender: JsonDict,
        from_bot: bool,
        text: MessageText,
        reply_markup: JsonDict | None = None,
        reply_to_message_id: int | None = None,
        link_preview_options: JsonDict | None = None,
    ) -> StoredMessage:
        """Add a message to ``chat`` with the chat's next message id."""
        record = StoredMessage(
            message_id=chat.next_message_id,
            sender=dict(sender),
            from_bot=from_bot,
            date=int(time.time()),
            text=text,
            reply_markup=reply_markup,
            reply_to_message_id=reply_to_message_id,
            link_preview_options=link_preview_options,
        )
        chat.next_message_id += 1
        chat.messages[record.message_id] = record
        self.locked_touch(chat, record)
        return record

    def locked_set_action(self, chat: Chat, action: str | None) -> None:
        """Show the bot's chat ``action`` for :data:`CHAT_ACTION_SECONDS` (None: clear it)."""
        if action is None and chat.action is None:
            return
        chat.action = action
        chat.action_until = time.monotonic() + CHAT_ACTION_SECONDS if action else 0.0
        chat.action_seq += 1
        self.locked_notify(chat.chat_id)

    def locked_add_notice(self, chat_id: int, text: str, *, show_alert: bool) -> None:
        """Keep the bot's answer to a button press in ``chat_id`` for the page to show."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return
        chat.notice_seq += 1
        chat.notices.append({"seq": chat.notice_seq, "text": text, "show_alert": show_alert})
        self.locked_notify(chat_id)

    def notices_since(self, chat_id: int, seq: int) -> tuple[list[JsonDict], int]:
        """The chat's notices after ``seq`` (oldest first), and the latest notice's seq."""
        with self.lock:
            chat = self.chats.get(chat_id)
            if chat is None:
                return [], 0
            return [dict(n) for n in chat.notices if n["seq"] > seq], chat.notice_seq

    def locked_enqueue(self, payload: JsonDict) -> JsonDict:
        """Queue an update for ``getUpdates`` with the next update id."""
        update = {"update_id": next(self.update_ids), **payload}
        self.updates.append(update)
        self.changed.notify_all()
        return update

    def locked_confirm_updates(self, offset: int | None) -> None:
        """Forget updates as Telegram does for a ``getUpdates`` offset."""
        if offset is None:
            return
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def locked_ensure_chat(self, chat_id: int, chat_type: str | None, user: JsonDict) -> Chat:
        """The chat with ``chat_id``, created (private by default) when it is new."""
        chat = self.chats.get(chat_id)
        if chat is not None:
            return chat
        kind = chat_type or "private"
        if kind not in _CHAT_TYPES:
            raise ControlError(f"chat_type must be one of {sorted(_CHAT_TYPES)}")
        info: JsonDict = {"id": chat_id, "type": kind}
        if kind == "private":
            info["first_name"] = user.get("first_name", "Local User")
            if user.get("username"):
                info["username"] = user["username"]
        else:
            info["title"] = f"Local {kind} {chat_id}"
        chat = Chat(chat_id, info, chat_instance=str(7_000_000_000 + abs(chat_id)))
        self.chats[chat_id] = chat
        return chat

    # ---------------------------------------------------------------- views

    def telegram_message(
        self, chat: Chat, record: StoredMessage, *, nested: bool = False
    ) -> JsonDict:
        """The Message object Telegram would send for ``record``."""
        message: JsonDict = {
            "message_id": record.message_id,
            "from": dict(record.sender),
            "chat": dict(chat.info),
            "date": record.date,
            "text": record.text.visible,
        }
        if record.text.entities:
            message["entities"] = copy.deepcopy(record.text.entities)
        if record.link_preview_options:
            message["link_preview_options"] = copy.deepcopy(record.link_preview_options)
        if record.edit_date is not None:
            message["edit_date"] = record.edit_date
        if record.reply_markup and "inline_keyboard" in record.reply_markup:
            message["reply_markup"] = copy.deepcopy(record.reply_markup)
        if record.via_bot:
            message["via_bot"] = dict(record.via_bot)
        target = chat.messages.get(record.reply_to_message_id or 0)
        if target is not None and not nested:
            message["reply_to_message"] = self.telegram_message(chat, target, nested=True)
        return message

    @staticmethod
    def control_message(chat: Chat, record: StoredMessage) -> JsonDict:
        """The control API view of a stored message."""
        return {
            "chat_id": chat.chat_id,
            "message_id": record.message_id,
            "from_bot": record.from_bot,
            "from": dict(record.sender),
            "date": record.date,
            "text": record.text.source,
            "plain_text": record.text.visible,
            "parse_mode": record.text.parse_mode,
            "entities": copy.deepcopy(record.text.entities),
            "reply_markup": copy.deepcopy(record.reply_markup),
            "reply_to_message_id": record.reply_to_message_id,
            "edited": record.edit_count,
            "edit_date": record.edit_date,
            "version": record.version,
            "via_bot": copy.deepcopy(record.via_bot),
        }

    # ---------------------------------------------------------------- queries

    def messages(
        self, chat_id: int, *, after: int | None = None, since_version: int | None = None
    ) -> list[JsonDict]:
        """The chat's messages in order (user's and bot's), in the control view.

        ``after`` keeps messages with a larger id; ``since_version`` keeps messages created
        or edited after that chat version.
        """
        with self.lock:
            chat = self.chats.get(chat_id)
            if chat is None:
                return []
            return [
                self.control_message(chat, record)
                for record in chat.messages.values()
                if (after is None or record.message_id > after)
                and (since_version is None or record.version > since_version)
            ]

    def chat_version(self, chat_id: int) -> int:
        """A number that grows whenever a message of the chat is added or edited."""
        with self.lock:
            chat = self.chats.get(chat_id)
            return chat.version if chat else 0

    def chat_action(self, chat_id: int) -> tuple[str | None, float, int]:
        """The bot's current action in the chat, seconds it has left, and its sequence number."""
        with self.lock:
            chat = self.chats.get(chat_id)
            if chat is None:
                return None, 0.0, 0
            left = chat.action_until - time.monotonic()
            if chat.action is None or left <= 0:
                return None, 0.0, chat.action_seq
            return chat.action, left, chat.action_seq

    def wait_for_chat_activity(
        self,
        chat_id: int,
        since_version: int,
        since_action: int,
        timeout: float,
        *,
        since_notice: int | None = None,
    ) -> None:
        """Block up to ``timeout`` seconds until a message, the chat action or (when
        ``since_notice`` is given) the chat's notices change.

        Returns at once when the caller is ahead of the chat (it saw an earlier server and must
        start over rather than wait for numbers this one may take long to reach).
        """

        def changed() -> bool:
            chat = self.chats.get(chat_id)
            version, action_seq = (chat.version, chat.action_seq) if chat else (0, 0)
            notice_seq = chat.notice_seq if chat else 0
            return (
                self.stopping
                or version != since_version
                or action_seq != since_action
                or (since_notice is not None and notice_seq != since_notice)
            )

        condition = self._chat_condition(chat_id)
        with condition:
            condition.wait_for(changed, timeout)

    def wait_for(self, predicate: Callable[[], T], timeout: float) -> T:
        """Wait until ``predicate()`` is truthy and return its value.

        The predicate is evaluated under the lock after every change, so it must be quick.
        Raises :class:`TimeoutError` after ``timeout`` seconds.
        """
        with self.changed:
            result = self.changed.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"condition not met within {timeout} s")
        return result

    def wait_for_chat_change(self, chat_id: int, since_version: int, timeout: float) -> None:
        """Block up to ``timeout`` seconds until the chat's version exceeds ``since_version``."""
        condition = self._chat_condition(chat_id)
        with condition:
            condition.wait_for(
                lambda: self.stopping or self.chat_version(chat_id) > since_version, timeout
            )

    def wait_for_bot_messages(
        self, chat_id: int, count: int, timeout: float, *, after: int | None = None
    ) -> list[JsonDict]:
        """Wait for at least ``count`` bot messages in the chat and return them all.

        Only messages with an id above ``after`` count; by default, above the chat's last
        message at the time of the call.
        """
        with self.lock:
            if after is None:
                chat = self.chats.get(chat_id)
                after = max(chat.messages, default=0) if chat else 0

        def bot_messages() -> list[JsonDict]:
            return [m for m in self.messages(chat_id, after=after) if m["from_bot"]]

        def arrived() -> bool:
            chat = self.chats.get(chat_id)
            return (
                chat is not None
                and sum(1 for number, m in chat.messages.items() if number > after and m.from_bot)
                >= count
            )

        condition = self._chat_condition(chat_id)
        try:
            with condition:
                if (
                    not condition.wait_for(lambda: self.stopping or arrived(), timeout)
                    or not arrived()
                ):
                    raise TimeoutError
        except TimeoutError:
            got = [m["text"] for m in bot_messages()]
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} after message {after} "
                f"within {timeout} s, got {len(got)}: {got!r}"
            ) from None
        return bot_messages()

    def call_log(self, method: str | None = None) -> list[JsonDict]:
        """The Bot API calls received (oldest first), optionally only those of ``method``."""
        with self.lock:
            return [
                copy.deepcopy(call)
                for call in self.calls
                if method is None or call["method"].lower() == method.lower()
            ]

    def pending_updates(self) -> list[JsonDict]:
        """Updates queued and not yet confirmed by the bot."""
        with self.lock:
            return copy.deepcopy(self.updates)
