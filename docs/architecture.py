"""Draw docs/architecture.svg from the code: its packages, in the layers of the import
contracts, and the imports between them, read from the source.

    python docs/architecture.py            # rewrite docs/architecture.svg
    python docs/architecture.py --check    # exit 1 if the committed drawing is out of date

Nothing here is typed by hand but the colours: the layers come from `[tool.importlinter]` in
pyproject.toml, the boxes from the folders, and every arrow from an `import` in the code (a
dashed arrow: imported only inside a function). A new import between packages changes the
drawing, and tests/test_docs.py fails until it is redrawn. Standard library only.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "architecture.svg"
# The installed names of the repository's folders ([tool.setuptools.package-dir]).
FOLDERS = {"bot": "corpusbot.bot", "retrieval": "corpusbot.retrieval", "config": "corpusbot.config"}

BOX_WIDTH, BOX_HEIGHT, GAP = 190, 46, 24
ROW = 80  # pixels from one layer to the next
LEFT, TOP = 24, 64
LANE = 9  # pixels between the lanes of arrows that skip a layer
ENGINE = ("#e8f1fb", "#3d7cc9")
ANSWER = ("#fdf3e1", "#c98a1d")
INTERFACES = ("#eaf6e7", "#4c9a42")


@dataclass
class Box:
    name: str  # the package (or module) it draws
    row: int
    place: int  # left to right within its row
    modules: list[str] = field(default_factory=list)

    @property
    def x(self) -> float:
        return LEFT + self.place * (BOX_WIDTH + GAP)

    @property
    def y(self) -> float:
        return TOP + self.row * ROW

    @property
    def label(self) -> str:
        return self.name.removeprefix("corpusbot.")


def layers() -> list[list[str]]:
    """The layers, top first, each a list of independent packages: the first contract's, with
    the engine drawn as the second contract's layers."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    outer, engine = contracts[0]["layers"], contracts[1]["layers"]
    rows: list[list[str]] = []
    for layer in outer:
        names = [name.strip() for name in layer.split("|")]
        if names == ["corpusbot.retrieval"]:
            rows += [[n.strip() for n in inner.split("|")] for inner in engine]
        else:
            rows.append(names)
    return rows


