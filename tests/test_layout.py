"""The house's rules that import-linter's contracts (.ci/imports) do not check: a package is
entered only through the names its `__init__.py` lists in `__all__`, and every module is in a
package of the layers (docs/architecture.md)."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"bot": "corpusbot.bot", "retrieval": "corpusbot.retrieval", "config": "corpusbot.config"}
# The packages of the layers; a module outside them (the `corpusbot.bot` package's own
# `__main__`, the config folder's paths, counted nouns) is shared by all.
PACKAGES = (
    "corpusbot.bot.cli",
    "corpusbot.bot.telegram",
    "corpusbot.bot.local_api",
    "corpusbot.bot.app",
    "corpusbot.bot.history",
    "corpusbot.bot.answer",
    "corpusbot.retrieval.ingest",
    "corpusbot.retrieval.evaluation",
    "corpusbot.retrieval.index",
    "corpusbot.retrieval.compiled",
    "corpusbot.retrieval.storage",
    "corpusbot.retrieval.analysis",
    "corpusbot.retrieval.reading",
)
SHARED = {
    "corpusbot.bot",
    "corpusbot.bot.__main__",
    "corpusbot.retrieval",
    "corpusbot.retrieval.plurals",
    "corpusbot.config",
    "corpusbot.config.settings",
}


def modules() -> Iterator[tuple[str, Path]]:
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join((package, *parts)), path


def package_of(module: str) -> str | None:
    return next((p for p in PACKAGES if module == p or module.startswith(p + ".")), None)


def test_every_module_is_in_a_package_of_the_layers() -> None:
    outside = [m for m, _ in modules() if package_of(m) is None and m not in SHARED]
    assert not outside, f"in no package of docs/architecture.md's layers: {outside}"


def test_other_packages_import_only_a_package_s_public_names() -> None:
    wrong = []
    for module, path in modules():
        mine = package_of(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            theirs = package_of(node.module)
            if theirs is None or theirs == mine:
                continue
            public = set(importlib.import_module(theirs).__all__)
            if node.module != theirs:  # into a package's module, past its __init__
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}")
            wrong += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {theirs}.{a.name}, not in __all__"
                for a in node.names
                if a.name not in public
            ]
    assert not wrong, "\n".join(wrong)
