"""Jamaat: a Telegram bot for citizen participation in local self-government in Kyrgyzstan."""

__version__ = "0.1.0"
