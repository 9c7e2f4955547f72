"""`python -m bot.run_rasa run ...`: Rasa's own command line, in a process whose logs
never hold personal data (bot/privacy.py) and with Rasa's per-message fixes installed
(bot/patches/), whichever store endpoints.yml names. scripts/run-all and the tests start
the Rasa server this way; the arguments are Rasa's."""

from __future__ import annotations


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot import patches, privacy

    privacy.install()
    patches.install_rasa()
    rasa_main()


if __name__ == "__main__":
    main()
