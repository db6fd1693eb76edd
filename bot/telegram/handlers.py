"""The bot's handlers: commands, questions, buttons, the allow-list and the error handler.

Handlers reach the service through their typed context (``context.service``,
bot/telegram/bot_state.py) at call time, never keeping an index, so a reload can swap it; composing
an answer runs in a worker thread to keep the bot responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from functools import partial
from typing import Any

from telegram import CallbackQuery, Chat, Message, MessageEntity, ReplyParameters, Update, User
from telegram.constants import ChatAction
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from corpusbot.bot.answer import (
    TELEGRAM_LIMIT,
    TITLE_CHARS,
    Turn,
    clip_escaped,
    conversation,
    counted,
    follow_up_note,
    render_html,
    utf16_length,
)
from corpusbot.bot.history import AnswerPage
from corpusbot.bot.telegram import (
    article_buttons,
    follow_handlers,
    followups,
    group_replies,
    history_handlers,
    keyboards,
    messages,
)
from corpusbot.bot.telegram.bot_state import BotContext, ChatData
from corpusbot.bot.telegram.keyboards import Button
from corpusbot.bot.telegram.ratelimit import RateDecision, RateLimiter
from corpusbot.bot.telegram.redaction import TokenRedactor
from corpusbot.retrieval.ingest import add_links

log = logging.getLogger("corpusbot.telegram")

REFUSAL_SECONDS = 3600.0  # a stranger is told at most once an hour
ADMIN_REPORT_SECONDS = 60.0
ASKED_KEPT = 100  # questions remembered per chat, for their "More" buttons
EXAMPLES = 3
MAX_ADD_LINKS = 10  # links one /add fetches
DROP_NOTE_DELAY = 1.0  # seconds a "N dropped" note waits, to count the rest of a burst

Context = BotContext


def message_of(update: Update) -> Message:
    """The update's message: these handlers are registered only for updates that carry one."""
    message = update.effective_message
    if message is None:
        raise ValueError(f"update {update.update_id} carries no message")
    return message


# --- commands ------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    service = context.service
    examples = service.examples(EXAMPLES)
    await message_of(update).reply_html(
        messages.welcome(service.index.articles, bool(examples)),
        reply_markup=keyboards.examples_keyboard(examples),
    )


async def help_command(update: Update, context: Context) -> None:
    example = context.service.context.example
    await message_of(update).reply_html(messages.help_text(example))


async def sources(update: Update, context: Context) -> None:
    # Off the event loop: a million articles take a second to list, and the others wait not.
    page = await asyncio.to_thread(messages.sources_page, context.service.index.articles, 0)
    await message_of(update).reply_html(
        page.text, reply_markup=keyboards.pages_keyboard(page.page, page.pages)
    )


async def latest(update: Update, context: Context) -> None:
    """/latest: the newest articles (news: bot/messages.latest_list), listed off the loop."""
    listing = await asyncio.to_thread(messages.latest_list, context.service.index.articles)
    await message_of(update).reply_html(listing)


async def source(update: Update, context: Context) -> None:
    """/source N: article N in pages, as its Full article button opens it."""
    index = context.service.index
    count = len(index.articles)
    raw = " ".join(context.args or [])
    markup = None
    if not raw:
        text = messages.source_usage(count)
    elif raw.isascii() and raw.isdigit() and 1 <= int(raw) <= count:
        article = index.articles[int(raw) - 1]
        # read in a worker thread: a long article must not hold up the other users
        page = await asyncio.to_thread(article_buttons.full_article_message, index, article)
        text, markup = page if page is not None else (messages.no_such_source(raw, count), None)
    else:
        text = messages.no_such_source(raw, count)
    await message_of(update).reply_html(text, reply_markup=markup)


async def ask_command(update: Update, context: Context) -> None:
    """/ask QUESTION, in any chat."""
    message = message_of(update)
    parts = (message.text or "").split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    late = answered_late(update, context)
    await answer_in_group(context, message, question, update.effective_user, late=late)


async def unknown_command(update: Update, context: Context) -> None:
    await message_of(update).reply_html(messages.UNKNOWN_COMMAND)


async def not_text(update: Update, context: Context) -> None:
    await message_of(update).reply_html(messages.NOT_TEXT)