def module_files() -> dict[str, Path]:
    """Every module of the code, by its installed name."""
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def imports(path: Path) -> list[tuple[str, bool]]:
    """The corpusbot modules `path` imports, each with whether it is at the top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(name, id(node) in top) for name in names if name.startswith("corpusbot.")]
        elif isinstance(node, ast.Import):
            found += [
                (a.name, id(node) in top) for a in node.names if a.name.startswith("corpusbot.")
            ]
    return found


def owner(module: str, boxes: list[Box]) -> Box | None:
    """The box holding `module`: the one whose package is its longest prefix."""
    holders = [b for b in boxes if module == b.name or module.startswith(b.name + ".")]
    return max(holders, key=lambda b: len(b.name), default=None)


def graph() -> tuple[list[Box], dict[tuple[str, str], bool]]:
    """The boxes, and each arrow (importer, imported) with whether some import is top-level."""
    boxes = [
        Box(name, row, place)
        for row, names in enumerate(layers())
        for place, name in enumerate(names)
    ]
    files = module_files()
    arrows: dict[tuple[str, str], bool] = defaultdict(bool)
    for module, path in files.items():
        source = owner(module, boxes)
        if source is None:
            continue
        source.modules.append(module)
        for imported, top_level in imports(path):
            target = owner(imported, boxes)
            if target is not None and target is not source:
                arrows[(source.name, target.name)] |= top_level
    return boxes, dict(arrows)


def colours(box: Box) -> tuple[str, str]:
    if box.name.startswith("corpusbot.retrieval"):
        return ENGINE
    return ANSWER if box.name == "corpusbot.bot.answer" else INTERFACES


def draw(boxes: list[Box], arrows: dict[tuple[str, str], bool]) -> str:
    by_name = {b.name: b for b in boxes}
    rows = max(b.row for b in boxes) + 1
    places = max(b.place for b in boxes) + 1
    skipping = [(s, t) for s, t in sorted(arrows) if by_name[t].row != by_name[s].row + 1]
    sides = {arrow: _side(by_name[arrow[0]], by_name[arrow[1]]) for arrow in skipping}
    lanes_left = sum(1 for side in sides.values() if side < 0)
    lanes_right = len(sides) - lanes_left
    shift = (lanes_left + 1) * LANE  # room for the left lanes
    width = shift + LEFT + places * (BOX_WIDTH + GAP) + (lanes_right + 1) * LANE + LEFT
    height = TOP + rows * ROW + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">',
        '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="28" font-size="16" font-weight="bold">corpusbot: packages in '
        "layers, each importing only those below it</text>",
        f'<text x="{LEFT}" y="48" font-size="11" fill="#555">generated by docs/architecture.py '
        "from the imports in the code and the contracts in pyproject.toml; dashed: imported "
        "inside a function</text>",
    ]
    out += [
        _adjacent(by_name[s], by_name[t], top, shift)
        for (s, t), top in sorted(arrows.items())
        if (s, t) not in sides
    ]
    lanes = {-1: 0, 1: 0}
    for arrow in skipping:
        side = sides[arrow]
        lanes[side] += 1
        lane_x = (
            shift - lanes[side] * LANE + LEFT - 6
            if side < 0
            else shift + LEFT + places * (BOX_WIDTH + GAP) - GAP + lanes[side] * LANE
        )
        out.append(_skip(by_name[arrow[0]], by_name[arrow[1]], arrows[arrow], lane_x, side, shift))
    out += [_box(box, shift) for box in boxes]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _side(source: Box, target: Box) -> int:
    """The side whose lanes an arrow that skips a layer runs in: -1 left, 1 right."""
    return 1 if source.place == 1 or target.place == 1 else -1


def _style(top_level: bool) -> str:
    dash = "" if top_level else ' stroke-dasharray="5,4"'
    return f'stroke="#555" stroke-width="1.2" fill="none" marker-end="url(#head)"{dash}'


def _adjacent(source: Box, target: Box, top_level: bool, shift: float) -> str:
    x1 = shift + source.x + BOX_WIDTH / 2 + (target.place - source.place) * 20
    x2 = shift + target.x + BOX_WIDTH / 2 + (source.place - target.place) * 20
    y1, y2 = source.y + BOX_HEIGHT, target.y
    if target.row == source.row:  # siblings do not import each other; drawn if they do
        y1, y2 = source.y + BOX_HEIGHT / 2, target.y + BOX_HEIGHT / 2
    return f'<path d="M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}" {_style(top_level)}/>'


def _skip(source: Box, target: Box, top_level: bool, lane_x: float, side: int, shift: float) -> str:
    edge_source = shift + source.x + (BOX_WIDTH if side > 0 else 0)
    edge_target = shift + target.x + (BOX_WIDTH if side > 0 else 0)
    y1 = source.y + BOX_HEIGHT / 2 + 6
    y2 = target.y + BOX_HEIGHT / 2 - 6
    return (
        f'<path d="M{edge_source:.0f},{y1:.0f} L{lane_x:.0f},{y1:.0f} L{lane_x:.0f},{y2:.0f} '
        f'L{edge_target:.0f},{y2:.0f}" {_style(top_level)}/>'
    )


def _box(box: Box, shift: float) -> str:
    fill, stroke = colours(box)
    x = shift + box.x
    count = f"{len(box.modules)} module" + ("" if len(box.modules) == 1 else "s")
    return (
        f'<rect x="{x}" y="{box.y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        f'<text x="{x + BOX_WIDTH / 2}" y="{box.y + 20}" font-size="13" font-weight="bold" '
        f'text-anchor="middle">{escape(box.label)}</text>'
        f'<text x="{x + BOX_WIDTH / 2}" y="{box.y + 36}" font-size="11" fill="#444" '
        f'text-anchor="middle">{count}</text>'
    )


def main(argv: list[str]) -> int:
    drawing = draw(*graph())
    if argv[1:] == ["--check"]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != drawing:
            print(
                "docs/architecture.svg is out of date: run python docs/architecture.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.write_text(drawing, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
