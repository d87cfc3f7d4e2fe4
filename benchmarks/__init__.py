"""Benchmarks run by `make bench` (never by `make test`): they print results and write .bench/*.json."""