# --- questions -----------------------------------------------------------------------------


async def private_question(update: Update, context: Context) -> None:
    """Any plain message in a private chat is a question."""
    message = message_of(update)
    replied = await followups.replied_answer(context, message)
    scope = replied.articles if replied else None
    question, about = in_conversation(context, update.effective_user, message.text or "", replied)
    await answer(
        context,
        message.chat,
        question,
        user=update.effective_user,
        scope=scope,
        about=about,
        late=answered_late(update, context),
    )


def in_conversation(
    context: Context, user: User | None, text: str, replied: followups.RepliedAnswer | None
) -> tuple[str, str | None]:
    """`text` as a question, read with the person's last question when it is a follow-up of it
    (bot/answer/conversation.py), and what it is about then; the question is remembered for the
    next. A reply to an answer is read with that answer's question instead, whenever it was asked,
    and searches its articles first (bot/telegram/followups.py)."""
    if user is None or context.chat_data is None:
        return text, None
    turns = context.chat_data.turns
    window = context.service.settings.telegram.follow_up_seconds
    now = time.time()
    earlier = turns.get(user.id)
    if replied is not None:
        earlier = Turn(replied.question, now) if replied.question else None
    analyzer = context.service.index.analyzer
    found = conversation.follow_up(text, earlier, analyzer, now=now, window=window)
    question = found.question if found else text
    turns.pop(user.id, None)  # re-inserted last: the dict stays in order of last question
    turns[user.id] = Turn(question, now)
    while len(turns) > ASKED_KEPT:
        del turns[next(iter(turns))]
    return question, found.about if found else None


async def group_message(update: Update, context: Context) -> None:
    """In groups, answer mentions of the bot and replies to it; stay silent otherwise."""
    message = message_of(update)
    if not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    question = strip_mention(message, context.bot.username)
    late = answered_late(update, context)
    await answer_in_group(context, message, question, update.effective_user, late=late)


async def answer_in_group(
    context: Context, message: Message, question: str, user: User | None, *, late: bool = False
) -> None:
    """Answer `message` in its chat, or privately when [telegram] group_replies says so."""
    replied = await followups.replied_answer(context, message)
    scope = replied.articles if replied else None
    question, about = in_conversation(context, user, question, replied)
    if await group_replies.answered_privately(  # hook: group_replies = "private"
        context,
        message,
        user,
        lambda chat: answer(
            context, chat, question, user=user, scope=scope, about=about, late=late
        ),
    ):
        return
    await answer(
        context,
        message.chat,
        question,
        reply_to=message,
        user=user,
        scope=scope,
        about=about,
        late=late,
    )


def addressed_to_bot(message: Message, bot_id: int, username: str | None) -> bool:
    """A command (not for another bot), a mention of the bot, or a reply to one of its messages."""
    if message.chat.type == Chat.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot_id:
        return True
    for entity, text in message.parse_entities().items():
        if (
            entity.type == MessageEntity.BOT_COMMAND
            and entity.offset == 0
            and _command_for(text, username)
        ):
            return True
        if (
            entity.type == MessageEntity.MENTION
            and username
            and text.lower() == f"@{username.lower()}"
        ):
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
    return False


def _command_for(command: str, username: str | None) -> bool:
    """Whether `/command` or `/command@name` is for this bot (`/start@otherbot` is not)."""
    _, at, name = command.partition("@")
    return not at or (username is not None and name.lower() == username.lower())


def strip_mention(message: Message, username: str | None) -> str:
    text = message.text or ""
    if username:
        for value in message.parse_entities([MessageEntity.MENTION]).values():
            if value.lower() == f"@{username.lower()}":
                text = text.replace(value, " ")
    return text


