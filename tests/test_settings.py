from pathlib import Path

import pytest

from corpusbot.config import BUNDLED_CORPUS
from corpusbot.config.settings import GroupReplies, SettingsError, load_settings


def test_defaults_use_the_bundled_corpus_and_rank_bm25_parameters() -> None:
    settings = load_settings(env={})
    assert settings.corpus == BUNDLED_CORPUS
    assert (settings.index.k1, settings.index.b, settings.index.epsilon) == (1.5, 0.75, 0.25)
    assert settings.telegram.token == ""


def test_environment_overrides_file_and_defaults(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text("[index]\nk1 = 1.2\n[answer]\nmax_quotes = 5\n")
    env = {
        "CORPUSBOT_ANSWER_MAX_QUOTES": "2",
        "TELEGRAM_BOT_TOKEN": " 123:abc ",
        "CORPUSBOT_TELEGRAM_ALLOWED_USERS": "1, 2",
        "CORPUSBOT_CORPUS": str(tmp_path),
    }
    settings = load_settings(user, env=env)
    assert settings.index.k1 == 1.2
    assert settings.answer.max_quotes == 2
    assert settings.telegram.token == "123:abc"
    assert settings.telegram.allowed_users == (1, 2)
    assert settings.corpus == tmp_path


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CORPUSBOT_INDEX_K1": "fast"}, "index.k1"),
        ({"CORPUSBOT_INDEX_B": "2"}, "index.b"),
        ({"CORPUSBOT_PASSAGES_CHUNK_SIZE": "10"}, "passages.chunk_size"),
        ({"CORPUSBOT_ANSWER_MAX_QUOTES": "0"}, "answer.max_quotes"),
        ({"CORPUSBOT_TELEGRAM_BASE_URL": "ftp://x"}, "telegram.base_url"),
        ({"CORPUSBOT_TELEGRAM_GROUP_REPLIES": "dm"}, "telegram.group_replies"),
        ({"CORPUSBOT_ANALYZER_LANGUAGE": "klingon"}, "klingon"),
        ({"CORPUSBOT_ANALYZER_STOPWORDS": "nosuchlist"}, "nosuchlist"),
    ],
)
def test_a_bad_value_names_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named) as raised:
        load_settings(env=env)
    assert "\n" not in str(raised.value)


def test_unknown_keys_and_broken_files_are_reported(tmp_path: Path) -> None:
    typo = tmp_path / "typo.toml"
    typo.write_text("[index]\nkl = 1.2\n")
    with pytest.raises(SettingsError, match=r"unknown setting index\.kl"):
        load_settings(typo, env={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[index\n")
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings(broken, env={})
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})


def test_a_fraction_for_a_whole_number_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text("[answer]\nmax_quotes = 2.5\n")
    with pytest.raises(SettingsError, match=r"answer\.max_quotes=2\.5: expected a whole number"):
        load_settings(user, env={})
    assert load_settings(env={"CORPUSBOT_CORPUS_WATCH_SECONDS": "0.5"}).watch_seconds == 0.5


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("corpus = 5\n", "corpus = 5 must be a section: write [corpus] on a line"),
        ("k1 = 1.2\n", "setting k1 must go under its section: [index]"),
        ("[nonsense]\nx = 1\n", "unknown settings section [nonsense]; the sections are: corpus"),
        ("[index]\nk1 = true\n", "bad setting index.k1=True: expected a number"),
        ("[telegram]\nallowed_users = [1.5]\n", "telegram.allowed_users=[1.5]: expected a list"),
        ("[telegram]\nallowed_users = [true]\n", "telegram.allowed_users=[True]"),
        ("[answer]\nmax_quotes = 1e300\n", "answer.max_quotes=1e+300: expected a whole"),
        ("[index]\nworkers = 1e300\n", "bad setting index.workers=1e+300: expected a whole"),
    ],
)
def test_a_malformed_value_is_one_clear_line(tmp_path: Path, toml: str, message: str) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(toml)
    with pytest.raises(SettingsError) as raised:
        load_settings(user, env={})
    assert message in str(raised.value)
    said = str(raised.value).replace(str(user), "FILE")  # the file's path is the test's
    assert "\n" not in said and len(said) < 160


def test_a_long_bad_value_is_shown_cut() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env={"CORPUSBOT_INDEX_K1": "slow" * 100})
    assert "bad setting index.k1='slowslow" in str(raised.value)
    assert len(str(raised.value)) < 120


def test_history_defaults_to_the_data_folder_and_checks_its_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    history = load_settings(env={}).history
    assert history.enabled and history.history_days == 30
    assert history.path == tmp_path / "data" / "corpusbot" / "history.sqlite3"
    chosen = load_settings(
        env={"CORPUSBOT_HISTORY_PATH": "~/h.sqlite3", "CORPUSBOT_HISTORY_ENABLED": "false"}
    ).history
    assert chosen.path == Path.home() / "h.sqlite3" and not chosen.enabled
    with pytest.raises(SettingsError, match=r"history\.history_days=0"):
        load_settings(env={"CORPUSBOT_HISTORY_HISTORY_DAYS": "0"})


def test_group_replies_default_to_the_group_and_may_be_private() -> None:
    assert load_settings(env={}).telegram.group_replies == GroupReplies.IN_GROUP
    private = load_settings(env={"CORPUSBOT_TELEGRAM_GROUP_REPLIES": "private"})
    assert private.telegram.group_replies == GroupReplies.PRIVATE
