"""The BM25 index: built from articles in bounded memory, saved and cached per corpus, searched."""
