"""News coming in: links and feeds fetched without trusting them, article text extracted, and
written into the corpus folder."""
