"""Measuring quality: nDCG@10 and Recall@100 on BEIR data, and answer-level scores on question
sets."""
