"""A customer hears of every status change of their bid exactly once (DESIGN.md §6).

The bid is created through the chat; the sandbox exchanger then posts its real callbacks
(form POST, once, no retry: facts §7, §9.12) over HTTP to the callback receiver, the worker
reads bid_info and hands messages to the send queue. Telegram delivery itself is the paced
sender's job: here a recording queue stands in for it, honouring the one promise the worker
relies on (a dedup_key is delivered once).

These are component stories: the bot runs without its own worker, sender and reconciler, and
the tests drive theirs step by step (`pipeline` in conftest.py).
tests/e2e/test_status_notifications.py runs the whole app as deployed.
"""