async def answer(
    context: Context,
    chat: Chat,
    question: str,
    *,
    start: int = 0,
    ref: int | None = None,
    reply_to: Message | None = None,
    asked_by_button: bool = False,
    user: User | None = None,
    scope: frozenset[str] | None = None,
    about: str | None = None,
    in_chat: bool = False,
    late: bool = False,
) -> None:
    """Compose (in a thread) and send one page of quotes, with a More button if there are more.

    `scope`: the articles of the answer a follow-up question replies to, searched first.
    `about`: a follow-up's subject, named above the quotes. `in_chat`: `ref` numbers a question
    kept in the chat's memory, not in the history database. `late`: it waited for the asker's
    rate limit, and the reply says so."""
    service = context.service
    began = time.perf_counter()
    with contextlib.suppress(TelegramError):  # "typing…" is a courtesy; the answer matters
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    follow_up = await followups.ask(context, question, scope) if scope else None  # hook
    reply = follow_up.answer if follow_up else await asyncio.to_thread(service.ask, question)
    head = (
        f"❓ <i>{clip_escaped(question, TITLE_CHARS)}</i>\n\n"
        if asked_by_button
        else (follow_up_note(follow_up) if follow_up else "")
        + (f"💬 <i>About {clip_escaped(about, TITLE_CHARS)}:</i>\n\n" if about else "")
    )
    if late:
        head = messages.LATE + head
    limit = TELEGRAM_LIMIT - utf16_length(head)
    count = service.settings.answer.max_quotes
    rendered = render_html(reply, service.context, start, count, limit=limit)
    if reply.answered and rendered.shown == 0:  # a "More" from before a reload, past the end
        await context.bot.send_message(chat.id, messages.STALE_BUTTON)
        return
    more = start + rendered.shown
    # history hook (bot/telegram/history_handlers.py): the answer's id in the history database,
    # which then numbers the "More" button (so it works after a restart) and the 👍/👎 buttons.
    answer_id = await history_handlers.answer_id(
        context, chat, user, reply, start=start, ref=ref, shown=rendered.shown, scope=scope
    )
    markup = None
    if more < rendered.total:  # remembered before sending: the button may be pressed at once
        if ref is None and answer_id is not None:
            ref = answer_id
        elif ref is None:  # history off, or its write failed: kept in the chat's memory
            ref, in_chat = remember_question(context.chat_data, reply.question, scope), True
        markup = keyboards.more_keyboard(more, ref, in_chat=in_chat)
    markup = article_buttons.with_article_row(service.index, markup, reply, start)  # hook
    if start == 0:  # follows hook: 🔔 Follow the question, on its first page
        markup = follow_handlers.with_follow_button(
            context, markup, answer_id, reply.answered, chat_id=chat.id
        )
    page = AnswerPage(start, rendered.shown)
    markup = history_handlers.with_feedback(
        context, markup, answer_id, reply.answered, chat_id=chat.id, page=page
    )
    quoted = reply_to is not None and chat.type != Chat.PRIVATE
    await context.bot.send_message(
        chat.id,
        head + rendered.text,
        reply_markup=markup,
        reply_parameters=ReplyParameters(reply_to.message_id, allow_sending_without_reply=True)
        if reply_to is not None and quoted
        else None,
    )
    await history_handlers.tell_once_if_off(context, chat.id)  # history hook
    log.info(
        "question chat=%s latency_ms=%.0f quotes=%d shown=%d answered=%s",
        chat.id,
        (time.perf_counter() - began) * 1000,
        rendered.total,
        rendered.shown,
        reply.answered,
    )


def remember_question(
    chat_data: ChatData | None, question: str, scope: frozenset[str] | None = None
) -> int:
    """Keep `question` (and a follow-up's `scope`) for its "More" button, the last ASKED_KEPT
    per chat; its number."""
    if chat_data is None:
        return 0
    asked = chat_data.asked
    ref = next(reversed(asked), 0) + 1
    asked[ref] = question
    if scope:
        chat_data.scopes[ref] = scope
    while len(asked) > ASKED_KEPT:
        forgotten, _ = asked.popitem(last=False)
        chat_data.scopes.pop(forgotten, None)
    return ref


# --- buttons -------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} carries no button press")
    pressed = keyboards.decode(query.data or "")
    message = query.message
    if pressed is None or message is None or not isinstance(message, Message):
        await query.answer(messages.STALE_BUTTON)
        return
    if pressed.kind == keyboards.SOURCES:
        await _turn_sources_page(query, context, pressed)
    elif pressed.kind == keyboards.ASK:
        await _ask_example(update, query, message, context, pressed)
    else:
        await _more(update, query, message, context, pressed)


