"""The documentation's claims that code can check: the example systemd unit runs corpusbot."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpusbot.bot.cli.commands import build_parser
from corpusbot.config.settings import load_settings

from .conftest import ROOT

UNIT = ROOT / "docs" / "corpusbot.service"


def unit_service() -> list[tuple[str, str]]:
    """The [Service] section's settings, in order (systemd allows a key more than once)."""
    section, found = "", []
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.append((key, value))
    return found


def test_the_unit_runs_a_corpusbot_command_that_parses() -> None:
    [exec_start] = [value for key, value in unit_service() if key == "ExecStart"]
    command = shlex.split(exec_start)
    assert Path(command[0]).name == "corpusbot"
    args = build_parser().parse_args(command[1:])
    assert args.command == "run" and args.config == "/etc/corpusbot/corpusbot.toml"


def test_the_unit_environment_names_real_settings(tmp_path: Path) -> None:
    names = dict(value.split("=", 1) for key, value in unit_service() if key == "Environment")
    assert names.keys() == {
        "CORPUSBOT_CORPUS",
        "CORPUSBOT_INDEX_CACHE_DIR",
        "CORPUSBOT_HISTORY_PATH",
    }
    settings = load_settings(env=names)
    assert settings.corpus == Path("/srv/news")
    assert settings.index.cache_dir == Path("/var/cache/corpusbot")
    assert settings.history.path == Path("/var/lib/corpusbot/history.sqlite3")


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # verify wants ExecStart's program to exist: point it at this environment's corpusbot.
    installed = Path(sys.executable).parent / "corpusbot"
    unit = tmp_path / "corpusbot.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace(
            "/opt/corpusbot/venv/bin/corpusbot", str(installed)
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr  # no warning


def test_the_architecture_drawing_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "architecture.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_architecture_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "retrieval")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "__init__.py" and "webchat" not in path.parts
    ]
    missing = [module for module in modules if f"`{module}`" not in text]
    assert not missing, f"docs/architecture.md has no sentence for {missing}"
