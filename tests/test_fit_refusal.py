"""benchmarks/fit_refusal.py: the digest that keys its cached signals names code that exists."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "fit_refusal.py"


def test_the_signals_cache_is_keyed_by_the_code_that_measures_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # It named coverage._best_sentence after that was gone, and the script stopped at once.
    spec = importlib.util.spec_from_file_location("fit_refusal", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up
    spec.loader.exec_module(module)
    digest = module._signature()
    assert len(digest) == 16 and int(digest, 16) >= 0