async def _turn_sources_page(query: CallbackQuery, context: Context, pressed: Button) -> None:
    await query.answer()
    articles = context.service.index.articles
    page = await asyncio.to_thread(messages.sources_page, articles, pressed.value)
    try:
        await query.edit_message_text(
            page.text, reply_markup=keyboards.pages_keyboard(page.page, page.pages)
        )
    except BadRequest as exc:  # the same button pressed twice: the page already shows
        if "not modified" not in exc.message.lower():
            raise


async def _ask_example(
    update: Update, query: CallbackQuery, message: Message, context: Context, pressed: Button
) -> None:
    examples = context.service.examples(EXAMPLES)
    if pressed.value >= len(examples):
        await query.answer(messages.STALE_BUTTON)
        return
    await query.answer()
    await answer(
        context,
        message.chat,
        examples[pressed.value],
        asked_by_button=True,
        user=update.effective_user,
    )


async def _more(
    update: Update, query: CallbackQuery, message: Message, context: Context, pressed: Button
) -> None:
    """The next quotes as a new message; the old message keeps its quotes but loses the button."""
    in_chat = pressed.kind == keyboards.MORE_IN_CHAT
    kept = await _kept_question(context, message.chat.id, pressed.ref, in_chat=in_chat)
    if kept is None:
        await query.answer(messages.STALE_BUTTON)
        return
    question, scope = kept
    await query.answer()
    with contextlib.suppress(TelegramError):  # the old answer keeps its 👍/👎 (history hook)
        await query.edit_message_reply_markup(
            reply_markup=history_handlers.without_more(message.reply_markup)
        )
    await answer(
        context,
        message.chat,
        question,
        start=pressed.value,
        ref=pressed.ref,
        user=update.effective_user,
        scope=scope,
        in_chat=in_chat,
    )


async def _kept_question(
    context: Context, chat_id: int, ref: int, *, in_chat: bool
) -> tuple[str, frozenset[str] | None] | None:
    """The question behind a "More" button and, for a follow-up, the articles it searched first
    (so the next page comes from the same search); None when it is no longer kept. `in_chat`:
    a number of the chat's memory, never looked up in the database (its numbers are others)."""
    # history hook: from the database when history is on (it survives restarts), else chat_data
    if not in_chat:
        question = await history_handlers.kept_question(context, chat_id, ref)
        if question is not None:
            return question, await history_handlers.kept_scope(context, chat_id, ref)
    chat_data = context.chat_data
    if chat_data is None or ref not in chat_data.asked:
        return None
    return chat_data.asked[ref], chat_data.scopes.get(ref)


# --- rate limit and reload ------------------------------------------------------------------


async def within_rate(update: Update, context: Context) -> bool:
    """Whether `update` may be handled now. Button presses spend a budget of their own.
    A question over the limit waits, a few a user, and is taken up again once the user's
    budget allows (answered late, with a note); past that it is dropped, and the user is told
    how many were, at most once a minute. A button press over its limit is answered, silently
    after the first notice (a client's spinner must stop)."""
    state = context.state
    user = update.effective_user
    if user is None or update.update_id in state.late:
        return True
    pressed = update.callback_query is not None
    limiter = state.button_limiter if pressed else state.limiter
    if limiter is None:
        return True
    decision = limiter.check(user.id)
    if decision is RateDecision.ALLOW:
        return True
    log.info("rate limited user=%s (%s)", user.id, decision)
    if update.callback_query:
        seconds = max(1, round(limiter.retry_after(user.id)))
        notice = messages.SLOW_DOWN_BUTTONS.format(wait=counted(seconds, "second"))
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(
                notice if decision is RateDecision.NOTIFY else None,
                show_alert=decision is RateDecision.NOTIFY,
            )
    elif update.inline_query:  # no cards, at once, rather than a spinner
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.effective_message:
        await _wait_or_drop(update, context, limiter, user.id)
    return False


