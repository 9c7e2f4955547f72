"""The NLU: Rasa components, their helpers and their data, all of it here (what retrains
the model is exactly this package, bot/nlu/fingerprint.py).

The languages the model is trained for and answers in, defined once for the whole
project (bot/settings.py gives them to the rest).
"""

from typing import Final

FRENCH: Final = "fr"
ENGLISH: Final = "en"
LANGUAGES: Final = (FRENCH, ENGLISH)
# The language of the source (the press release) and of a conversation that shows none
# (domain.yml's `language` slot starts with it).
DEFAULT_LANGUAGE: Final = FRENCH
