"""Where corpusbot's default settings, stop-word lists and reply templates live."""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_SETTINGS = CONFIG_DIR / "default.toml"
TEMPLATES_DIR = CONFIG_DIR / "templates"
STOPWORDS_DIR = CONFIG_DIR / "stopwords"
FURNITURE_FILE = CONFIG_DIR / "furniture.txt"
BUNDLED_CORPUS = CONFIG_DIR.parent / "seeds"
