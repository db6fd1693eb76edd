"""Draw docs/architecture.svg: corpusbot's modules and how a question and an article travel.

    python docs/architecture.py            # rewrite docs/architecture.svg
    python docs/architecture.py --check    # exit 1 if the committed drawing is out of date

The drawing is data (the boxes and arrows below) laid out on a grid, so a new module is a line
here, not an edit in a drawing program. Standard library only.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "architecture.svg"

COLUMN, ROW = 228, 92  # grid pitch in pixels
BOX_WIDTH, BOX_HEIGHT = 168, 58
LEFT, TOP = 24, 78  # the grid's origin
COLUMNS, ROWS = 6, 6


class Kind(StrEnum):
    """Where a box lives, which sets its colours."""

    RETRIEVAL = "retrieval"
    BOT = "bot"
    OUTSIDE = "outside"


COLOURS = {
    Kind.RETRIEVAL: ("#e8f1fb", "#3d7cc9"),
    Kind.BOT: ("#eaf6e7", "#4c9a42"),
    Kind.OUTSIDE: ("#f3f3f3", "#8a8a8a"),
}


@dataclass(frozen=True)
class Box:
    key: str
    title: str
    note: str  # one short line: what it holds or does
    column: float
    row: float
    kind: Kind

    @property
    def x(self) -> float:
        return LEFT + self.column * COLUMN

    @property
    def y(self) -> float:
        return TOP + self.row * ROW

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + BOX_WIDTH / 2, self.y + BOX_HEIGHT / 2


@dataclass(frozen=True)
class Arrow:
    start: str
    end: str
    label: str = ""
    dashed: bool = False  # settings and helpers, not the data's path


R, B, X = Kind.RETRIEVAL, Kind.BOT, Kind.OUTSIDE  # X: outside the code
BOXES = (
    # Indexing: a folder becomes a searchable index, once per state of the folder.
    Box("folder", "folder of articles", ".txt .md .jsonl (seeds/)", 0, 0, X),
    Box("corpus", "retrieval/reading/corpus.py", "files → Article", 1, 0, R),
    Box("passages", "retrieval/reading/passages.py", "Article → Passage", 2, 0, R),
    Box("index", "retrieval/index/bm25.py", "BM25 search (+ storage, kernel)", 3, 0, R),
    Box("analyzer", "retrieval/analysis/analyzer.py", "text → terms", 4, 0, R),
    Box("evaluate", "retrieval/evaluation/beir.py", "nDCG@10 on BEIR data", 4, 1.1, R),
    Box("disk", "index cache", "~/.cache/corpusbot", 1, 1.1, X),
    Box("cache", "retrieval/index/cache.py", "build once, then load", 2, 1.1, R),
    Box("adding", "retrieval/ingest/adding.py", "links, feeds → .md (+ CLI)", 0, 1.1, R),
    # Answering: a question becomes quotes.
    Box("settings", "config/settings.py", "default.toml, --config, env", 0, 2.5, B),
    Box("examples", "bot/answer/examples.py", "checked example questions", 1, 2.5, B),
    Box("service", "bot/app/service.py", "open index, reloads", 2, 2.5, B),
    Box("compose", "bot/answer/compose.py", "Hits → Answer (+ quotes.py)", 3, 2.5, B),
    Box("render", "bot/answer/render.py", "Answer → HTML / text", 4, 2.5, B),
    Box("templates", "config/templates/", "reply wording", 5, 2.5, X),
    Box("cli", "bot/cli/commands.py", "ask sources index run eval", 0, 3.9, B),
    Box("app", "bot/telegram/telegram_app.py", "+ runner, retry, redaction", 1, 3.9, B),
    Box("handlers", "bot/telegram/handlers.py", "commands, questions, buttons", 2, 3.9, B),
    Box("ui", "messages · keyboards", "ratelimit · plurals", 3, 3.9, B),
    Box("follows", "bot/follow_*.py", "new articles → alerts", 4, 3.9, B),
    Box("history", "bot/history/", "questions, feedback, /stats", 3, 5.2, B),
    Box("historydb", "history database", "SQLite, ids hashed", 4, 5.2, X),
    Box("people", "people", "Telegram app, browser, shell", 0, 5.2, X),
    Box("telegram", "Telegram Bot API", "api.telegram.org", 1, 5.2, X),
    Box("local", "bot/local_api/", "Bot API stand-in, chat page", 2, 5.2, B),
)
ARROWS = (
    Arrow("folder", "corpus", "read"),
    Arrow("corpus", "passages", "split"),
    Arrow("passages", "index", "build"),
    Arrow("analyzer", "index", "terms"),
    Arrow("evaluate", "index", "eval", dashed=True),
    Arrow("cache", "corpus", "runs"),
    Arrow("cache", "index", "save / load"),
    Arrow("cache", "disk"),
    Arrow("service", "cache", "open"),
    Arrow("compose", "index", "search"),
    Arrow("service", "compose", "ask"),
    Arrow("compose", "render"),
    Arrow("templates", "render", dashed=True),
    Arrow("examples", "service", dashed=True),
    Arrow("settings", "cli", dashed=True),
    Arrow("cli", "service", "ask, sources"),
    Arrow("cli", "app", "run"),
    Arrow("app", "handlers", "updates"),
    Arrow("handlers", "service", "question"),
    Arrow("handlers", "render", "reply"),
    Arrow("handlers", "ui", dashed=True),
    Arrow("handlers", "history", "record"),
    Arrow("history", "historydb"),
    Arrow("telegram", "app", "polls"),
    Arrow("local", "app", "--local", dashed=True),
    Arrow("people", "telegram", "chat"),
    Arrow("people", "cli", "shell"),
    Arrow("adding", "folder", "write"),
    Arrow("app", "adding", "/add, feeds"),
    Arrow("service", "follows", "reloaded"),
    Arrow("follows", "historydb", "outbox"),
)


def _edge_point(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from `box`'s centre towards a point leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        BOX_WIDTH / 2 / abs(dx) if dx else float("inf"),
        BOX_HEIGHT / 2 / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale


def _box_svg(box: Box) -> str:
    fill, stroke = COLOURS[box.kind]
    cx = box.x + BOX_WIDTH / 2
    return (
        f'<g><rect x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" '
        f'rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        f'<text x="{cx:.0f}" y="{box.y + 24:.0f}" class="title">{escape(box.title)}</text>'
        f'<text x="{cx:.0f}" y="{box.y + 43:.0f}" class="note">{escape(box.note)}</text></g>'
    )


def _arrow_svg(arrow: Arrow, boxes: dict[str, Box]) -> str:
    start, end = boxes[arrow.start], boxes[arrow.end]
    x1, y1 = _edge_point(start, end.centre)
    x2, y2 = _edge_point(end, start.centre)
    dash = ' stroke-dasharray="5 4"' if arrow.dashed else ""
    line = (
        f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" '
        f'stroke-width="1.4"{dash} marker-end="url(#head)"/>'
    )
    if not arrow.label:
        return line
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    width = 7 * len(arrow.label) + 8
    return (
        line + f'<rect x="{mx - width / 2:.0f}" y="{my - 9:.0f}" width="{width}" height="16" '
        f'rx="3" fill="#fff" opacity="0.9"/>'
        f'<text x="{mx:.0f}" y="{my + 3:.0f}" class="label">{escape(arrow.label)}</text>'
    )


def draw() -> str:
    """The whole drawing as SVG text."""
    boxes = {box.key: box for box in BOXES}
    width = LEFT * 2 + (COLUMNS - 1) * COLUMN + BOX_WIDTH
    height = TOP + (ROWS - 1) * ROW + BOX_HEIGHT + 24
    band = TOP + 1.95 * ROW
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">',
        "<style>.title{font-size:13px;font-weight:bold;text-anchor:middle;fill:#222}"
        ".note{font-size:11.5px;text-anchor:middle;fill:#444}"
        ".label{font-size:11px;text-anchor:middle;fill:#333}"
        ".band{font-size:14px;font-weight:bold;fill:#666}</style>",
        '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
        f'<rect width="{width}" height="{height:.0f}" fill="#fff"/>',
        f'<text x="{LEFT}" y="30" class="band">Indexing: a folder becomes a BM25 index '
        "(once per state of the folder, then loaded from the cache)</text>",
        f'<line x1="{LEFT}" y1="{band:.0f}" x2="{width - LEFT}" y2="{band:.0f}" stroke="#bbb" '
        'stroke-dasharray="2 4"/>',
        f'<text x="{LEFT}" y="{band + 26:.0f}" class="band">Answering: a question becomes '
        "quotes</text>",
        f'<text x="{width - LEFT}" y="50" class="note" text-anchor="end" '
        'style="text-anchor:end">solid: the data\'s path; dashed: settings, helpers, '
        "local mode</text>",
    ]
    parts += [_arrow_svg(arrow, boxes) for arrow in ARROWS]
    parts += [_box_svg(box) for box in BOXES]
    parts.append("</svg>\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    drawing = draw()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != drawing:
            print(f"{OUTPUT.name} is out of date: run python docs/architecture.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(drawing, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
