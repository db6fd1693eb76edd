"""`pip install .` (not editable): the installed package holds its data and runs from any folder.

The wheel is built offline from a copy of the files the package is made of (so the repository
gets no build/ or egg-info), installed with pip into a temporary folder, and run from another
folder with that folder first on PYTHONPATH; every test checks that the code it ran came from
the installed copy, not from the repository.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import STOP_WAIT, bot_env, eventually

# What `pip install .` reads: the packaging files and the folders mapped onto corpusbot.*.
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "bot", "retrieval", "config", "seeds")
PIP_TIMEOUT = 120  # seconds for one pip call; offline, it takes a few


@dataclass(frozen=True)
class Installed:
    wheel: Path
    site: Path  # where pip installed it (--target)
    elsewhere: Path  # a folder with nothing of corpusbot in it, to run from
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "corpusbot.bot", *args],
            text=True,
            capture_output=True,
            cwd=self.elsewhere,
            env=self.env,
            timeout=timeout,
        )


def _pip(*args: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "--no-input",
            *args,
            "--no-index",
            "--no-deps",
            "--quiet",
        ],
        check=True,
        capture_output=True,
        timeout=PIP_TIMEOUT,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    try:
        _pip("wheel", "--no-build-isolation", "--wheel-dir", str(tmp / "dist"), str(source))
        [wheel] = (tmp / "dist").glob("corpusbot-*.whl")
        _pip("install", "--target", str(tmp / "site"), str(wheel))
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"pip {exc.cmd[4]} failed:\n{exc.stderr}")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    env = bot_env(tmp / "cache", PYTHONPATH=str(tmp / "site"))
    del env["TELEGRAM_BOT_TOKEN"]
    return Installed(wheel, tmp / "site", elsewhere, env)


def test_the_wheel_holds_the_code_the_settings_the_page_and_the_articles(
    installed: Installed,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"corpusbot"}
    for seed in (ROOT / "seeds").glob("*.txt"):
        assert f"corpusbot/seeds/{seed.name}" in names
    for path in (
        "config/default.toml",
        "config/templates/html.toml",
        "config/templates/text.toml",
        "config/stopwords/english.txt",
        "config/furniture.txt",
        "bot/local_api/webchat/chat.js",
        "bot/local_api/webchat/index.html",
        "bot/local_api/webchat/chat.css",
        "retrieval/index/bm25.py",
        "bot/cli/commands.py",
    ):
        assert f"corpusbot/{path}" in names


def test_installed_commands_run_from_another_folder(installed: Installed) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import corpusbot.bot.cli.commands as m; print(m.__file__)"],
        text=True,
        capture_output=True,
        cwd=installed.elsewhere,
        env=installed.env,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.site)

    sources = installed.run("sources")
    assert sources.returncode == 0, sources.stderr
    assert f"5 articles in {installed.site / 'corpusbot' / 'seeds'}" in sources.stdout
    answer = installed.run("ask", "Who is Iraq's foreign minister?")
    assert answer.returncode == 0 and "Fuad Hussein" in answer.stdout
    version = installed.run("--version")
    assert version.stdout.strip() == "corpusbot 0.1.0"


@pytest.fixture
def local_page(installed: Installed) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    log_path = installed.elsewhere / "local.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "corpusbot.bot", "run", "--local", "--port", "0"],
            cwd=installed.elsewhere,
            env=installed.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            eventually(
                lambda: "polling as" in log_path.read_text() or process.poll() is not None, 60
            )
            found = re.search(r"Open (http://127\.0\.0\.1:\d+)/", log_path.read_text())
            assert found, log_path.read_text()
            yield found.group(1), process, log_path
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(STOP_WAIT)


def test_installed_local_mode_serves_the_chat_page(
    local_page: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    url, process, log_path = local_page
    page = httpx.get(f"{url}/", timeout=10)
    script = httpx.get(f"{url}/static/chat.js", timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert script.status_code == 200 and "function" in script.text
    process.send_signal(signal.SIGTERM)
    assert process.wait(STOP_WAIT) == 0
    assert "Traceback" not in log_path.read_text(), log_path.read_text()
