"""`[telegram] group_replies = "private"`: a question asked in a group is answered in the asker's
private chat, with a short note in the group; a user who never started the bot privately (so the
bot may not write to them) is told so in the group, with a link that starts it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Chat, Message, ReplyParameters, User
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError

from corpusbot.bot.answer import escape
from corpusbot.bot.telegram.bot_state import AnyContext, service_of
from corpusbot.config.settings import GroupReplies

log = logging.getLogger("corpusbot.telegram")

Context = AnyContext
START_PARAMETER = "private"  # /start's deep-link parameter from the group's note
SENT = "📬 {user}, I sent you the answer in a private chat."
START_FIRST = (
    "📬 {user}, I answer questions from this group privately, but you have not started a chat "
    'with me yet. <a href="{link}">Open a chat with me</a>, press Start, then ask again.'
)

AnswerIn = Callable[[Chat], Awaitable[None]]
# bot_data: the users of allowed groups answered (or to be answered) in their private chat. The
# allow-list lets them in there too: their answer's buttons, and the /start the note asks for.
ON_BEHALF = "answered_on_behalf_of_a_group"


def speaks_for_a_group(context: Context, user_id: int | None) -> bool:
    """Whether `user_id` asked in a group whose answers go to their private chat."""
    users: set[int] = context.bot_data.get(ON_BEHALF, set())
    return user_id is not None and user_id in users


def answers_privately(context: Context, chat: Chat) -> bool:
    settings = service_of(context).settings.telegram
    return chat.type != Chat.PRIVATE and settings.group_replies == GroupReplies.PRIVATE


async def answered_privately(
    context: Context, message: Message, user: User | None, answer_in: AnswerIn
) -> bool:
    """When the settings say so and `message` is in a group: answer in the asker's private chat
    (with `answer_in`), leave a note in the group, and return True. False: answer as usual."""
    if user is None or not answers_privately(context, message.chat):
        return False
    context.bot_data.setdefault(ON_BEHALF, set()).add(user.id)  # its buttons, its /start
    try:  # the cheapest request that fails when the bot may not write to the user
        await context.bot.send_chat_action(user.id, ChatAction.TYPING)
    except (Forbidden, BadRequest) as exc:
        log.info("cannot answer user=%s privately: %s", user.id, exc)
        link = f"https://t.me/{context.bot.username}?start={START_PARAMETER}"
        await _note(message, START_FIRST.format(user=user.mention_html(), link=escape(link)))
        return True
    await answer_in(Chat(user.id, Chat.PRIVATE))
    await _note(message, SENT.format(user=user.mention_html()))
    return True


async def _note(message: Message, text: str) -> None:
    with contextlib.suppress(TelegramError):  # the answer (if any) went out; the note is extra
        await message.get_bot().send_message(
            message.chat.id,
            text,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        )
