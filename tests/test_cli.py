"""The `corpusbot` command as a user runs it: a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CONTRACT = {"question", "answered", "reply", "quotes"}
QUOTE_FIELDS = {"article_id", "title", "source", "score", "text"}


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        cache: Path) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache), **(env or {})}
    return subprocess.run([sys.executable, "-m", "corpusbot.bot", *args], input=stdin, text=True,
                          capture_output=True, env=full_env, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


def test_ask_prints_the_quote_and_its_source(cache: Path):
    result = run("ask", "Who is Iraq's foreign minister?", cache=cache)
    assert result.returncode == 0, result.stderr
    assert "Fuad Hussein" in result.stdout
    # The citation names the headline and the outlet; the file name is for --json and /source.
    assert ("— Iran Seeks Enhanced Cooperation with Iraq to Address Regional Instability "
            "— Tasnim") in result.stdout
    assert "002_9635e7a99c58f50c.txt" not in result.stdout


def test_ask_json_holds_the_contract(cache: Path):
    result = run("ask", "--json", "How many days apart are the Sputnik V doses?", cache=cache)
    answer = json.loads(result.stdout)
    assert answer.keys() >= CONTRACT and answer["answered"] is True
    assert answer["quotes"][0].keys() >= QUOTE_FIELDS
    assert "21 days apart" in answer["quotes"][0]["text"]
    assert answer["reply"].startswith("1. ")


def test_ask_json_reads_questions_from_stdin(cache: Path):
    questions = "Who is Iran's ambassador to Moscow?\n\nWhat is the capital of Australia?\n"
    result = run("ask", "--json", "-", stdin=questions, cache=cache)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False]
    assert "Kazem Jalali" in lines[0]["quotes"][0]["text"] and lines[1]["quotes"] == []


def test_sources_lists_every_article(cache: Path):
    rows = json.loads(run("sources", "--json", cache=cache).stdout)
    assert [row["number"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[2]["source"] == "Tasnim" and rows[2]["passages"] > 0
    text = run("sources", cache=cache).stdout
    assert "5 articles" in text and "Iran urges regional cooperation" in text


def test_index_on_another_folder_reports_skipped_files(tmp_path: Path, cache: Path):
    (tmp_path / "one.md").write_text("# Saffron exports\nBody about saffron exports.")
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe\x00\x00")
    result = run("index", "--corpus", str(tmp_path), cache=cache)
    assert result.returncode == 0, result.stderr
    assert "Index built: 1 articles" in result.stdout
    titles = json.loads(run("sources", "--json", "--corpus", str(tmp_path), cache=cache).stdout)
    assert titles[0]["title"] == "Saffron exports"
    assert "skipped broken.txt: binary file" in result.stderr
    again = run("index", "--corpus", str(tmp_path), cache=cache)
    assert "unchanged, loaded" in again.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("ask", "x"), {"CORPUSBOT_INDEX_K1": "fast"}, "bad setting index.k1='fast'"),
        (("ask", "x", "--corpus", "/no/such/folder"), {}, "corpus folder not found"),
        (("ask", "x", "--config", "/no/such.toml"), {}, "settings file not found"),
    ],
)
def test_bad_input_is_one_clear_line(cache: Path, args, env, message):
    result = run(*args, env=env, cache=cache)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_index_on_a_changed_folder_says_what_changed_and_that_it_rebuilt(tmp_path: Path,
                                                                         cache: Path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Story {name}\nText about {name} exports.")
    assert "Index built: 3 articles" in run("index", "--corpus", str(tmp_path), cache=cache).stdout
    (tmp_path / "a.txt").unlink()
    (tmp_path / "b.txt").write_text("Story b\nLonger text about b exports and imports.")
    (tmp_path / "d.txt").write_text("Story d\nText about d.")
    result = run("index", "--corpus", str(tmp_path), cache=cache)
    assert ("Index rebuilt (1 added, 1 changed, 1 removed; every passage is re-weighted): "
            "3 articles") in result.stdout


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_shared_options_work_before_or_after_the_command(tmp_path: Path, cache: Path,
                                                         before: bool):
    (tmp_path / "one.md").write_text("# Saffron exports\nBody about saffron exports.")

    def placed(command: str, *options: str) -> list[str]:
        return [*options, command] if before else [command, *options]

    rows = json.loads(run(*placed("sources", "--corpus", str(tmp_path)), "--json",
                          cache=cache).stdout)
    assert [row["title"] for row in rows] == ["Saffron exports"]
    missing = run(*placed("ask", "--config", "/no/such.toml"), "saffron", cache=cache)
    assert missing.returncode == 2 and "settings file not found" in missing.stderr


def test_eval_beir_takes_no_corpus(cache: Path):
    # --corpus is what `eval --qa` asks its questions over; `eval --beir` brings its own data.
    assert "--qa FILE" in run("eval", "--help", cache=cache).stdout
    result = run("--corpus", "/tmp", "eval", "--beir", "/tmp", cache=cache)
    assert result.returncode == 2 and "--corpus does not apply" in result.stderr


@pytest.mark.parametrize("port", ["-5", "65536", "http"])
def test_a_bad_port_is_one_clear_line(cache: Path, port: str):
    result = run("run", "--local", "--port", port, cache=cache)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument --port: '{port}' is not a port: give 0 to 65535" in result.stderr
