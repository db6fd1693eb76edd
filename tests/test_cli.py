"""The `corpusbot` command as a user runs it: a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpusbot.bot.cli.commands import COMMANDS

from .conftest import ROOT

CONTRACT = {"question", "answered", "reply", "quotes", "related"}
QUOTE_FIELDS = {"article_id", "title", "source", "score", "text"}


def run(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cache: Path,
    prefix: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`corpusbot ARGS` in a subprocess (under `prefix`, a command such as setpriv's)."""
    full_env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache), **(env or {})}
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "corpusbot.bot", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=full_env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


def test_ask_prints_the_quote_and_its_source(cache: Path) -> None:
    result = run("ask", "Who is Iraq's foreign minister?", cache=cache)
    assert result.returncode == 0, result.stderr
    assert "Fuad Hussein" in result.stdout
    # The citation names the headline and the outlet; the file name is for --json and /source.
    assert (
        "— Iran Seeks Enhanced Cooperation with Iraq to Address Regional Instability — Tasnim"
    ) in result.stdout
    assert "002_9635e7a99c58f50c.txt" not in result.stdout


def test_ask_json_holds_the_contract(cache: Path) -> None:
    result = run("ask", "--json", "How many days apart are the Sputnik V doses?", cache=cache)
    answer = json.loads(result.stdout)
    assert answer.keys() >= CONTRACT and answer["answered"] is True
    assert answer["quotes"][0].keys() >= QUOTE_FIELDS
    assert "21 days apart" in answer["quotes"][0]["text"]
    assert answer["reply"].startswith("1. ")


def test_ask_json_reads_questions_from_stdin(cache: Path) -> None:
    questions = "Who is Iran's ambassador to Moscow?\n\nWhat is the capital of Australia?\n"
    result = run("ask", "--json", "-", stdin=questions, cache=cache)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False]
    assert "Kazem Jalali" in lines[0]["quotes"][0]["text"] and lines[1]["quotes"] == []


