"""`python -m bot telegram set-webhook URL`: the one call to Telegram made on request."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot import settings


def set_webhook(public_url: str) -> str:
    """Register the webhook with its secret token; returns Telegram's description."""
    token = settings.get("TELEGRAM_BOT_TOKEN")
    secret = settings.get("TELEGRAM_SECRET_TOKEN")
    if not token or not secret:
        raise RuntimeError("TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN must both be set")
    if not public_url.startswith("https://"):
        raise RuntimeError("Telegram only sends updates to an https:// URL")
    api = settings.get("TELEGRAM_API_URL").rstrip("/")
    body = {
        "url": f"{public_url.rstrip('/')}/webhooks/telegram/webhook",
        "secret_token": secret,
        "allowed_updates": ["message", "edited_message", "callback_query"],
    }
    request = urllib.request.Request(
        f"{api}/bot{token}/setWebhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as reply:
            answer = json.loads(reply.read())
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise RuntimeError(f"Telegram could not be reached: {type(error).__name__}") from None
    if not answer.get("ok"):
        raise RuntimeError(str(answer.get("description", "Telegram refused the webhook")))
    return str(answer.get("description", "webhook set"))
