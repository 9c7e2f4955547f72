"""The public conference page with the chat widget, and /health (aiohttp).

`create_app(config)` builds the app; `python -m bot web` serves it on WEB_PORT.
The widget talks to Rasa's socket.io channel directly (bot/channels/socketio.py);
this app only serves the page, its static files and the health check.
"""

from __future__ import annotations

from bot.web.app import WebConfig, create_app

__all__ = ["WebConfig", "create_app"]