async def _wait_or_drop(
    update: Update, context: Context, limiter: RateLimiter, user_id: int
) -> None:
    """A message over the limit: held for later if the user's line has room, else dropped and
    counted; one note tells how many, at most once a minute, so none is dropped unsaid."""
    state = context.state
    if state.waiting.hold(user_id):
        wait = limiter.retry_after(user_id)
        limiter.spend(user_id)  # the token it waits for is its own
        _later(context, _take_up_late(update, context, wait, user_id))
        return
    if state.waiting.drop(user_id):  # the first since the last note: a note will follow
        delay = max(DROP_NOTE_DELAY, state.drop_notes.wait(user_id))
        _later(context, _tell_dropped(message_of(update), context, limiter, user_id, delay))


def _later(context: Context, work: Coroutine[Any, Any, None]) -> None:
    """Run `work` beside the updates; not PTB's create_task, whose tasks a stop waits for: a
    question waiting a minute for its turn must not hold up a SIGTERM (state.delayed are
    cancelled when the bot stops)."""
    task = asyncio.get_running_loop().create_task(work)
    context.state.delayed.add(task)
    task.add_done_callback(context.state.delayed.discard)


async def _tell_dropped(
    message: Message, context: Context, limiter: RateLimiter, user_id: int, delay: float
) -> None:
    """After `delay` (the rest of a burst is counted too), how many questions were dropped."""
    await asyncio.sleep(delay)
    state = context.state
    state.drop_notes.due(user_id)  # told now: the next note a minute on at the earliest
    dropped = state.waiting.told(user_id)
    seconds = max(1, round(limiter.retry_after(user_id)))
    text = messages.DROPPED.format(
        count=counted(dropped, "message"), wait=counted(seconds, "second")
    )
    with contextlib.suppress(TelegramError):
        await message.reply_html(text)


async def _take_up_late(update: Update, context: Context, wait: float, user_id: int) -> None:
    """Handle `update` again once `wait` seconds passed, past the limit it already paid."""
    state = context.state
    try:
        await asyncio.sleep(wait)
        state.late.add(update.update_id)
        await context.application.process_update(update)
    finally:
        state.late.discard(update.update_id)
        state.waiting.release(user_id)


def answered_late(update: Update, context: Context) -> bool:
    """Whether `update` is a question taken up late, after waiting for the user's budget."""
    return update.update_id in context.state.late


async def reload_command(update: Update, context: Context) -> None:
    """/reload (admins only): re-read the corpus off the event loop, report what changed."""
    service = context.service
    user = update.effective_user
    if user is None or not service.settings.telegram.is_admin(user.id):
        await message_of(update).reply_html(messages.ADMINS_ONLY)
        return
    before = len(service.index.articles)
    status = await message_of(update).reply_html(messages.RELOADING)
    result = await asyncio.to_thread(service.reload)
    log.info(
        "reload by user=%s ok=%s %s", user.id, result.ok, result.error or result.changes.summary()
    )
    await status.edit_text(messages.reload_report(result, before))


async def add_command(update: Update, context: Context) -> None:
    """/add URL... (admins only): fetch the pages into the corpus folder, then take them in."""
    service = context.service
    user = update.effective_user
    message = message_of(update)
    if user is None or not service.settings.telegram.is_admin(user.id):
        await message.reply_html(messages.ADD_ADMINS_ONLY)
        return
    if service.settings.bundled_corpus:
        await message.reply_html(messages.ADD_TO_BUNDLED)
        return
    links = list(context.args or [])[:MAX_ADD_LINKS]
    if not links:
        await message.reply_html(messages.ADD_USAGE)
        return
    status = await message.reply_html(messages.ADDING.format(links=counted(len(links), "link")))
    settings = service.settings
    report = await asyncio.to_thread(add_links, settings.corpus, links, settings.fetch)
    written = [article.path for article in (*report.added, *report.replaced)]
    if written:  # the new articles answer at once
        await asyncio.to_thread(partial(service.reload, changed=written))
    log.info(
        "add by user=%s: %d added, %d replaced, %d skipped",
        user.id,
        len(report.added),
        len(report.replaced),
        len(report.skipped),
    )
    await status.edit_text(messages.add_report(report))


# --- allow-list and errors -----------------------------------------------------------------


def is_allowed(
    user_id: int | None, chat_id: int | None, users: tuple[int, ...], chats: tuple[int, ...]
) -> bool:
    """Everyone when both lists are empty; otherwise a listed user or a listed chat."""
    if not users and not chats:
        return True
    return (user_id is not None and user_id in users) or (chat_id is not None and chat_id in chats)


