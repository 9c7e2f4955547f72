"""`python -m bot.run_rasa run ...`: Rasa's own command line, in a process whose logs
never hold personal data (bot/privacy.py) and with Rasa's per-message fixes installed
(bot/patches/), whichever store endpoints.yml names. scripts/run-all and the tests start
the Rasa server this way; the arguments are Rasa's.

With RASA_API_TOKEN set, `run` also enables Rasa's HTTP API behind that token (the
staff console's replies go through it); the token is added here rather than on the
command line, where any local user could read it (`ps`). Unset, the API stays off."""

from __future__ import annotations

import sys

from bot import settings


def api_arguments(argv: list[str], token: str) -> list[str]:
    """`argv` with `--enable-api --auth-token TOKEN` added to a `run` that has neither."""
    if not token or argv[1:2] != ["run"] or {"--enable-api", "--auth-token"} & set(argv):
        return argv
    return [*argv, "--enable-api", "--auth-token", token]


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot import patches, privacy

    privacy.install()
    patches.install_rasa()
    sys.argv = api_arguments(sys.argv, settings.get("RASA_API_TOKEN"))
    rasa_main()


if __name__ == "__main__":
    main()
