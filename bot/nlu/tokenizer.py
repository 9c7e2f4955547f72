"""Rasa NLU component: tokens and lemmas from spaCy's blank French/English pipelines.

Pretrained spaCy models cannot be installed here, and are not needed: blank
pipelines tokenise each language properly ("l'OIM" -> "l'", "OIM") and the
lookup lemmatizer (spacy-lookups-data, offline) gives "voudrais" -> "vouloir".
Lemmas are folded (lower-case, no accents) so that "Genève" and "geneve" are
the same feature for the featurizers that follow.

French uses spaCy's French punctuation rules (elisions, hyphenated suffixes) and
French lookup lemmas, but not `spacy.lang.fr` itself: importing it compiles the
tokenizer-exception regular expressions, 5 of the server's ~25 s of start-up
(docs/benchmarks.md). What is lost is keeping listed hyphenated words whole
("après-midi" becomes "après", "-", "midi"): 20 of the 1,364 French training and
held-out sentences tokenise differently, with no loss of held-out accuracy.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, cast

import spacy
import spacy.lang
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from spacy.language import BaseDefaults, Language
from spacy.lookups import load_lookups

from bot.nlu import ENGLISH, FRENCH
from bot.nlu.fingerprint import CodeFingerprinted
from bot.nlu.language_detector import LANGUAGE_GUESS, example_language
from bot.nlu.text import fold


def french_punctuation() -> Any:
    """spaCy's `spacy/lang/fr/punctuation.py`, loaded on its own (its relative imports
    only reach the shared `spacy.lang` rules), so `spacy.lang.fr` is never imported."""
    path = Path(spacy.lang.__path__[0]) / "fr" / "punctuation.py"
    spec = importlib.util.spec_from_file_location("spacy.lang.fr.punctuation", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def french_pipeline() -> Language:
    punctuation = french_punctuation()

    class FrenchDefaults(BaseDefaults):
        prefixes = punctuation.TOKENIZER_PREFIXES
        suffixes = punctuation.TOKENIZER_SUFFIXES
        infixes = punctuation.TOKENIZER_INFIXES

    # spaCy leaves Language.__init_subclass__ unannotated.
    class French(Language):  # type: ignore[no-untyped-call]
        lang = FRENCH
        Defaults = FrenchDefaults

    nlp = French()
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # spaCy types Pipe.initialize without the Lemmatizer's `lookups`.
    lemmatizer.initialize(lookups=load_lookups(FRENCH, ["lemma_lookup"]))  # type: ignore[call-arg]
    return nlp


@cache
def blank_pipeline(language: str) -> Language:
    """A blank spaCy pipeline with the lookup lemmatizer, built once per process."""
    if language == FRENCH:
        return french_pipeline()
    nlp = spacy.blank(language)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BilingualLemmaTokenizer(CodeFingerprinted, Tokenizer):
    """Tokenises each message with the pipeline of its language."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Language used when nothing tells which one a text is in.
            "default_language": FRENCH,
        }

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BilingualLemmaTokenizer:
        for language in (FRENCH, ENGLISH):
            blank_pipeline(language)  # load the lookup tables now, not on the first message
        return cls(config)

    def _language(self, message: Message) -> str:
        found: str | None = example_language(message) or message.get(LANGUAGE_GUESS)
        return found if found in (FRENCH, ENGLISH) else self._config["default_language"]

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute)
        lowered = text.lower()
        if len(lowered) != len(text):  # rare characters whose lower case is longer
            lowered = text
        doc = blank_pipeline(self._language(message))(lowered)
        tokens = [
            Token(text[t.idx : t.idx + len(t.text)], t.idx, lemma=fold(t.lemma_ or t.text))
            for t in doc
            if not t.is_space and not (t.is_punct and len(doc) > 1)
        ]
        if not tokens:  # Rasa needs at least one token, e.g. for "?" or an emoji
            tokens = [Token(text, 0, lemma=fold(text))]
        return cast("List[Token]", self._apply_token_pattern(tokens))