async def gate(update: Update, context: Context) -> None:
    """Runs before every other handler, for every update: drops group messages that are not
    for this bot, refuses strangers (at most once an hour each), and counts every update
    against its user's rate limit. Stops the update unless it may go on."""
    state = context.state
    state.last_update_id = max(state.last_update_id, update.update_id)
    message = update.effective_message
    if (
        update.callback_query is None
        and message is not None
        and not addressed_to_bot(message, context.bot.id, context.bot.username)
    ):
        raise ApplicationHandlerStop  # group chatter, commands for other bots
    telegram = context.service.settings.telegram
    user, chat = update.effective_user, update.effective_chat
    allowed = is_allowed(
        user.id if user else None,
        chat.id if chat else None,
        telegram.allowed_users,
        telegram.allowed_chats,
    )
    # A user of an allowed group answered in private on its behalf may use that private chat.
    if not allowed and chat is not None and chat.type == Chat.PRIVATE:
        allowed = group_replies.speaks_for_a_group(context, user.id if user else None)
    # Anyone may delete what the bot keeps about them: a user taken off the allow-list too.
    if not allowed and not _is_forget(message):
        await refuse(update, context)
        raise ApplicationHandlerStop
    if not await within_rate(update, context):
        raise ApplicationHandlerStop
    forget_quiet_chats(update, context)


def _is_forget(message: Message | None) -> bool:
    """Whether `message` is the /forget command (for this bot, or with no bot named)."""
    command = (message.text or "").split(maxsplit=1)[0] if message and message.text else ""
    return command.casefold().split("@")[0] == "/forget"


def forget_quiet_chats(update: Update, context: Context) -> None:
    """Note this chat's activity; drop the data of chats quiet for `telegram.chat_ttl_days`."""
    expiry = context.state.expiry
    if update.effective_chat is None:
        return
    expiry.seen(update.effective_chat.id)
    if expiry.due():
        for chat_id in expiry.sweep():
            context.application.drop_chat_data(chat_id)
            log.debug("forgot quiet chat %s", chat_id)


async def refuse(update: Update, context: Context) -> None:
    """Tell a user outside the allow-list so, once an hour at most (a flood costs nothing)."""
    user, chat = update.effective_user, update.effective_chat
    who = user.id if user else chat.id if chat else 0
    if not context.state.refusals.due(who):
        if update.callback_query:  # no alert again, but a client's spinner must stop
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        return
    log.info("refused user=%s chat=%s", user.id if user else None, chat.id if chat else None)
    if update.callback_query:
        await update.callback_query.answer(messages.PRIVATE_BOT, show_alert=True)
    elif update.inline_query:  # no cards, at once, rather than a spinner (inline hook)
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.effective_message:
        await message_of(update).reply_html(messages.REFUSAL.format(user=who or "?"))


async def report_to_admins(update: object, context: Context) -> None:
    """Send the admins the error and its traceback (token masked), as PTB's error-handler
    example does; at most one report a minute, so a failing loop cannot flood them."""
    admins = context.service.settings.telegram.admins
    error = context.error
    if not admins or error is None or not context.state.admin_reports.due(0):
        return
    text = messages.error_report(
        error, getattr(update, "update_id", None), TokenRedactor(context.bot.token).redact
    )
    for admin in admins:
        with contextlib.suppress(TelegramError):  # an admin who never wrote cannot be told
            await context.bot.send_message(admin, text)


async def on_error(update: object, context: Context) -> None:
    """Log the failure; tell the user, briefly, when there is one to tell.

    A failed poll (no update) is not logged here: the poll connection logs each change of
    state (down, back up) once, where a line per poll would flood the log during an outage.
    """
    if update is None and isinstance(context.error, TelegramError):  # a poll, not an update
        if isinstance(context.error, (NetworkError, Conflict)):
            log.debug("poll failed: %s", context.error)
        else:
            log.warning("poll failed: %s", context.error)
        return
    log.error("update %s failed", getattr(update, "update_id", None), exc_info=context.error)
    await report_to_admins(update, context)
    if not isinstance(update, Update):
        return
    if update.callback_query:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if update.effective_chat:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, messages.FAILURE)
