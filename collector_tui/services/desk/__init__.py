"""One account at the desk: reading it, what the collector changes, what the consumer asks,
holds and contacts."""
