"""Text into index terms (words, stop words, lemmas, stems) and into sentences, for passages and
questions alike; on every core for large builds."""
