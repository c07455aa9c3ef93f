"""Notifications reach customers and operators through the paced sender (DESIGN.md §6): in
order, within Telegram's limits, once, and despite 429s, dead processes, lost Redis data and
restarts."""
