"""Metrics, readiness and log context of the bot (issue 8 §5)."""
