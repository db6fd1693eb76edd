import threading
import time
from pathlib import Path

from corpusbot.retrieval.storage.locks import locked


def test_an_exclusive_holder_makes_others_wait(tmp_path: Path) -> None:
    lock = tmp_path / "cache" / ".lock"  # its folder is created as needed
    order: list[str] = []
    held = threading.Event()

    def holder() -> None:
        with locked(lock, exclusive=True) as ok:
            assert ok
            held.set()
            time.sleep(0.3)
            order.append("first released")

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    with locked(lock, exclusive=False) as ok:
        assert ok
        order.append("second acquired")
    thread.join(10)
    assert order == ["first released", "second acquired"]


def test_readers_share(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with locked(lock, exclusive=False) as one, locked(lock, exclusive=False) as two:
        assert one and two


def test_a_lock_that_cannot_be_created_is_skipped_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with locked(blocker / ".lock", exclusive=True) as ok:
        assert ok is False
