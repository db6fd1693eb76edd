"""Extraction quality of `corpusbot add` on real news pages, served on 127.0.0.1.

    python benchmarks/extraction_quality.py [--pages ../shared/data/news-pages]

Each page of `news-pages/expect.json` is served on 127.0.0.1 under its URL's path and added by
link (retrieval/ingest/adding.py: fetched, extracted with trafilatura, written as a .md article)
into a temporary corpus folder. Printed: the share of the `with` strings the written article keeps,
of the `without` strings (boilerplate) it drops, the pages that are clean (all kept, all dropped),
and those that got a date.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from corpusbot.retrieval.ingest.adding import add_links
from corpusbot.retrieval.ingest.fetching import FetchSettings

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=ROOT.parent / "shared/data/news-pages")
    args = parser.parse_args(argv)
    pages = json.loads((args.pages / "expect.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as served, tempfile.TemporaryDirectory() as corpus:
        paths = _lay_out(pages, args.pages / "pages", Path(served))
        server = _serve(Path(served))
        texts: list[str] = []
        try:
            for path in paths:  # one at a time: each page's article, or its reason
                link = f"http://127.0.0.1:{server.server_address[1]}{path}"
                report = add_links(Path(corpus), [link], FetchSettings(allow_private=True))
                found = report.added or report.replaced
                texts.append(Path(corpus, found[0].path).read_text("utf-8") if found else "")
                for skipped in report.skipped:
                    print(f"skipped {path}: {skipped.reason}")
        finally:
            server.shutdown()
    _report(pages, texts)
    return 0


def _lay_out(pages: list[dict[str, object]], source: Path, served: Path) -> list[str]:
    """Each page under its URL's path (index.html for a path ending in /); the paths."""
    paths = []
    for page in pages:
        path = urlsplit(str(page["url"])).path or "/"
        target = served / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((source / str(page["file"])).read_bytes())
        paths.append(path)
    return paths


def _serve(folder: Path) -> ThreadingHTTPServer:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def guess_type(self, path: str | object) -> str:  # the pages have no .html ending
            return "text/html; charset=utf-8"

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _report(pages: list[dict[str, object]], texts: list[str]) -> None:
    kept = dropped = wanted = unwanted = clean = dated = 0
    for page, text in zip(pages, texts, strict=True):
        with_ = [str(s) for s in page["with"]]  # type: ignore[attr-defined]
        without = [str(s) for s in page["without"]]  # type: ignore[attr-defined]
        hits = sum(s in text for s in with_)
        misses = sum(s not in text for s in without)
        kept, wanted = kept + hits, wanted + len(with_)
        dropped, unwanted = dropped + misses, unwanted + len(without)
        clean += hits == len(with_) and misses == len(without)
        dated += "\ndate: " in text
    print(f"{len(pages)} pages, {sum(map(bool, texts))} added")
    print(f"kept    {kept}/{wanted} = {kept / max(wanted, 1):.3f} of the article strings")
    print(f"dropped {dropped}/{unwanted} = {dropped / max(unwanted, 1):.3f} of the boilerplate")
    print(f"clean pages {clean}/{len(pages)}; dated {dated}/{len(pages)}")


if __name__ == "__main__":
    sys.exit(main())
