"""Turn the shared news pages into a corpus folder, once, for writing and asking news questions.

    python benchmarks/extract_news_pages.py [--pages ../shared/data/news-pages] OUT_DIR

Each page of `news-pages/expect.json` is read with trafilatura (with its metadata: title, date,
site name, link) and written to OUT_DIR as a `.md` article with front matter. OUT_DIR is outside
the repository: the pages are the shared data's, not the project's (their SOURCE.md). The
questions of `tests/data/news_questions.jsonl` over `news-pages` were written against this
folder. trafilatura is one of corpusbot's own dependencies (`corpusbot add` uses it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import trafilatura


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the corpus folder to write (made if missing)")
    parser.add_argument("--pages", type=Path, default=Path("../shared/data/news-pages"))
    args = parser.parse_args(argv)
    pages = json.loads((args.pages / "expect.json").read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    for page in pages:
        html = (args.pages / "pages" / page["file"]).read_text(encoding="utf-8", errors="replace")
        article = _article(html, page["url"])
        if article is None:
            print(f"skipped {page['file']}: no article text", file=sys.stderr)
            continue
        (args.out / f"{Path(page['file']).stem}.md").write_text(article, encoding="utf-8")
        written += 1
    print(f"{written} of {len(pages)} pages written to {args.out}")
    return 0


def _article(html: str, url: str) -> str | None:
    extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if extracted is None or not extracted.text:
        return None
    fields = {
        "title": extracted.title,
        "date": extracted.date,
        "source": extracted.sitename,
        "url": extracted.url or url,
    }
    front = "".join(f"{key}: {value}\n" for key, value in fields.items() if value)
    title = extracted.title or url
    return f"---\n{front}---\n\n# {title}\n\n{extracted.text}\n"


if __name__ == "__main__":
    sys.exit(main())