def test_sources_lists_every_article(cache: Path) -> None:
    rows = json.loads(run("sources", "--json", cache=cache).stdout)
    assert [row["number"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[2]["source"] == "Tasnim" and rows[2]["passages"] > 0
    text = run("sources", cache=cache).stdout
    assert "5 articles" in text and "Iran urges regional cooperation" in text


def test_index_on_another_folder_reports_skipped_files(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "one.md").write_text("# Saffron exports\nBody about saffron exports.")
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe\x00\x00")
    result = run("index", "--corpus", str(tmp_path), cache=cache)
    assert result.returncode == 0, result.stderr
    assert "Index built: 1 article, 1 passage, " in result.stdout
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
def test_bad_input_is_one_clear_line(
    cache: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    result = run(*args, env=env, cache=cache)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_index_on_a_changed_folder_says_what_changed_and_that_it_rebuilt(
    tmp_path: Path, cache: Path
) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Story {name}\nText about {name} exports.")
    assert "Index built: 3 articles" in run("index", "--corpus", str(tmp_path), cache=cache).stdout
    (tmp_path / "a.txt").unlink()
    (tmp_path / "b.txt").write_text("Story b\nLonger text about b exports and imports.")
    (tmp_path / "d.txt").write_text("Story d\nText about d.")
    result = run("index", "--corpus", str(tmp_path), cache=cache)
    assert "Index rebuilt (1 added, 1 changed, 1 removed): 3 articles" in result.stdout


def test_index_on_a_large_changed_folder_updates_it_and_says_what_it_took(
    tmp_path: Path, cache: Path
) -> None:
    from .test_segmented import ABSTRACTS, FIRST, SMALL

    for name, text in ABSTRACTS[:FIRST]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert "Index built:" in run("index", "--corpus", str(tmp_path), env=SMALL, cache=cache).stdout
    name, text = ABSTRACTS[FIRST]
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "a001.txt").unlink()
    result = run("index", "--corpus", str(tmp_path), env=SMALL, cache=cache)
    line = result.stdout.splitlines()[0]
    assert line.startswith("Index updated (1 added, 1 removed: 1 article added, ")
    assert ", 1 article taken out, in " in line and f"{FIRST:,} articles" in line


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_shared_options_work_before_or_after_the_command(
    tmp_path: Path, cache: Path, before: bool
) -> None:
    (tmp_path / "one.md").write_text("# Saffron exports\nBody about saffron exports.")

    def placed(command: str, *options: str) -> list[str]:
        return [*options, command] if before else [command, *options]

    rows = json.loads(
        run(*placed("sources", "--corpus", str(tmp_path)), "--json", cache=cache).stdout
    )
    assert [row["title"] for row in rows] == ["Saffron exports"]
    missing = run(*placed("ask", "--config", "/no/such.toml"), "saffron", cache=cache)
    assert missing.returncode == 2 and "settings file not found" in missing.stderr


def test_eval_beir_takes_no_corpus(cache: Path) -> None:
    # --corpus is what `eval --qa` asks its questions over; `eval --beir` brings its own data.
    assert "--qa FILE" in run("eval", "--help", cache=cache).stdout
    result = run("--corpus", "/tmp", "eval", "--beir", "/tmp", cache=cache)
    assert result.returncode == 2 and "--corpus does not apply to eval" in result.stderr


@pytest.mark.parametrize("port", ["-5", "65536", "http"])
def test_a_bad_port_is_one_clear_line(cache: Path, port: str) -> None:
    result = run("run", "--local", "--port", port, cache=cache)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument --port: '{port}' is not a port: give 0 to 65535" in result.stderr


def test_run_without_a_token_points_to_local_mode(cache: Path) -> None:
    result = run("run", env={"TELEGRAM_BOT_TOKEN": "", "CORPUSBOT_TELEGRAM_TOKEN": ""}, cache=cache)
    assert result.returncode == 2 and "no Telegram bot token" in result.stderr
    assert "corpusbot run --local" in result.stderr


def test_version_and_help_describe_every_command(cache: Path) -> None:
    version = run("--version", cache=cache)
    assert version.returncode == 0 and version.stdout.startswith("corpusbot 0.")
    for command in (command.name for command in COMMANDS):
        text = run(command, "--help", cache=cache).stdout
        usage, description = text.split("\n\n")[:2]
        assert usage.startswith(f"usage: corpusbot {command}")
        assert not description.startswith(("positional", "options")), text
        assert "examples:\n  corpusbot " in text and f" {command}" in text.split("examples:")[1]


def test_ask_and_sources_describe_an_article_alike(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "plain.txt").write_text("Saffron harvest\nThe saffron harvest doubled this year.")
    (tmp_path / "dated.txt").write_text(
        "Wheat prices\nsource: Daily Farm\ndate: 2024-01-02\n\n"
        "Wheat prices fell as the saffron harvest doubled."
    )
    for n in range(4):  # unrelated articles, so that "saffron" is a rare word
        (tmp_path / f"other{n}.txt").write_text(f"Rain {n}\nRain fell on the plains all week.")
    rows = json.loads(run("sources", "--json", "--corpus", str(tmp_path), cache=cache).stdout)
    answer = json.loads(
        run("ask", "--json", "--corpus", str(tmp_path), "saffron harvest", cache=cache).stdout
    )
    listed = {row["article_id"]: row for row in rows}
    described = [article for quote in answer["quotes"] for article in [quote, *quote["also_in"]]]
    assert {article["article_id"] for article in described} == {"plain", "dated"}
    fields = ("title", "source", "path", "date", "url")
    for article in described:
        row = listed[article["article_id"]]
        assert {key: article[key] for key in fields} == {key: row[key] for key in fields}
    assert listed["plain"]["source"] is None and listed["plain"]["path"] == "plain.txt"
    assert listed["dated"]["source"] == "Daily Farm" and listed["dated"]["path"] == "dated.txt"


def test_one_of_anything_is_singular(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "one.txt").write_text("Saffron\nThe saffron harvest doubled.")
    listing = run("sources", "--corpus", str(tmp_path), cache=cache).stdout
    assert listing.startswith("1 article in ") and "— 1 passage [one.txt]" in listing


def test_a_refusal_exits_3_and_an_answer_0(cache: Path) -> None:
    refused = run("ask", "What is the recipe for a chocolate cake?", cache=cache)
    assert refused.returncode == 3 and "found nothing" in refused.stdout
    assert run("ask", "Who is Iraq's foreign minister?", cache=cache).returncode == 0


def test_ask_dash_exits_3_only_when_every_question_was_refused(cache: Path) -> None:
    mixed = run(
        "ask", "-", stdin="chocolate cake recipe\nWho is Iraq's foreign minister?\n", cache=cache
    )
    assert mixed.returncode == 0
    refused = run("ask", "-", stdin="chocolate cake recipe\nhi\n", cache=cache)
    assert refused.returncode == 3


def test_ask_dash_prints_each_question_above_its_answer(cache: Path) -> None:
    result = run("ask", "-", stdin="hi\nWho is Iraq's foreign minister?\n", cache=cache)
    blocks = result.stdout.split("\n\n> ")
    assert blocks[0].startswith("> hi\nHello!")
    assert blocks[1].startswith("Who is Iraq's foreign minister?\n1. ")


def test_a_misspelled_setting_variable_is_named_with_the_closest_setting(cache: Path) -> None:
    result = run("ask", "Who is Lavrov?", env={"CORPUSBOT_ANSWER_MAX_QUOTE": "5"}, cache=cache)
    assert result.returncode == 0
    assert "CORPUSBOT_ANSWER_MAX_QUOTE is not a setting" in result.stderr
    assert "did you mean CORPUSBOT_ANSWER_MAX_QUOTES?" in result.stderr


def test_variables_that_are_no_settings_but_known_are_accepted_quietly(cache: Path) -> None:
    result = run("ask", "Who is Lavrov?", env={"CORPUSBOT_KERNEL": "numpy"}, cache=cache)
    assert "not a setting" not in result.stderr


def test_a_corpus_that_is_a_file_is_called_a_file(tmp_path: Path, cache: Path) -> None:
    article = tmp_path / "one.txt"
    article.write_text("Saffron exports\n\nIran exported saffron.\n", encoding="utf-8")
    result = run("ask", "--corpus", str(article), "saffron", cache=cache)
    assert result.returncode == 2
    assert "is a file" in result.stderr and "not found" not in result.stderr


@pytest.mark.parametrize("command", [("stats",), ("feedback", "export")])
def test_stats_and_feedback_take_corpus_like_every_command(
    tmp_path: Path, cache: Path, command: tuple[str, ...]
) -> None:
    result = run(
        *command,
        "--corpus",
        str(ROOT / "seeds"),
        cache=cache,
        env={"CORPUSBOT_HISTORY_PATH": str(tmp_path / "none.sqlite3")},
    )
    assert "unrecognized arguments" not in result.stderr
    assert "no history database" in result.stderr
