"""What the bot does, apart from how Telegram shows it: exchange drafts, catalog, bids, checks."""
