"""Benchmarks of the bot's notification path; run `python -m bench.notifications` (README.md)."""
