"""Telegram presentation: callback data, keyboards and message renderers (built per request)."""
