"""The answer layer: a question read once (cleaned, respelled, analysed), searched, checked for
coverage, its sentences scored, quoted and rendered. No `telegram` import; plain dataclasses out."""

from . import article_views, conversation, respell
from .article_views import ArticleButton, View, answer_buttons
from .compose import Answer, AnswerSettings, answer_question
from .conversation import Turn, follow_up
from .examples import example_questions
from .followup_search import FollowUp, ask_follow_up, follow_up_note
from .freshness import format_date, sort_newest_first
from .plurals import counted
from .question import Question, clean_question, read_question
from .question_form import read_form
from .quotes import Quote
from .render import (
    DETAIL_CHARS,
    MAX_LINK_CHARS,
    TITLE_CHARS,
    Context,
    render_alert,
    render_html,
    render_text,
)
from .respell import prepare_in_background, speller_for
from .scoped_answer import ask
from .text_limits import TELEGRAM_LIMIT, clip, clip_escaped, escape, utf16_length

__all__ = [
    "DETAIL_CHARS",
    "MAX_LINK_CHARS",
    "TELEGRAM_LIMIT",
    "TITLE_CHARS",
    "Answer",
    "AnswerSettings",
    "ArticleButton",
    "Context",
    "FollowUp",
    "Question",
    "Quote",
    "Turn",
    "View",
    "answer_buttons",
    "answer_question",
    "article_views",
    "ask",
    "ask_follow_up",
    "clean_question",
    "clip",
    "clip_escaped",
    "conversation",
    "counted",
    "escape",
    "example_questions",
    "follow_up",
    "follow_up_note",
    "format_date",
    "prepare_in_background",
    "read_form",
    "read_question",
    "render_alert",
    "render_html",
    "render_text",
    "respell",
    "sort_newest_first",
    "speller_for",
    "utf16_length",
]
