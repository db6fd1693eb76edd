"""What every interface shares, with no `telegram` import: the service (the index and its answers,
reloads), the folder watcher, the feed poller, follows' matching and timing, and the answers
`eval --qa` asks for."""
