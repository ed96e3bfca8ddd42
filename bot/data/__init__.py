"""Rule data of the bot (word lists), loaded once by `bot.names`."""
