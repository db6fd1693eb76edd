"""The Telegram layer: the only package that imports `telegram`. Handlers, the typed context,
buttons, inline mode, and the replies built (no I/O) apart from the code that sends them."""
