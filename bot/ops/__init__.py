"""Operating the bot: backups, logging."""
