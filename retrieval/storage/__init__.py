"""An index folder on disk: its files and typed records, checksums, locks, where the cache lives,
and the stored sentences of each passage with their terms."""
