"""The staff console: an aiohttp sub-application under /staff of the web app
(`bot.staff.app.create_app`), its accounts and audit (`accounts`), the conversations it
reads from Rasa's tracker store (`conversations`), and its commands (`cli`).

Nothing is imported here, so that the migrations can load `bot.staff.schema` alone."""
