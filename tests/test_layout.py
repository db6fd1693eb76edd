"""The house's rules that import-linter's contracts (.ci/imports) do not check: a package is
entered only through the names its `__init__.py` lists in `__all__`, and every module is in a
package of the layers (docs/architecture.md)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _drawing() -> ModuleType:
    """docs/architecture.py, which reads the layers from the import contracts and lists the
    code's modules: the rules here hold for what it draws."""
    path = ROOT / "docs" / "architecture.py"
    spec = importlib.util.spec_from_file_location("docs_architecture", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


DRAWING = _drawing()
# The packages of the layers (config.settings is a module, its own surface); a module outside
# them (the `corpusbot.bot` package's own `__main__`, the config folder's paths, counted nouns)
# is shared by all.
PACKAGES: tuple[str, ...] = tuple(name for row in DRAWING.layers() for name in row)
SHARED = {
    "corpusbot.bot",
    "corpusbot.bot.__main__",
    "corpusbot.retrieval",
    "corpusbot.retrieval.plurals",
    "corpusbot.config",
}


def modules() -> Iterator[tuple[str, Path]]:
    files: dict[str, Path] = DRAWING.module_files()
    yield from files.items()


def package_of(module: str) -> str | None:
    holders = [p for p in PACKAGES if module == p or module.startswith(p + ".")]
    return max(holders, key=len, default=None)


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
