"""The answer layer: a question read once (cleaned, respelled, analysed), searched, checked for
coverage, its sentences scored, quoted and rendered. No `telegram` import; plain dataclasses out."""
