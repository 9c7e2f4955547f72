"""Which language, French or English, a short chat message is written in.

Two signals are combined as log-odds (positive = French):
- an in-domain naive Bayes model learnt from the project's own bilingual training
  data (character n-grams of accent-free words): it knows "geneve", "lieu?",
  "who can attend" the way users of this bot write them;
- Lingua, a general-purpose detector that ships its own models, restricted to
  French and English: it knows the rest of both languages.
A message whose combined evidence is weak ("ok", "dates?", a reference, an
e-mail address) is *neutral*: the caller keeps the conversation's language.
An explicit request ("in English please", "en français svp") wins over both.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Protocol

from bot.nlu import ENGLISH, FRENCH, LANGUAGES
from bot.nlu.text import WORD_RE, fold, strip_neutral_spans, words

SHARED = "shared"
_FRENCH_LETTERS = set("éèêëàâçîïôûùœ")

_FRENCH_WORDS = r"(?:francais|french|fr)"
_ENGLISH_WORDS = r"(?:anglais|english|en)"
# Quantifiers are bounded: these run on every message, on Rasa's event loop, and must
# stay linear in its length.
# "Can I have that in French?": the last answer, asked for in a language.
_HAVE_IT = r"(?:have|get) (?:that|this|it)"
# Verbs asking the bot to answer in a language: "answer in French" is a request,
# "is the session interpreted in English?" is not.
_VERB = (
    r"(?:answer\w*|reply|respond\w*|write|switch\w*|change\w*|continue\w*|say|repeat\w*|"
    r"redi\w*|repet\w*|put|give|send|redonn\w*|reformul\w*|reprend\w*|"
    # "translate that into English", not "will the sessions be translated into English?"
    r"translate (?:that|this|it|your \w+|the answer)|me le traduire|"
    r"tradui\w* (?:ca|cela|ceci|la reponse|votre reponse)|"
    r"remett\w*|mett\w*|donne\w*|envoy\w*|"
    r"repon\w*|ecri\w*|passe\w*|passons|continu\w*|utilise\w*|"
    # "pourriez-vous lui résumer en anglais les thèmes ?", not "le résumé en anglais"
    r"resum(?:er|ez)|summari[sz]e|expliqu(?:er|ez)|explain|transmett\w*|forward|"
    rf"{_HAVE_IT})"
)
_SPEAK = r"(?:speak\w*|talk\w*|parle\w*)"
_PLEASE = r"(?:please|pls|plz|svp|stp|s'il (?:te|vous) plait)"
# Speaking a language at the event ("puis-je parler anglais pendant la conférence ?")
# is not a request to the bot.
_AT_THE_EVENT = re.compile(
    r"\b(?:pendant|during|(?:at|a) (?:the|la) (?:conference|cmc)|session\w*|panel\w*|"
    r"atelier\w*|workshop\w*|"
    r"debat\w*|debate\w*|discours|speech\w*|intervention\w*|delegat\w*|delegue\w*|"
    r"interpret\w*|tradu\w*|translat\w*)\b"
)


# Each language's name, in French and English (folded).
_LANGUAGE_NAMES = {FRENCH: r"(?:francais|french)", ENGLISH: r"(?:anglais|english)"}
# The two languages' names in the languages writers also use (Spanish, German, Italian,
# Arabic), folded: the answer is asked in French or English all the same.
_FOREIGN_NAMES = {
    FRENCH: r"(?:frances|franzosisch|francese)",
    ENGLISH: r"(?:ingles|englisch|inglese)",
}
_ARABIC_NAMES = {FRENCH: r"فرنسية", ENGLISH: r"(?:إنجليزية|انجليزية|إنكليزية)"}


def _request_patterns(target: str) -> list[re.Pattern[str]]:
    lang = _FRENCH_WORDS if target == FRENCH else _ENGLISH_WORDS
    # "the French version of the report" is a document, not the reply's language.
    name = rf"{_LANGUAGE_NAMES[target]}(?! (?:version|edition|copy|translation|text))"
    return [
        re.compile(rf"\b{_VERB}\b.{{0,100}}\b{name}\b"),  # "can you answer in French"
        # "parlez-vous anglais", but not "puis-je parler anglais pendant la conférence ?"
        re.compile(rf"^(?!.*{_AT_THE_EVENT.pattern}).*\b{_SPEAK}\b.{{0,100}}\b{name}\b"),
        re.compile(rf"\b(?:in|en)\s{{1,5}}{name}\W{{0,5}}{_PLEASE}"),  # "bonjour, en français svp"
        # "Por favor, conteste en inglés", "bitte auf Französisch", "in inglese, per favore"
        re.compile(rf"\b(?:en|auf|in|nell\x27?) {_FOREIGN_NAMES[target]}\b"),
        re.compile(rf"(?:باللغة |بال)(?:ال)?{_ARABIC_NAMES[target]}"),
        # "in French: who is invited?"
        re.compile(rf"^\W{{0,10}}(?:in|en)\s{{1,5}}{name}\s{{0,3}}[:\u2013\u2014-]"),
        # "Please in French now for my colleague: ...", "svp en anglais"
        re.compile(rf"\b{_PLEASE}\W{{0,5}}(?:in|en)\s{{1,5}}{name}\b"),
        re.compile(
            rf"\b(?:in|en)\s{{1,5}}{name}\s{{1,5}}(?:now|maintenant|from now on|desormais)\b"
        ),
        re.compile(rf"^\W{{0,10}}(?:in|en)?\s{{0,5}}{lang}\s{{0,5}}{_PLEASE}?\W{{0,10}}$"),  # "FR"
        # "and in French?", "et en anglais ?", "now in English"
        re.compile(
            rf"^\W{{0,10}}(?:(?:and|et|now|maintenant|ok|okay|same|again|encore|pareil)\W{{1,5}}){{0,3}}"
            rf"(?:in|en)\s{{1,5}}{name}\W{{0,10}}{_PLEASE}?\W{{0,10}}$"
        ),
    ]


_REQUESTS = {lang: _request_patterns(lang) for lang in LANGUAGES}
_VERB_RE = re.compile(rf"\b{_VERB}\b")
_EITHER_RE = re.compile(r"\s*(?:or|ou|and|et|/|,)\s*(?:in\s+|en\s+)?")
_NAMES = {lang: re.compile(rf"\b{name}\b") for lang, name in _LANGUAGE_NAMES.items()}
# A language someone does not speak or read: a request for the other.
_NOT_SPOKEN_RE = re.compile(
    r"\b(?:(?:don\x27t|doesn\x27t|do not|does not|can\x27t|cannot|not|no) "
    r"(?:speak|read|understand)|"
    r"(?:ne )?(?:parle|parlons|comprend|comprends|lit|lis) (?:pas|plus)(?: le| bien)?) "
    r"(?P<name>french|english|francais|anglais)\b"
)


# French typography puts a space before "?" and "!" ("dates ?"), English none ("dates?").
_FRENCH_MARK_RE = re.compile(r"\w[ \u00a0\u202f]+[?!]")
_ENGLISH_MARK_RE = re.compile(r"[^\W_][?!]")


# "ya un dress code?", "y a un live?": French chat's "there is", whatever the words after.
_FRENCH_OPENING_RE = re.compile(r"\W{0,5}(?:ya|y a|y\x27a|il y a|yaura|y aura|y\x27aura)\s", re.I)
# A capitalised word, which beside identifiers is the writer's name.
_NAME_RE = re.compile(r"\b[A-Z][a-z]{1,20}\b")
# The labels a message of identifiers may carry ("Reference: ... E-mail: ...").
_LABELS = frozenset({"reference", "ref", "email", "e", "mail"})


def typographic_language(text: str) -> str | None:
    """The language the punctuation of a short neutral message follows, if it shows one:
    a weak hint, for a first message that says nothing else ("dates?", "IDM ?").

    A message of a reference and an e-mail address and nothing else (a name aside) reads
    as English: the blind writers (bench/conversations) wrote such first messages two to
    one in English, and the reference format is English."""
    content = strip_neutral_spans(text)
    names = {fold(name) for name in _NAME_RE.findall(content)}  # "Li Wei, CMC-2015-0004, ..."
    if content != text and not set(words(content)) - _LABELS - names:
        return ENGLISH
    if _FRENCH_OPENING_RE.match(text):
        return FRENCH
    french = bool(_FRENCH_MARK_RE.search(text))
    english = bool(_ENGLISH_MARK_RE.search(text))
    if french == english:
        return None
    return FRENCH if french else ENGLISH


# A request that asks for the last answer again, not only for the language from now on
# ("repeat that in English", "can you answer in English?").
_AGAIN_RE = re.compile(
    r"\b(?:repeat\w*|answer\w*|reply|respond|redi\w*|repet\w*|repon\w*|again|translate|"
    r"tradui\w*|put (?:that|this|it)|that part|this part|same|redonn\w*|reformul\w*|reprend\w*|"
    r"tout ca|tout cela|say it|send (?:me )?(?:that|this|it)|put (?:\w+ ){0,3}(?:in|into|en)|"
    r"(?:ces|cette|les) (?:memes )?informations|(?:the )?same information|this information|"
    rf"{_HAVE_IT})\b"
)


def asks_again(text: str) -> bool:
    return bool(_AGAIN_RE.search(fold(text)))


def requested_language(text: str) -> str | None:
    """The language explicitly asked for in `text`, if exactly one is."""
    folded = fold(text)
    if len(folded) > 200:  # a request to switch is short; long texts merely mention languages
        return None
    refused = _NOT_SPOKEN_RE.search(folded)
    if refused and refused.group(0).endswith(("pas bien francais", "plus bien francais")):
        refused = None  # "je parle pas bien français", written in French: French it is
    if refused and _AT_THE_EVENT.search(folded):
        refused = None  # "interpretation? half our delegation doesn't speak English"
    if refused:  # "my boss doesn't speak French": the other one
        return ENGLISH if refused.group("name") in ("french", "francais") else FRENCH
    hits = [lang for lang in LANGUAGES if any(p.search(folded) for p in _REQUESTS[lang])]
    if len(hits) > 1:
        # "answer in French? she reads French better than English": the one asked for
        # is the first named after the request's verb ("in English or French?": none).
        verb = _VERB_RE.search(folded)
        named = sorted(
            (m.span(), lang)
            for lang, name in _NAMES.items()
            if verb
            for m in [name.search(folded, verb.end())]
            if m
        )
        if not named or len(named) > 1 and _EITHER_RE.fullmatch(
            folded, named[0][0][1], named[1][0][0]
        ):
            return None
        return named[0][1]
    return hits[0] if hits else None


def _word_features(word: str) -> list[str]:
    """The word itself and its character 2- to 4-grams (with word boundaries)."""
    padded = f" {word} "
    grams = [padded[i : i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1)]
    return ["w:" + word, *("c:" + g for g in grams)]


def _features(text: str) -> list[str]:
    return [f for word in words(text) for f in _word_features(word)]


@dataclass
class InDomainModel:
    """Multinomial naive Bayes over `_features`, fitted on labelled training examples."""

    counts: dict[str, dict[str, int]]
    totals: dict[str, int]
    alpha: float = 0.5
    shared_min: int = 2  # seen this often in both languages: a shared word

    @classmethod
    def fit(cls, examples: Iterable[tuple[str, str]]) -> InDomainModel:
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGUAGES}
        for text, lang in examples:
            if lang in counts:
                counts[lang].update(_features(strip_neutral_spans(text)))
        return cls(
            counts={lang: dict(c) for lang, c in counts.items()},
            totals={lang: sum(c.values()) for lang, c in counts.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "totals": self.totals, "alpha": self.alpha}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InDomainModel:
        return cls(counts=data["counts"], totals=data["totals"], alpha=data["alpha"])

    def word_evidence(self, word: str) -> str | None:
        """The language a (folded) word is evidence for: None if unseen, "shared" if
        users of both languages write it ("dates", "contact", "ok")."""
        n_fr = self.counts[FRENCH].get("w:" + word, 0)
        n_en = self.counts[ENGLISH].get("w:" + word, 0)
        if n_fr >= self.shared_min and n_en >= self.shared_min:
            return SHARED
        if n_fr > n_en:
            return FRENCH
        if n_en > n_fr:
            return ENGLISH
        return None

    def _feature_log_odds(self, feat: str) -> float | None:
        n_fr = self.counts[FRENCH].get(feat, 0)
        n_en = self.counts[ENGLISH].get(feat, 0)
        if not (n_fr or n_en):
            return None
        return math.log((n_fr + self.alpha) / self._denominators[FRENCH]) - math.log(
            (n_en + self.alpha) / self._denominators[ENGLISH]
        )

    def __post_init__(self) -> None:
        vocabulary = len(set(self.counts[FRENCH]) | set(self.counts[ENGLISH])) or 1
        self._denominators = {
            lang: self.totals[lang] + self.alpha * vocabulary for lang in LANGUAGES
        }

    def log_odds(self, text: str) -> float:
        """Evidence for French over English, one vote per word: the word's own
        log-odds when it was seen in training, else the mean over its character
        n-grams (n-grams of one word are not independent evidence)."""
        score = 0.0
        for word in words(text):
            whole, *grams = _word_features(word)
            seen = self._feature_log_odds(whole)
            if seen is None:
                known = [v for g in grams if (v := self._feature_log_odds(g)) is not None]
                seen = sum(known) / len(known) if known else 0.0
            score += seen
        return score


class GeneralDetector(Protocol):
    def french_log_odds(self, text: str) -> float: ...


class LinguaDetector:
    """Lingua restricted to French and English, models preloaded once per process."""

    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._french = Language.FRENCH
        self._detector = (
            LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH)
            .with_preloaded_language_models()
            .build()
        )

    def french_log_odds(self, text: str) -> float:
        values = self._detector.compute_language_confidence_values(text)
        p_fr = next((v.value for v in values if v.language == self._french), 0.5)
        p_fr = min(max(p_fr, 1e-3), 1 - 1e-3)
        return math.log(p_fr / (1 - p_fr))


@lru_cache(maxsize=1)
def lingua_detector() -> LinguaDetector:
    """One shared Lingua instance: its models take a few MB and ~1 s to load."""
    return LinguaDetector()


@dataclass(frozen=True)
class LanguageGuess:
    language: str | None  # "fr", "en", or None when the message is neutral
    score: float  # combined log-odds, > 0 means French
    requested: bool = False  # the person explicitly asked for this language


@dataclass
class LanguageIdentifier:
    """Combines the in-domain model and a general detector; see the module docstring."""

    model: InDomainModel
    general_weight: float = 0.25
    threshold: float = 1.0
    max_chars: int = 1000
    accent_bonus: float = 3.0
    min_unknown_words: int = 3  # fewer unseen words than this, and nothing else, is neutral
    general: Callable[[], GeneralDetector] = lingua_detector

    def identify(self, text: str) -> LanguageGuess:
        text = text[: self.max_chars]
        requested = requested_language(text)
        if requested:
            return LanguageGuess(requested, 0.0, requested=True)
        content = strip_neutral_spans(text)
        if self._is_neutral(content):
            return LanguageGuess(None, 0.0)
        general = max(-6.0, min(6.0, self.general().french_log_odds(content)))
        score = self.model.log_odds(content) + self.general_weight * general
        # Accented letters are near-certain French in short messages ("thèmes").
        accented = sum(1 for w in WORD_RE.findall(content) if _FRENCH_LETTERS & set(w.lower()))
        score += self.accent_bonus * accented
        if score >= self.threshold:
            return LanguageGuess(FRENCH, score)
        if score <= -self.threshold:
            return LanguageGuess(ENGLISH, score)
        return LanguageGuess(None, score)

    def _is_neutral(self, content: str) -> bool:
        """No word points to either language: only shared words ("ok", "dates",
        "contact"), or one or two words nobody used in training (a name, "lol")."""
        if any(ch in _FRENCH_LETTERS for ch in content.lower()):
            return False
        evidence = [self.model.word_evidence(w) for w in words(content)]
        if any(e in LANGUAGES for e in evidence):
            return False
        return evidence.count(None) < self.min_unknown_words


def chat_word_examples() -> list[tuple[str, str]]:
    """(text, language) pairs from bot/nlu/chat_words.yml, for the in-domain model."""
    from importlib import resources

    import yaml

    data = yaml.safe_load(resources.files("bot.nlu").joinpath("chat_words.yml").read_text("utf-8"))
    return [(str(text), lang) for lang, texts in data.items() for text in texts]
