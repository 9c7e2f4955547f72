"""The fact base (`facts.yml`) and what a message asks of it.

A message may ask several things at once, confirm or contradict the source, or ask a
detail the source does not give. `analyse` finds, in the order asked, every item a
message asks about:
- `{"fact": id, "verdict": "yes"|"no"|None}` for a fact of the release;
- `{"fact": "not_in_source"}` for a detail it does not give (fees, hotels, visas...);
- `{"fact": "not_cancelled"}` for a rumour of cancellation or postponement;
- `{"followup": k}` for "how many?", "since when?": resolved by the action from the
  topic of its last answer.

It reads the folded text (lower case, no accents) sentence by sentence and clause
by clause; every pattern is bounded so the whole analysis is linear in the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterator, List, Pattern, Sequence, Set, Tuple

import yaml

from bot.nlu import LANGUAGES
from bot.nlu.formats import CONTACT_EMAILS, EMAIL_RE, PHONE_RE, REFERENCE_RE, is_contact_email
from bot.nlu.spelling import Corrector, cue_words, dictionary_words
from bot.nlu.text import URL_RE, fold

FACTS_FILE = Path(__file__).with_name("facts.yml")
NOT_IN_SOURCE = "not_in_source"
NOT_CANCELLED = "not_cancelled"
# "Can you look me up by name?": why the check needs the reference and e-mail (a phrase).
BY_NAME = "by_name"
# Facts on whom to contact: a request for a person, or the e-mail of a check, names them
# without asking them (bot/nlu/fact_detector.py).
CONTACT_FACTS = frozenset({"contact", "samri"})
# After a registration status ("why?", "when will I know?"): the domain's answer on
# decisions (`utter_registration_decision`), not a fact of the release.
REGISTRATION_DECISION = "registration_decision"
REGISTRATION_TOPIC = "registration"
# The conference this one follows: what a question in the past tense may be about.
EARLIER_CONFERENCE = "diaspora_2013"
# The conference itself: the topic of a conversation before any answer.
CONFERENCE_TOPIC = "cmc"

_TOKEN_RE = re.compile(r"[a-z0-9]+")
# A word standing alone: "ki" is "qui", not in "Ban Ki-moon".
_WORD_RE = re.compile(r"(?<![a-z0-9-])[a-z0-9]+(?![a-z0-9-])")
# A capitalised word inside a sentence is a name ("James", "Favre"), never a typo.
_CAPITALISED_RE = re.compile(r"(?<=[\w,;:] )[A-ZÀ-Ý][a-zà-ÿ]+")
# How far into a clause a question word still opens it ("so, where exactly is it").
_WH_OPENING_WORDS = 3
# ... or ends it, in French ("elle avait réuni combien de personnes ?").
_WH_CLOSING_WORDS = 3
# Sentences with their end mark, then clauses ("the dates, the venue and whom to write").
# ";" separates the items of a list ("1) les dates ; 2) la ville"), not sentences.
# A number of an inline list ("confirmation of: 1. the dates; 2. the venue").
_ENUMERATOR_RE = re.compile(r"(?<=[:;,] )(\d{1,2})\.(?= )")
# Items numbered inside a line ("kindly tell (1) ... (2) ..."): put on lines of their own.
_INLINE_ITEM_RE = re.compile(r"(?<=\S) {1,3}(\(\d{1,2}\)|\d{1,2}\))(?= )")
# "26.10" is not two sentences, nor is "(c'est septante pour cent, si j'ai bien lu ?)".
_SENTENCE_RE = re.compile(r"(?:[^?!.\n]|\.(?=\d)|[?!]+(?=\s*\)))+[?!.\n]*")
_CLAUSE_RE = re.compile(
    # A dash between words, not between days ("26 - 27 octobre").
    r",|:|;|(?<!\d)\s[-\u2013\u2014]\s(?!\d)|"
    # "and" between two days joins none: "les 26 et 27".
    # "dites-m'en plus sur la conférence", "en savoir plus sur": no second clause
    r"(?<!\d)(?<!m\x27en)(?<!savoir)\s(?:and|et|&|\+|n|ainsi que|aussi|plus|as well as|puis|pis|"
    r"then)\s|"
    r"(?<=\d)\s(?:and|et|&|\+|n|ainsi que|aussi|plus|as well as|puis|pis|then)\s(?!\d)"
    # "also" after a verb joins no clause: "it was also in Geneva?"
    r"|(?<!\bwas)(?<!\bis)(?<!\bwere)(?<!\bare)(?<!\bwill)(?<!\bbe)\salso\s"
    # A question run on without a mark ("is it launched at the cmc what does it look
    # into"): a question word and its verb start a clause.
    r"|(?<!about)(?<!know)(?<! me)(?<! on)(?<! of)(?<! in)"
    r"\s(?=(?:what|where|when|who|how|which|why)\s(?:is|are|does|do|did|will|was|were|can)\s)"
)
_NUMBER_RE = re.compile(r"(?<![\d.,])\d{1,4}(?![\d])")
# A decade: "since the 1950s", "depuis les années 50".
_DECADE_RE = re.compile(
    r"\b(?:(?P<century>19|20)?(?P<tens>\d)0\x27?s|annees (?P<fr_century>19|20)?(?P<fr_tens>\d)0)\b"
)
# A number and the word it counts ("70 ministres", "600 participants").
_COUNTED_RE = re.compile(r"(?<![\d.,])(\d{1,4}) (?:de |d\x27|of )?([a-z]+)")
# An accented letter lost on the way ("Gen?ve", "conf\ufffdrence"): most often an e.
_LOST_LETTER_RE = re.compile(r"(?<=[^\W\d_])[?\ufffd](?=[^\W\d_])")
_TITLE_DOT_RE = re.compile(r"\b(m|mr|mrs|ms|dr|prof|mme|mlle|st)\.(?= )")
# Numbers in words, written as digits before any claim is checked: "cent septante et
# un", "one hundred and seventy-five", "quatre-vingt-dix", "six cents", "sixty". A unit
# or "cent" alone stays a word ("un rapport", "pour cent").
_UNITS = {
    "un": 1, "une": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3, "quatre": 4,
    "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8,
    "neuf": 9, "nine": 9,
}
_TEENS = {
    "dix": 10, "ten": 10, "onze": 11, "eleven": 11, "douze": 12, "twelve": 12, "treize": 13,
    "thirteen": 13, "quatorze": 14, "fourteen": 14, "quinze": 15, "fifteen": 15, "seize": 16,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "vingt": 20, "vingts": 20, "twenty": 20, "trente": 30, "thirty": 30, "quarante": 40,
    "forty": 40, "cinquante": 50, "fifty": 50, "soixante": 60, "sixty": 60, "septante": 70,
    "seventy": 70, "huitante": 80, "octante": 80, "eighty": 80, "nonante": 90, "ninety": 90,
}
_HUNDRED = {"cent": 100, "cents": 100, "hundred": 100, "mille": 1000, "thousand": 1000}
_NUMBER_WORD = "|".join(sorted({*_UNITS, *_TEENS, *_TENS, *_HUNDRED}, key=len, reverse=True))
_NUMBER_WORDS_RE = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:-| | et | and )(?:{_NUMBER_WORD}))*\b"
)
# A round figure, a claim all the same: "dont une centaine de ministres ?" (No: 60).
_ABOUT = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
}
_ABOUT_RE = re.compile(rf"\bune ({'|'.join(_ABOUT)})\b")


def _number(words: List[str]) -> int | None:
    """The value of number words in a row, or None when they do not make one number
    ("one or two" is not matched; "un deux" is not a number)."""
    total = current = 0
    last = ""
    for word in words:
        if word in _UNITS or word in _TEENS:
            if last in ("unit", "teen"):
                return None
            current += _UNITS.get(word) or _TEENS[word]
            last = "unit" if word in _UNITS else "teen"
        elif word in _TENS:
            if word.startswith("vingt") and last == "unit" and current % 10 == 4:
                current += 76  # "quatre-vingt(s)"
            elif last in ("unit", "teen", "tens"):
                return None
            else:
                current += _TENS[word]
            last = "tens"
        elif _HUNDRED[word] == 100:
            current = (current or 1) * 100
            last = "hundred"
        else:
            total, current, last = total + (current or 1) * 1000, 0, "thousand"
    return total + current


def _written(text: str) -> str:
    """Number words as digits; two numbers joined by "et"/"and" ("vingt-six et
    vingt-sept") each on its own."""
    words = [w for w in re.split(r"[- ]", text) if w not in ("", "et", "and")]
    alone = len(words) == 1 and words[0] not in _TENS
    value = None if alone else _number(words)
    if value is not None:
        return str(value)
    parts = _JOINED_RE.split(text)
    if len(parts) == 1:
        return text
    return "".join(p if i % 2 else _written(p) for i, p in enumerate(parts))


_JOINED_RE = re.compile(r"( (?:et|and) )")
# A thousands separator ("6 000 participants", "6,000"): one number.
_THOUSANDS_RE = re.compile(r"(?<![\d.,])(\d{1,3})[ ,.\u202f](\d{3})(?![\d])")


# A question expecting yes or no: an auxiliary first, an inversion, or a tag.
_YES_NO_RE = re.compile(
    r"^\s*(?:oui ou non|yes or no|vrai ou faux|true or false)\b"
    r"|^\s*(?:(?:and|so|but|et|alors|mais|donc|ok|hi|hello|bonjour|svp|please|sorry|pardon|also|"
    r"aussi|plus|then|puis|enfin|finalement|finally|lastly)"
    r"[\s,]+){0,2}"
    # "Could you give me the dates?" is a request, not a yes/no question.
    r"(?!(?:can|could|would|will) you (?:please )?(?:give|tell|send|provide|share|list|explain|"
    r"describe|indicate|let me|let us|explain|clarify|advise|specify|inform|confirm whether|"
    r"confirm if)\b)"
    r"(?:is|are|was|were|will|would|does|do|did|has|have|can|could|shall|should|isn\x27t|aren\x27t|"
    r"est-ce|est ce|ce sera|ca sera|y a-t-il|y aura-t-il|il y a|il y aura|y a|ya|y aura|peut-on|"
    r"puis-je)\b"
    r"|\b[a-z]+-(?:t-)?(?:elle|il|elles|ils|on)\b"
    r"|\b(?:c\x27est|c est|cest|c) (?:bien|ca|juste|vrai|exact)\b"
    # "c l'oim ki organise ?": it is X who..., a yes or no
    r"|^\W*(?:c\x27est|c est|cest|c)\s+(?:l\x27|le |la |les )?(?!qui|ki|quoi|koi|ou|quand)[a-z]+\s+"
    r"(?:qui|ki)\b"
    # "je voudrais savoir si...", "I want to know if...": a yes/no question, reported.
    r"|\b(?:savoir|know|wonder\w*|demande\w*|ask\w*) (?:si|s\x27il|s\x27ils|if|whether)\b"
    r"|\b(?:right|correct|true|vrai|n\x27est-ce pas|hein|isn\x27t it|aren\x27t they|is that so|"
    r"ou pas|or not|innit|confirm(?:ez|e)?|c\x27est ca|c\x27est bien ca|(?<!au )juste|c bien ca|"
    r"c ca|"
    r"non|yeah|yes|exact|exactement|ou bien|c\x27tu vrai|is (?:he|she|that) right|no|y/n|o/n|"
    r"oui/non|yes/no|(?:is|has|was|were|did|does|do|will|would|have|are)n\x27?t (?:it|they|he|she|"
    r"there|that|we))\s*\W*$"
    # "L'OIM existe depuis 1945 hein, comme l'ONU": a tag before an aside.
    r"|\b(?:hein|n\x27est-ce pas|isn\x27t it|innit|right)\s*,"
)
_WH_RE = re.compile(
    r"\b(?:when|where|who|whom|what|which|how|why|quand|ou|qui|quel|quelle|quels|quelles|"
    r"comment|combien|pourquoi|quoi|lequel|laquelle|whens|wheres|whats|kel|kelle|"
    r"qu\x27(?:a|ont|avait|avaient|aura|auront|est-ce))\b"
)
# Whether the assistant is a person: "are you a bot?", "je parle à un robot ?".
_MACHINE = r"(?:bot|robot|chatbot|human|humain|real|vrai|vraie|person|personne|ai|ia|machine)\b"
_ASSISTANT_IDENTITY = (
    rf"(?:are|r) (?:you|u) (?:even |really |actually )?(?:a |an )?{_MACHINE}|"
    rf"^\W*(?:(?:and|so|but|et|alors)\W+)?(?:you|u|toi|vous) (?:a |an |un |une )?{_MACHINE}\W*$|"
    rf"(?:es-tu|etes-vous|t\x27es|tes|\bt|vous etes|vs etes|tu es|t es) (?:un |une )?{_MACHINE}|"
    r"(?:am i|are we) (?:talking|speaking|chatting|writing) (?:to|with) "
    rf"(?:a |an )?(?:actual |live )?{_MACHINE}|"
    r"is (?:this|it) (?:an? )?(?:automated |automatic )?(?:bot|robot|chatbot|ai|machine)\b|"
    r"(?:je parle|je discute|je cause|j\x27ecris|on parle|on discute|parle-t-on|parle-je|"
    rf"suis-je en train de parler) (?:a|avec) (?:un |une )?{_MACHINE}"
)
_ASSISTANT_IDENTITY_RE = re.compile(_ASSISTANT_IDENTITY)
# Questions of politeness or about the assistant, which ask nothing of the release.
_SMALL_TALK_RE = re.compile(
    r"\b(?:how are (?:you|u)|how r u|hope (?:you are|you\x27re|u r|all is|this finds)|"
    r"comment (?:allez-vous|vas-tu|ca va)|ca va|vous allez bien|tu vas bien|"
    rf"{_ASSISTANT_IDENTITY}|who are (?:you|u)|"
    r"qui (?:etes-vous|es-tu)|do (?:you|u) speak|parlez-vous|tu parles|"
    r"(?:can|may|could) i ask|puis-je (?:vous )?(?:poser|demander)|right place|bon endroit|"
    r"(?:you|u|anyone|anybody|quelqu\x27un) (?:there|la)\b|vous etes la|on dit quoi|"
    # "Can we continue in English?": the language, which the switch answers.
    r"(?:continue|continuer|answer|reply|respond|repondre|write|ecrire|speak|parler|go on|"
    r"carry on|keep going|switch|passer|poursuivre)\w* "
    r"(?:\w+ ){0,2}(?:in|en) (?:english|anglais|french|francais))"
)
# Questions about the assistant itself ("which company built you?" names no invitee).
_ABOUT_THE_ASSISTANT_RE = re.compile(
    r"\b(?:(?:built|made|created|developed|trained|programmed|designed|coded) (?:you|u)\b|"
    r"(?:ai|language|llm) models?\b|(?:you|u) (?:running|run|based) on\b|"
    r"(?:what|which) languages? (?:do|can|does) (?:you|u)\b|"
    r"quel(?:le)?s? langues? (?:parlez|parles|comprenez|comprends|connaissez|connais)\b|"
    r"(?:parlez|parles|comprenez|comprends|connaissez|connais)(?:-vous|-tu| vous| tu)? "
    r"quel(?:le)?s? langues?|"
    r"(?:what|which) (?:ai|llm|chatbot|bot) |remember (?:what|everything) i\b|"
    r"(?:t\x27a|vous a|t\x27ont|vous ont) (?:cree|construit|developpe|programme|concu|fabrique)\b|"
    r"(?:tu|vous) (?:te |vous )?souvien\w* de ce que|"
    rf"{_ASSISTANT_IDENTITY})"
)
# A subject named first, then taken up by a pronoun: "and mayors, are they heard?".
_TOPICALISED_RE = re.compile(
    r"\W*(?:(?:and|et|but|mais|what about|how about|quid des?|et pour) )?"
    r"(?:(?:the|les|des|la|le|l\x27) ?)?[a-z\x27]+(?: [a-z\x27]+)?"
    r"(?P<mark>\s*(?:,|\s[-\u2013\u2014])\s*)"
    r"(?:(?:why|how|pourquoi|comment) )?(?:(?:are|do|does|will|can|is|have|did|were) )?"
    r"(?:they|ils|elles|il|elle|them|leur)\b"
)
# Words of a registration: a sentence with one ("pouvez-vous vérifier mon inscription ?")
# is answered by the check, it is no question the release leaves open.
REGISTRATION_WORD_RE = re.compile(
    r"\b(?:inscri\w*|regist\w*|status|statut|reference|dossier|candidature)\b"
)
# A letter's question on one's own registration's standing: the check answers it.
_OWN_STANDING_RE = re.compile(
    r"\b(?:my|mon|ma|our|notre) (?:registration|inscription|candidature|application|dossier)\b"
    r".{0,40}\b(?:in order|accepted|confirm\w*|approved|registered|recorded|received|valid\w*|"
    r"enregistree?|acceptee?|bien (?:ete|recue?)|en regle)"
    r"|\b(?:confirm|check|verify|confirmer|verifier)\b.{0,30}\b(?:my|mon|ma|our|notre) "
    r"(?:registration|inscription|candidature|application|dossier)\b"
)
# A count asked as a whole, which may be the earlier conference's ("in total?").
_TOTAL_RE = re.compile(r"\b(?:au total|in total|en tout|overall|altogether|all told)\b")
# A relative pronoun after a noun and its article: "un rapport qui sort", "the people who".
_RELATIVE_RE = re.compile(
    r"\b(?:un|une|le|la|les|des|du|ce|cette|ces|the|a|an|this|these|those|some) [a-z]+ "
    r"(?:qui|who|which)\b|\b(?:ceux|celles|celui|celle|those|people) (?:qui|who)\b|"
    # "talk about migrants who are vulnerable?"
    r"\b(?:about|of|for|on|with|among|sur|pour|avec|parmi|aux) [a-z]+ (?:qui|who|which)\b|"
    # A cleft: "c'est l'OIM qui organise ?", "c l oim qui organise?"
    r"\bc(?:\x27est| est|est)? (?:l\x27|l |le |la |les )?[a-z]+ qui\b"
)
# Asking a count anywhere in the sentence, never a relative pronoun: "et l'OIM elle a
# combien d'États membres déjà ?".
_COUNT_WH_RE = re.compile(r"\b(?:combien|how many|how much)\b")
# A statement that carries a claim to check: "I heard it was in Vienna".
_PREMISE_RE = re.compile(
    r"\b(?:thought|heard|told|believe|(?:i|we|i\x27ve|we\x27ve|have|had) read|"
    r"read (?:that|in|on|it)|"
    r"je lis|nous lisons|lis que|lu dans|lu sur|vu dans|vu sur|understands?|assume|guess|"
    r"suppose|given that|since|"
    r"pensais|pense|crois|croyais|entendu|dit que|lu que|lu qu|compris|il parait|parait-il|"
    r"apparently|right|cru comprendre|comprendre que|il me semble|understood|i understand that|"
    r"informee? que|appris (?:\w+ ){0,5}que|comme vous le savez|as you (?:know|are aware)|"
    r"m\x27assure|assure que|nous assure|"
    r"been told|was told|on m\x27a dit|been informed|informed that|"
    r"says|said|affirme|pretend|claims?|told me|m\x27a dit|according to|selon (?:lui|elle|mon|ma)|"
    r"n\x27est-ce pas|isn\x27t it|correct|vrai|sure|puisque|etant donne|"
    r"comme (?:c\x27est|la conference|elle) |"
    r"j\x27ai vu|i saw|i\x27ve seen|i have seen|"
    r"confirm\w* (?:these|those|the above|this|that|all this|the details|ces|ceci|cela|"
    r"les informations|les elements|les details)|"
    # What a letter states before asking: "our internal note states that...", "selon une
    # correspondance, la conférence aurait lieu...", "we wrote that IOM was founded in..."
    r"selon (?:une?|des|la|le|les|notre|nos|certaine?s?)|"
    r"d\x27apres (?:une?|des|la|le|les|notre|nos)|"
    r"lu (?:dans|sur) (?:\w+ ){1,3}que|read (?:in|on) (?:\w+ ){1,3}that|"
    r"m\x27a (?:indique|signale|informe|explique|ecrit)|(?:told|informed|advised) (?:me|us) that|"
    r"(?:il est|it is) (?:ecrit|indique|mentionne|written|stated)|(?:ont|a|avons) note que|"
    r"(?:nous avons|j\x27ai|on a) (?:ecrit|note|lu|indique|mentionne|retenu)|"
    r"(?:we|i) (?:have )?(?:wrote|written|noted|stated|indicated|mentioned)|"
    r"(?:est|sont) (?:decrite?s?|presentee?s?|indiquee?s?|mentionnee?s?) comme|"
    r"(?:is|are|was|were) (?:described|presented|listed|mentioned|given) as|"
    r"aurait lieu|se tiendrait|se serait tenue?|would (?:be held|take place)|"
    r"(?:note|notes|memo|brochure|draft|statement|records?|correspondance|correspondence|depeche|"
    r"dispatch)\b.{0,40}\b(?:states?|says?|indicates?|describes?|mentions?|indique|mentionne|"
    r"precise|decrit|dit)|"
    r"further to your (?:conference|meeting|event)|faisant suite a votre (?:conference|reunion)|"
    r"whether|si (?:la|le|les|l\x27|des|une?|cette|ce|ces)|si je ne me trompe|"
    r"if i(?:\x27m| am) not mistaken|am i right|is that (?:so|right|true)|est-ce exact)\b"
)
# A sentence of a letter that asks something (others are context: "I am the mayor of...").
_ASKS_RE = re.compile(
    r"\b(?:pourriez|pouvez|pourrais|peux|could|can|would|will|may|souhait\w*|voudr\w*|aimerai\w*|"
    r"like to know|want to know|wish|wonder\w*|savoir|know|connaitre|renseign\w*|inform\w*|tell|"
    r"indiqu\w*|precis\w*|confirm\w*|please|pls|plz|svp|merci de|let me know|need|besoin|"
    r"looking for|cherche|demand(?!s? for\b)\w*|ask\w*|interest\w*|interess\w*|like to|"
    r"i\x27d like|je veux|"
    r"i want|advis\w*|kindly|whether|grateful|appreciat\w*|enquir\w*|inquir\w*|clarif\w*|"
    r"reconnaissant\w*|saurais gre|transmett\w*|faire parvenir|forward|est-ce qu\w*|est ce qu\w*|"
    r"y a-t-il|is there|are there|give me|show me|send me|donne[zr]?-moi|donne moi|"
    r"envoye[zr]?-moi|montre[zr]?-moi|oblige\w*|bien vouloir|verifi\w*|verify|"
    r"rappele[zr]?-moi|rappelle-moi|remind|dites-moi|dis-moi|dites-m\x27en|dis-m\x27en|explain|"
    r"explique[zr]?-moi|"
    r"(?:je|nous) vous prions?|faire tenir|sollicit\w*|request\w*|i\x27d rather|i would rather|"
    r"il (?:me|lui|nous|leur) (?:faut|faudrait))\b"
)
# What a letter's sentence asks without a question mark: "Kindly advise whether...",
# "I would be grateful for the dates" (not "we would like to contribute").
_REQUEST_RE = re.compile(
    r"\b(?:know|savoir|connaitre|confirm\w*|tell|indiqu\w*|precis\w*|inform\w*|advis\w*|"
    r"whether|wonder\w*|clarif\w*|renseign\w*|enquir\w*|inquir\w*|demand(?!s? for\b)\w*|ask\w*|"
    r"provide|"
    r"fournir|communiqu\w*|send|envoy\w*|share|partag\w*|grateful|reconnaissant|oblige\w*|"
    r"appreciat\w*|need|besoin|details?|explain|expliqu\w*|kindly|please|pls|svp|merci de|"
    r"rappel\w*|remind|quote|citer|faudrait|il (?:me|nous|lui|leur) faut|transmett\w*|saurais gre|"
    r"sollicit\w*|request\w*|"
    r"(?:helpful|useful|utile|precieux) (?:to|de|d\x27) (?:receive|have|get|know|recevoir|avoir|"
    r"obtenir|connaitre|savoir)|"
    r"(?:would|\x27d) (?:also )?like to (?:know|ask|have|get|"
    r"receive|obtain|learn|check|verify|understand|be informed)|"
    r"(?:aimerai\w*|voudrai\w*|souhaiterai\w*) (?:aussi |egalement )?(?:savoir|connaitre|"
    r"verifier|confirmer|"
    r"que vous|vous demander|recevoir|obtenir|avoir|comprendre|mieux comprendre|en savoir|une?|"
    r"des|le|la|les))\b"
)
# Words that turn to another subject: a follow-up after them is not about the one before.
_NEW_TOPIC_RE = re.compile(
    r"\b(?:par ailleurs|autre chose|(?:une )?autre question|d\x27autre part|sinon|"
    r"(?:pour )?changer de sujet|rien a voir|by the way|btw|on another (?:note|subject|topic)|"
    r"another (?:thing|question)|separately|unrelated|(?:changing|change) (?:the )?subject)\b"
)
# Question words that ask even inside a sentence ("j'aimerais savoir combien..."), not
# the relative ones ("the conference, which...", "qui", "ou").
_ASKING_WH_RE = re.compile(
    r"\b(?:quel\w*|combien|quand|comment|pourquoi|quoi|how many|how much|what|whats|"
    r"when|whens|where|wheres|why)\b"
)
# What a statement must name for its claim to be about the release's facts: IOM, the
# conference, the earlier conference or the report ("je suis maire depuis 2008" is not).
_CLAIM_SUBJECTS = {
    "iom": re.compile(r"\b(?:oim|iom)\b"),
    "cmc": re.compile(r"\b(?:conf\w*|cmc|rencontre|evenement|event|meeting|sommet|summit)\b"),
    "diaspora": re.compile(r"\bdiaspora"),
    "wmr": re.compile(r"\b(?:rapport|report|wmr)\b"),
    "dg": re.compile(r"\b(?:direct\w* gen\w*|dg)\b"),
}
# A question asking for help, before saying what with.
_HELP_RE = re.compile(
    r"\b(?:help (?:me|us)|m\x27aider|nous aider|me renseigner|nous renseigner)\W*$"
)
# The 2013 conference named: a month or a year in the clause is that conference's.
_EARLIER_CONFERENCE_RE = re.compile(r"\bdiaspora|\b2013\b|\bministerial|\bministeriel")
# What a statement names before a city it claims for the venue.
_VENUE_WORDS_RE = re.compile(
    r"\b(?:conf\w*|cmc|event\w*|evenement|meeting|rencontre|held|hosted|lieu|tiendra|tient|"
    r"deroul\w*|organis\w*|organiz\w*|deplac\w*|moved|relocat\w*|transfer\w*)\b"
)
# A letter's salutation line ("Monsieur le Directeur général,"): whom it is addressed
# to, not a question about them.
_SALUTATION_RE = re.compile(
    r"\A\s{0,5}(?:(?:Dear|To|Cher|Chère|Honorable|Honourable|Très honorables?|Excellence|Your "
    r"Excellency|Monsieur|Madame|Mesdames|Messieurs)\b[^\n?]{0,80}[,:]?\s{0,3}\n)",
    re.IGNORECASE,
)
# A clause saying whom the writer represents or works for.
_WHO_I_AM_RE = re.compile(
    r"\W*(?:\w+\W+)?(?:je represente|i represent|je travaille (?:pour|a|au|dans)|"
    r"i work (?:for|at|in|with))\b"
)
_WHAT_ABOUT_RE = re.compile(r"\s*(?:(?:and|so|et)\s+)?(?:what|how) about\b")
# One office holder ("le maire de Montréal, il vient ?"): the release names no one who
# comes, so whether they do is not in it.
_OFFICE_HOLDER_RE = re.compile(
    r"\b(?:le|la) (?:maire|mairesse|ministre|president\w*|premier ministre|secretaire general)"
    r" (?:de|du|d\x27|des) (?!ma |mon |notre |nos )\w+.{0,25}\b(?:vient|viendra|participe\w*|"
    r"sera (?:la|present\w*)|"
    r"(?:en )?fai(?:t|ra) partie|est (?:bien )?(?:invite|convie)e?|parler\w*|prendr\w* la parole|"
    r"intervien\w*|interviendra|a confirme|confirme\w*)"
    r"|\b(?:the )?(?:mayor|minister|president|prime minister|secretary[- ]general) of "
    r"(?!my |our |an? |the city\b|cities\b)\w+"
    r".{0,25}\b(?:coming|come|attend\w*|participat\w*|be there|invited|among|part of|"
    r"speak\w*|give a (?:speech|talk)|address\w* the|confirm\w*)"
    r"|\b(?:un|onu|the|le|la) secr\w* gen\w*\b(?: (?:de l\x27onu|des nations unies|of the un))?"
    r".{0,25}\b(?:coming|come|atte?nd\w*|participat\w*|be there|vien\w*|particip\w*|sera|"
    r"present\w*)"
)
# The writer introducing themselves: "I'm the deputy mayor of Turin, can I attend?"
_SELF_INTRODUCED_RE = re.compile(r"\b(?:i\x27m|i am|im|as|je suis|en tant que)\s+(?:\w+\s+){0,2}$")


def _office_holder(text: str) -> re.Match[str] | None:
    """A named office holder asked about, not the writer's own office."""
    for match in _OFFICE_HOLDER_RE.finditer(text):
        if not _SELF_INTRODUCED_RE.search(text[max(0, match.start() - 30) : match.start()]):
            return match
    return None


# A line of a list ("- the dates", "2) the fees", "b. hotels"): in a letter, each
# is one of the things asked.
_LIST_ITEM_RE = re.compile(
    r"\s*(?:[-*\u2022\u2013\u00b7]|\(?\d{1,2}[.)]|\(?[a-h][.)]|\(?(?:i{1,3}|iv|vi{0,3}|ix|x)[.)])\s"
)
# "Am I registered for the Geneva conference?", "son inscription à la conférence de Genève
# est-elle passée ?": the city names the event, it does not ask where it is.
_EVENT_NAMED_BY_CITY_RE = re.compile(
    r"\b(?:geneva|geneve|genf) (?P<event>conference|conf|meeting|event|summit)\b|"
    r"\b(?P<to_the>(?:a|pour|for|to|pendant|during|at|lors de) (?:la|the) "
    r"(?:conference|conf|reunion|rencontre)) "
    r"(?:de|in|a) geneve\b|"
    # "la conf de l oim a geneve c pr les ong aussi?": the subject, then what is asked of it
    r"\b(?P<subject>(?:la|the) (?:conference|conf|cmc)"
    r"(?: (?:de l\x27|de l |of the |of )(?:oim|iom))?)"
    r" (?:a|in) (?:geneve|geneva)\b(?=,? (?:c\b|c\x27est|est|is|it\x27s|it is))"
)


def _event_only(match: re.Match[str]) -> str:
    return str(match["event"] or match["to_the"] or match["subject"])
# Whether or why one's registration could change ("ce statut peut-il encore évoluer ?"):
# asked beside facts, a question of its own.
_OWN_CHANGE_RE = re.compile(
    r"\b(?:statut|status) (?:peut|pourrait|can|could|may|might) (?:encore |still )?"
    r"(?:evoluer|changer|change)\b|\b(?:switch\w*|put|set|turn\w*) (?:it |me )?back "
    r"(?:to )?(?:active|on)\b|\bback to active\b|"
    r"\bpourquoi (?:ma|mon) (?:demande|inscription|candidature|dossier)\b|"
    r"\b(?:my|mes) chances\b"
)
# One's own attendance or case, asked right after a registration status ("can I still
# come on the 26th?", "is there an appeal process?"): about that decision, not the facts
# its words name.
_OWN_CASE_RE = re.compile(
    _OWN_CHANGE_RE.pattern + r"|"
    r"\b(?:can|could|may) i (?:still |even |at least |then )?(?:attend|come|participate|"
    r"take part|go|enter|get in|join)\b|\bshow up\b|\bturn up\b"
    r"|\b(?:possible|able) for me to (?:attend|come|go|participate|join)\b|\btry my luck\b|"
    r"\bat the door\b|\bwalk[- ]in\b|\b(?:encore|toujours) possible (?:de|pour moi de) "
    r"(?:venir|participer|assister)\b"
    r"|\b(?:ca|cela) veut dire quoi\b|\bqu\x27est-ce que (?:ca|cela) (?:veut dire|signifie)\b|"
    r"\bwhat does (?:that|this|it) (?:actually |really |exactly )?mean\b|\bwhat is the meaning\b|"
    r"\bwill i get a (?:seat|place|spot)\b|\bil me manque\b|"
    r"\bi (?:can ?not|cannot|can\x27t) (?:come|attend|go|participate)\b|"
    r"\bje (?:ne )?(?:peux|pourrai) (?:pas|plus) (?:venir|participer|assister)\b"
    r"|\b(?:i\x27ll|i will|will i|would i|do i) (?:still |ever |eventually |finally |then )?"
    r"(?:get in|get a (?:place|seat|spot)|be (?:able to )?(?:attend|come|go|there))\b"
    r"|\b(?:peux|pourrai|pourrais|puis)(?:-je)? (?:quand meme |toujours |malgre tout |alors )?"
    r"(?:venir|participer|assister|entrer|y aller)\b"
    r"|\bsans (?:confirmation|inscription|badge|invitation)\b"
    r"|\bwithout (?:a |any |the )?(?:confirmation|registration|badge|invitation)\b"
    r"|\bam i (?:coming|in|going|attending)\b|\bbump\w* up\b|\bmove (?:me )?up\b|"
    r"\bquoi (?:je|on) (?:dois|doit|peux|peut) faire\b|\bnouvelle inscription\b"
    r"|\b(?:won\x27t|will not|wouldn\x27t|would not) be able to (?:attend|come|go|participate)\b"
    r"|\b(?:seat|place|spot)s? (?:opens?|becomes? (?:free|available)|frees? up)\b"
    r"|\bplace se libere\b"
    r"|\b(?:will|would|shall) i be (?:told|informed|notified|contacted|warned)\b"
    r"|\bserai(?:s|-je)? (?:informee?|prevenue?|avertie?|contactee?)\b"
    r"|\bappeal\b|\brecours\b|\bhow long\b.{0,50}\b(?:review|decision|decide|process|answer)\b"
    r"|\b(?:review|examen|traitement|decision)\b.{0,30}\b(?:take|takes|prend|dure)\b"
)
# A short message with no sentence mark at all: SMS style, where questions lose their "?".
_UNPUNCTUATED_RE = re.compile(r"[^?!.\n]*")
_SMS_WORDS = 8
# A letter's closing: the lines after it are a signature ("Geneva Correspondent").
_CLOSING = (
    r"(?:(?:best|kind|warm|warmest|with best) (?:regards|wishes)|regards|cordialement|"
    r"sincerely|yours|merci|thanks?|thank you|thx|cheers|bien a vous|salutations|respectfully|"
    r"respectueusement|veuillez agreer|je vous prie|nous vous prions)"
)
_CLOSING_RE = re.compile(rf"\W*{_CLOSING}\b")
# A line of a few words without a mark, neither about the writer ("je suis maire de
# Dakar") nor a greeting or closing.
_SMS_LINE_RE = re.compile(
    rf"^(?=[^\n]*[a-z])(?!\W*(?:je|j\x27|i|i\x27m|im|nous|we|my|mon|ma|moi|me|{_CLOSING})\b)"
    r"(?!\W*(?:bonjour|bonsoir|hello|hi|hey|salut|slt|dear|cher|chere|madame|monsieur)\b"
    r"(?:\W+\w+){0,2}\W*$)"
    r"(?:\w+\b[^\w\n]*){1,8}$(?<![.!?\s])",
    re.M,
)
# A message this long is a letter: each of its questions is answered or said missing.
LETTER_WORDS = 25
# "Is Angela Merkel coming?": the release names no participant or speaker.
_NAMED_PERSON_RE = re.compile(
    # "Le Ministre vient-il ?" is a title, not a name
    r"\b(?!(?:Le|La|Les|The|Mon|Ma|Mes|Notre|Nos|Our|My|Un|Une|Des|An|Son|Sa|Ses|His|Her)\b)"
    r"(?:[A-Z][a-zà-ÿ]{1,20}(?:[ -](?:[A-Z][a-zà-ÿ]{1,20}|de|van|von|ki)){1,3})\b"
    r"(?=[^?]{0,40}\b(?:coming|come|attend\w*|speak\w*|there|participe\w*|vien\w*|venir|sera|"
    r"present\w*|invit\w*|intervien\w*|parler)\b)"
    # "Est-ce que M. Okafor vient ?": a title and a surname
    r"|\b(?:M\.|Mme|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prof\.?) [A-Z][a-zà-ÿ]{1,20}\b"
    r"(?=[^?]{0,40}\b(?:coming|come|attend\w*|speak\w*|there|participe\w*|vien\w*|venir|sera|"
    r"present\w*|invit\w*|intervien\w*|parler)\b)"
    r"|\b(?:will|is|does|est-ce que|est ce que)\s+"
    r"(?:[A-Z][a-zà-ÿ]{1,20}[ -]){1,3}(?:[A-Z][a-zà-ÿ]{1,20})\b"
)
_KNOWN_NAMES = (
    "samri",
    "swing",
    "azzouz",
    "william",
    "lacy",
    "genev",
    "iom",
    "oim",
    "cmc",
    "idm",
    # Capitalised words that name the release's things, not people: "the World
    # Migration Report being launched there".
    "report",
    "rapport",
    "migration",
    "conference",
    "dialogue",
    "cities",
    "villes",
)
# "Are mayors invited, or is it only ministers?": the yes/no is on the first part.
_OR_ONLY_RE = re.compile(
    r"\b(?:ou|or)\b(?: (?:the |la |le |l\x27)?(?:conference|conf|event|evenement|cmc))?"
    r"(?: (?:c\x27est|c est|is it|it\x27s|it is|is|est|bien|alors|bien c\x27est))? "
    r"(?:only|just|seulement|uniquement|juste|reservee? aux?|reserved (?:for|to))\b"
    # "... font partie des invités, ou si la conférence est réservée aux pouvoirs publics"
    r"|\b(?:ou|or) (?:si|if|whether)\b.{0,40}\b(?:only|just|seulement|uniquement|reservee? aux?)\b"
    r"|\b(?:pas|not|non) (?:seulement|only|just|uniquement)\b"  # "not only ministers"
)
_ONLY_RE = re.compile(
    # "my director reads only French" limits nobody invited.
    r"(?<!read )(?<!reads )(?<!speak )(?<!speaks )(?<!lit )(?<!parle )"
    r"\b(?:only|just(?! (?:one|a (?:quick|question|few|couple|note|reminder)|another|to|wondering|"
    r"checking|asking|quick\w*|curious|want\w*|need\w*|like)\b)|exclusively|seulement|"
    r"uniquement|exclusivement|reservee? aux?|seule?s?|"
    r"(?:limited|restricted|reserved|confined) to|limitee? aux?|restreinte? aux?)\b"
)
# A date in figures: "26/10", "26.10.2015", "26-27.10".
_NUMERIC_DATE_RE = re.compile(
    r"\b(?P<days>\d{1,2}(?:\s?-\s?\d{1,2})?)[/.](?P<month>\d{1,2})(?:[/.]\d{2,4})?\b"
)
# The months the fact base names, as numbers (a fact's `months` are folded stems).
_MONTH_NUMBERS = {"octob": 10}


def _days(date: re.Match[str]) -> str:
    return date.group("days")


# A message this short is a follow-up of the conversation's topic ("how big?").
_SHORT_WORDS = 4
# "May" only as a date ("in May", "3 May"): "mayors", "may I" are not months.
_MONTH_RE = re.compile(
    r"\b(?:janv|janu|fevr|febr|avril|april|juin|june|juil|july|aout|august|sept|octo|nove|"
    r"dece)\w*|\b(?:mars|march|mai|jan|feb|fev|apr|avr|jun|jul|aug|sep|oct|nov|dec)\b"
    r"|\b(?:in|on|early|late|mid|\d{1,2}(?:st|nd|rd|th)?) may\b|\bmay \d"
)
# The days written before a month, in a list or a range: "les 25 et 26 octobre", "on
# 25-26 Oct", "the 26th and 27th of October" (a clause split at "and" sees one day only).
_DAYS_OF_MONTH_RE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|er)?\b(?=(?:\s{0,3}(?:,|et|and|&|-|\u2013|au|to|ou|or)\s{0,3}"
    r"(?:the\s)?\d{1,2}(?:st|nd|rd|th|er)?){0,4}\s{0,3}(?:of\s|d\x27|de\s)?(?:" + _MONTH_RE.pattern
    + r"))"
)
# A bound on a count: "more than 150 countries", "moins de 100 participants".
_AT_LEAST_RE = re.compile(r"\b(?:more than|over|at least|above|plus de|au moins)\s+(\d{1,4})\b")
_AT_MOST_RE = re.compile(
    r"\b(?:less than|fewer than|under|at most|below|moins de|au plus)\s+(\d{1,4})\b"
)
_NEVER_RE = re.compile(r"\b(?:never|jamais)\b")
# A bound on a year: "around since before 1960?", "fondée après 1945 ?".
_YEAR_BOUND_RE = re.compile(
    r"\b(?:(?P<before>before|avant|prior to|earlier than)|after|apres|later than)\s+"
    r"(?:(?:l\x27an|l\x27annee|the year)\s+)?(?P<year>1[89]\d\d|20\d\d)\b"
)
# A quoted title: "Le rapport « Migrations et climat » ?" names a report to check.
# Single quotes too, opened after a space: an apostrophe follows a letter ("l'OIM").
_QUOTED_RE = re.compile(
    r"[\u00ab\u201c\"](?P<title>[^\u00bb\u201d\"]{3,80})[\u00bb\u201d\"]"
    r"|(?<!\S)[\u2018'](?P<single>[^'\u2019]{3,80})['\u2019](?![a-z])"
)
# The past tense: after an answer on the 2013 conference, "when was it?" is about it.
_PAST_RE = re.compile(
    r"\b(?:was|were|did|had|happened|came|attended|avait|avaient|etait|etaient|c\x27etait|"
    r"a eu lieu|avait eu lieu|s\x27est tenue?|s\x27appelait|that one|celle-la|c etait|cetait|"
    r"y a eu|ya eu|y avait)\b"
)
# A sentence that only asks to confirm the one before it.
_CONFIRM_TAG_RE = re.compile(
    r"\s*(?:(?:so|alors|donc|et|and|please|pls|svp|stp)\s+)?"
    r"(?:is (?:he|she|that|it|this|they) (?:right|correct|true)|"
    r"(?:is )?that (?:right|correct|true)|true or false|right|correct|true|"
    r"(?:can|could) you confirm(?: (?:it|this|that))?|please confirm|"
    r"c\x27est (?:bien )?(?:exact|vrai|juste|ca)|c (?:bien )?(?:exact|vrai|ca)|c\x27tu vrai|"
    r"(?:vous )?(?:confirmez|pouvez confirmer|pourriez confirmer)(?:-vous)?|vrai ou faux|"
    r"est-ce (?:bien )?(?:exact|vrai|juste|correct)|"
    r"a-t-il raison|a-t-elle raison|il a raison|elle a raison)"
    r"\W*$"
)
# A request to confirm what the sentence before it said: "We will come to New York on
# 26-27 November. Could you confirm these details?"
_CONFIRM_REQUEST_RE = re.compile(
    r"\bconfirm\w* (?:ce chiffre|ce pourcentage|ce nombre|this figure|that figure|"
    r"these figures|these|those|the above|this|that|all this|the details|ces|ceci|cela|"
    r"les informations|les elements|les details|cette information|it)\b|"
    r"\b(?:me |nous )?(?:le|la|les) confirmer\b|"
    # "... 80 % d'ici 2050. Ce chiffre correspond-il à celui de l'OIM ?"
    r"\b(?:ce|cet|this|that) (?:chiffre|figure|number|nombre|pourcentage|percentage)\b.{0,30}"
    r"\b(?:correspond\w*|exact|right|correct|match\w*|juste|bon|accurate)\b"
)
# "Is it still on?" is answered "Yes" (the release announces it), "was it cancelled?" "No".
_STILL_ON_RE = re.compile(
    r"\b(?:still|toujours|maintenu\w*|going ahead|on track|confirmed (?:that )?it|as planned|"
    r"comme prevu)\b"
)
# What corrects a claim that takes the release's contact for the Director General.
_CORRECTING = frozenset({"contact", "dg_quote"})
# "Is it still on", "est-elle toujours prévue": asked in words, whatever the punctuation.
_STILL_ASKED_RE = re.compile(
    r"\b(?:is|are|does) (?:it|the (?:conf\w*|cmc|event|meeting)|this) still\b|"
    r"\b(?:est|est-elle|est-ce qu\x27elle|elle est|c\x27est) (?:\w+ )?(?:toujours|maintenu\w*)\b"
)
# In a clause that asks a detail the release does not give, only these facts are
# also answered ("the dates and the opening time"), not the ones a word of it evokes.
_WITH_MISSING = frozenset(
    {"dates", "venue", "wmr_launch", "wmr_title", "topics", "confirmed", "urban_share"}
)
# "When" in a clause: the dates, unless one of these facts answers it.
_WHEN_RE = re.compile(
    r"\b(?:when|quand|kan|kand|what date|quelle date|which days?|quels jours|"
    r"(?:what|which) year|quelle annee)\b"
    # "pourquoi parle-t-on des villes quand on parle de migrations ?": a conjunction
    r"(?! (?:on|il|elle|ils|elles|je|j\x27|tu|nous|vous|we|you|they|people|one) "
    r"(?:parle|pense|voit|dit|regarde|talk|think|speak|look|see)\w*)"
)
_WHEN_FACTS = frozenset({"dates", "diaspora_2013", "iom_founded", "wmr_launch", "urban_share"})
# "the Vienna conference": a claim on the venue, whatever the sentence's form.
_EVENT_OF_PLACE = re.compile(r"\s(?:conference|conf|cmc|meeting|event|summit|sommet)")
# Words before a place that say it is the writer's home, not a claim on the venue.
_HOME_RE = re.compile(
    r"\b(?:commune|ville|city|town|municipal\w*|mairie|maire|mayor|ministry|ministere|from|"
    r"venant|originaire|je suis|i am|i\x27m|work|travaille|based|basee?|habite|live|vis|region|"
    r"living|lives|lived|resid\w*|vivant|moved|installee?s?|"
    r"occupe|association|ong|ngo|universit\w*|chercheu\w*|researcher|professor|professeure?|"
    r"urbaine|urban|bureau|office)\b"
)
_PLACE_PREFIX = (
    r"(?:in|at|to|a|en|au|aux|dans|sur|near|pres de|held in|lieu a|"
    # "la conférence de New York en novembre": the event named by its city
    r"(?:conference|conf|sommet|rencontre|reunion) (?:de|d\x27))\s*(?:la |le |l\x27)?"
)


@dataclass(frozen=True)
class Fact:
    id: str
    group: str
    texts: Dict[str, str]
    source: str
    cues: Tuple[Pattern[str], ...]
    numbers: FrozenSet[int] = frozenset()
    # Which words a number goes with (IOM: 175 member states, 171 countries).
    numbers_near: Dict[int, Tuple[str, ...]] = field(default_factory=dict)
    places: Tuple[str, ...] = ()
    months: Tuple[str, ...] = ()
    confirms: bool = False
    with_: Tuple[str, ...] = ()
    names: Tuple[str, ...] = ()
    # Words of a claim the release contradicts, each at the start of a word ("ong" is
    # not in "belong"); a short one is a whole word.
    wrong: Pattern[str] | None = None
    only_means_no: bool = False
    # "What about X?" naming one of `names` (or a `wrong` word) asks yes or no.
    what_about: bool = False
    titled: bool = False  # a quoted title in a claim is checked against `names`
    partial: bool = False


@dataclass(frozen=True)
class Followup:
    cues: Tuple[Pattern[str], ...]
    by_group: Dict[str, str]
    default: str | None = None
    # Cues the release confirms when asked yes or no ("and the private sector too?").
    confirms: Tuple[Pattern[str], ...] = ()
    # The fact it asks after one fact of a topic rather than the topic's ("why them?"
    # after the mayors' role: theirs, not the migrants' of the same topic).
    by_fact: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FactBase:
    facts: Dict[str, Fact]
    followups: Tuple[Followup, ...]
    phrases: Dict[str, Dict[str, str]]
    not_in_source: Tuple[Pattern[str], ...]
    domain: Tuple[Pattern[str], ...]
    not_cancelled: Tuple[Pattern[str], ...]
    # Details of the place the release lacks (building, room): answered with the city.
    venue_details: Tuple[Pattern[str], ...]
    not_cancelled_texts: Dict[str, str]
    wrong_places: Pattern[str]
    intents: Dict[str, List[str]] = field(default_factory=dict)
    spellings: Dict[str, str] = field(default_factory=dict)
    # The words the cues look for, and those the answers say: typos are corrected
    # towards the first, the second are never typos.
    cue_words: FrozenSet[str] = frozenset()
    own_words: FrozenSet[str] = frozenset()

    @cached_property
    def corrector(self) -> Corrector:
        """Built on first use (it reads spaCy's word lists, about half a second): the
        FactDetector builds it when it loads, the web page never needs it."""
        return Corrector(self.cue_words, dictionary_words() | self.own_words)

    def text(self, key: str, language: str) -> str:
        """The answer text of a fact or item, in `language`."""
        if key == NOT_CANCELLED:
            return self.not_cancelled_texts[language]
        if key in self.facts:
            return self.facts[key].texts[language]
        return self.phrases[key][language]


def _compile(patterns: Sequence[str]) -> Tuple[Pattern[str], ...]:
    """The cues as one alternation: its first match is the earliest of any cue (what
    `_first` needs), found in one scan instead of one per cue."""
    if not patterns:
        return ()
    return (re.compile("|".join(f"(?:{p})" for p in patterns)),)


def _words_re(words: Sequence[str]) -> Pattern[str] | None:
    """One pattern for `words`, each starting a word; words of four letters or fewer
    end one too. facts.yml writes an apostrophe \\x27 in word lists as in patterns."""
    if not words:
        return None
    literal = (w.replace("\\x27", "'") for w in words)
    alternatives = (
        re.escape(w) + (r"(?![a-z])" if len(w) <= 4 and w.isalpha() else "") for w in literal
    )
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + ")")


def parse_fact_base(raw: Dict[str, Any]) -> FactBase:
    """A FactBase from the YAML document (see facts.yml for the fields)."""
    facts = {
        f["id"]: Fact(
            id=f["id"],
            group=f["group"],
            texts={lang: f[lang] for lang in LANGUAGES},
            source=f["source"],
            cues=_compile(f.get("cues", [])),
            numbers=frozenset(f.get("numbers", [])),
            numbers_near={int(k): tuple(v) for k, v in (f.get("numbers_near") or {}).items()},
            places=tuple(f.get("places", [])),
            months=tuple(f.get("months", [])),
            confirms=bool(f.get("confirms", False)),
            with_=tuple(f.get("with", [])),
            names=tuple(f.get("names", [])),
            wrong=_words_re(f.get("wrong", [])),
            only_means_no=bool(f.get("only_means_no", False)),
            what_about=bool(f.get("what_about", False)),
            titled=bool(f.get("titled", False)),
            partial=bool(f.get("partial", False)),
        )
        for f in raw["facts"]
    }
    places = "|".join(re.escape(p) for p in raw["wrong_places"])
    cue_lists = [f.get("cues", []) for f in raw["facts"]]
    cue_lists += [f["cues"] for f in raw["followups"]]
    cue_lists += [raw["not_in_source"][k] for k in ("cues", "domain", "venue_details")]
    answers = " ".join(f[lang] for f in raw["facts"] for lang in LANGUAGES)
    return FactBase(
        facts=facts,
        followups=tuple(
            Followup(
                _compile(f["cues"]),
                dict(f.get("by_group", {})),
                f.get("default"),
                _compile(f.get("confirms", [])),
                dict(f.get("by_fact", {})),
            )
            for f in raw["followups"]
        ),
        phrases=raw["phrases"],
        not_in_source=_compile(raw["not_in_source"]["cues"]),
        domain=_compile(raw["not_in_source"]["domain"]),
        not_cancelled=_compile(raw["not_cancelled"]["cues"]),
        venue_details=_compile(raw["not_in_source"]["venue_details"]),
        not_cancelled_texts={k: raw["not_cancelled"][k] for k in LANGUAGES},
        # "in Vienna", or "the Vienna conference"
        wrong_places=re.compile(
            rf"\b{_PLACE_PREFIX}(?:{places})"
            rf"|\b(?:{places})\w{{0,3}}\s(?:conference|conf\w{{0,6}}|cmc|meeting|event|summit|sommet)\b"
            rf"|^\W*(?:{places})\w{{0,3}}\W*$"  # "Vienna, right?": a clause of the place alone
            # "vienna right?", "and paris too?"
            rf"|^\W*(?:(?:and|et|or|ou|also|aussi)\s+)?(?:{places})\w{{0,3}}(?:\W+[a-z\x27]+){{0,2}}"
            r"\W*\?\W*$"
        ),
        intents={k: list(v) for k, v in raw["intents"].items()},
        spellings={str(k): str(v) for k, v in (raw.get("spellings") or {}).items()},
        # Typos are corrected to the cues' words and to those of wrong claims ("thrree
        # days": three).
        cue_words=frozenset(cue_words(p for cues in cue_lists for p in cues))
        | frozenset(
            w
            for f in raw["facts"]
            for phrase in f.get("wrong", [])
            for w in _TOKEN_RE.findall(fold(str(phrase)))
        ),
        # Never typos: the answers' words, and the places a claim may wrongly name
        # ("viena" is Vienna, not "vient").
        own_words=frozenset(_TOKEN_RE.findall(fold(answers)))
        | frozenset(_TOKEN_RE.findall(" ".join(str(w) for w in raw["wrong_places"]))),
    )


@cache
def fact_base(path: Path = FACTS_FILE) -> FactBase:
    """The fact base, read once per process on first use."""
    return parse_fact_base(yaml.safe_load(path.read_text("utf-8")))


def _first(patterns: Sequence[Pattern[str]], text: str) -> int | None:
    """Position of the earliest match of any pattern, or None."""
    found = [m.start() for m in (p.search(text) for p in patterns) if m]
    return min(found) if found else None


def spelled_out(folded: str, base: FactBase) -> str:
    """Folded text with its SMS spellings written out ("wat" -> "what"), nothing else
    changed: for the dialogue's own cues, which names and addresses must keep."""
    spellings = base.spellings
    return _WORD_RE.sub(lambda m: spellings.get(m.group(0), m.group(0)), folded)


def _mistyped_contact(address: str) -> bool:
    return is_contact_email(address) and address.lower() not in CONTACT_EMAILS


# Québec's question particle: "c'tu ben l'OIM qui l'organise ?" is "c'est bien l'OIM ...".
_QUEBEC_TU_RE = re.compile(r"\bc\x27(?:est-?)?tu\b(?P<ben> ben\b)?")


def _clean(text: str, base: FactBase) -> str:
    """Folded text without what is not a question (addresses, URLs, references), SMS
    spellings written out ("kel" -> "quel", "ppl" -> "people")."""
    for pattern in (URL_RE, REFERENCE_RE, PHONE_RE):
        text = pattern.sub(" ", text)
    # "adresse a.b@c.org": an address given, not asked; a contact's address mistyped is a
    # claim to check ("the press contact is samri@iom.int?").
    text = EMAIL_RE.sub(lambda m: m.group(0) if _mistyped_contact(m.group(0)) else " @ ", text)
    text = _LOST_LETTER_RE.sub("e", text)
    text = _ENUMERATOR_RE.sub(r"\1)", text)  # "of: 1. the dates; 2. ...": one sentence
    text = _INLINE_ITEM_RE.sub(r"\n\1", text)  # "tell (1) how many (2) which year": a list
    spellings, corrector = base.spellings, base.corrector
    names = {fold(m.group(0)) for m in _CAPITALISED_RE.finditer(text)}

    def written_out(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in spellings:
            return spellings[word]
        corrected = corrector.correct(word)
        # A capitalised word is a name ("Favre"), but a month is capitalised too ("Septmber").
        return word if word in names and not _MONTH_RE.fullmatch(corrected) else corrected

    folded = _QUEBEC_TU_RE.sub(lambda m: "c'est bien" if m["ben"] else "c'est", fold(text))
    words_as_digits = _NUMBER_WORDS_RE.sub(lambda m: _written(m.group(0)), folded)
    words_as_digits = _ABOUT_RE.sub(lambda m: str(_ABOUT[m.group(1)]), words_as_digits)
    folded = _THOUSANDS_RE.sub(r"\1\2", words_as_digits)
    folded = _TITLE_DOT_RE.sub(r"\1", folded)  # "M. Vitorino" is one sentence
    return _EVENT_NAMED_BY_CITY_RE.sub(_event_only, _WORD_RE.sub(written_out, folded))


@dataclass
class Analysis:
    items: List[Dict[str, Any]]
    in_domain: bool
    # "Are you a bot? When is it?": how many items come before that question, which the
    # domain's answer on the assistant answers (actions/answers.py).
    assistant: int | None = None

    @property
    def asks(self) -> bool:
        return bool(self.items)


# "Pourriez-vous m'indiquer les dates ?" is a request, not a yes/no question (as "could
# you tell me", which _YES_NO_RE leaves out); "pourriez-vous confirmer" is one.
_POLITE_REQUEST_RE = re.compile(
    r"\W*(?:(?:et|alors|aussi|enfin|egalement|bonjour|madame|monsieur)\W+){0,2}"
    r"(?:pourriez|pouvez|pourrais|peux|sauriez|voudriez|auriez)[- ](?:vous|tu)\s+"
    r"(?:(?:egalement|aussi|svp|s\x27il vous plait|l\x27amabilite de|la gentillesse de|bien|"
    r"au moins|juste|simplement|encore|d\x27abord)\s+)*"
    r"(?:m\x27|me |nous |)(?:indiquer|dire|donner|preciser|communiquer|envoyer|expliquer|"
    r"transmettre|fournir|renseigner|informer|presenter|decrire|rappeler)\b|"
    r"\W*(?:(?:and|also|then|ok|hello|hi)\W+){0,2}(?:could|can|would|will) (?:you|u) "
    r"(?:please |kindly |also )*(?:tell|give|send|provide|share|explain|remind|indicate|"
    r"describe|let me know)\b(?!.{0,40}\b(?:if|whether)\b)"
)


# Things named in a list, with no verb: "la ville et les dates ?" asks for them, as does
# one detail alone ("et son adresse mail ?").
_OF = (
    r"(?: (?:du|de la|de l\x27|des|de|d\x27|of the|of|for the|for|pour l\x27|pour le|pour la) ?"
    r"(?:conference|conf|cmc|rapport|report|evenement|event|oim|iom|atelier(?: idm)?|"
    r"(?:idm )?workshop|idm|forum|wmr))?"
)
_NOUN = rf"(?:la|le|les|l\x27|the|des|vos|your|its|ses|leurs?) ?[a-z\x27-]+(?: [a-z\x27-]+)?{_OF}"
_DETAIL = (
    r"(?:(?:son|sa|ses|leur|his|her|its|their|the|la|le|l\x27) ?)?(?:adresse|address|e-?mail|mail|"
    r"courriel|numero|number|phone|telephone|titre|title|nom|name|site|website|lien|link|lieu|"
    r"dates?|venue|ville|city|location|themes?|topics?|sujets?|contacts?)"
    rf"(?: (?:mail|e-?mail|electronique|email))?{_OF}"
)
_NOUN_LIST_RE = re.compile(
    rf"\W*(?:(?:et|and|alors|so|ok|okay)\W+)?"
    rf"(?:{_NOUN}(?:\s*(?:,|\bet\b|\band\b|&)\s*{_NOUN})+|{_DETAIL})"
    r"\W*(?:(?:svp|stp|please|pls)\W*)?"
)
# Someone's address or number: after a question on another person's registration, that
# person's (actions/answers.py), which only the registrant may see.
THEIR_ADDRESS_RE = re.compile(
    r"\b(?:son|sa|leur|ses|his|her|their) (?:adresse|e-?mail|courriel|mail|address|"
    r"coordonnees|numero|phone|telephone)\b|"
    r"\b(?:which|what) (?:e-?mail|address) (?:he|she|they) (?:used|gave|registered)\b|"
    r"\bquel(?:le)? (?:adresse|e-?mail|courriel) (?:il|elle) a (?:utilise|donne)e?\b"
)


_EXACTLY_RE = re.compile(r"\W*(?:exact|exactement|exactly)\b")


# "OIM ça veut dire ?", "CMC stands for?": what a name means, not a claim.
_MEANING_RE = re.compile(
    r"\b(?:veut dire|signifie|stands? for|(?<!you )(?<!\bu )(?<!\bi )means?)\W*$"
)


def _claim_form(sentence: str) -> bool:
    """A yes/no question: "Is it in Geneva?", "C'est à Genève ?", "fait-elle suite... ?"."""
    stripped = sentence.strip()
    if _WH_RE.match(stripped) or _POLITE_REQUEST_RE.match(stripped):
        return False
    if _NOUN_LIST_RE.fullmatch(stripped) or _MEANING_RE.search(stripped):
        return False  # "OIM ça veut dire ?": what it means
    yes_no = _YES_NO_RE.search(stripped)
    if yes_no and _EXACTLY_RE.match(yes_no.group(0)) and _WH_RE.search(stripped[: yes_no.start()]):
        yes_no = None  # "c'est quoi l'OIM exactement ?": the adverb of a question word
    if yes_no and not (_inverted(yes_no, stripped) and _opens_wh(stripped)):
        return True
    if yes_no and _IS_IT_RE.match(yes_no.group(0)):
        return True  # "le rapport qui sera lancé, c'est bien l'édition 2015 ?"
    return stripped.endswith("?") and not _asks_wh(stripped) and len(stripped.split()) >= 4


# A sentence that is only a figure, guessed: "nonante ?", "maybe 80%?".
_NUMBER_GUESS_RE = re.compile(
    r"\W*(?:(?:or|ou|maybe|peut-etre|genre|like|environ|around|about|plus de|more than)\s+)?"
    r"\d+\s*(?:%|pour ?cent|percent)?\s*\?[\s?!]*"
)
_IS_IT_RE = re.compile(r"(?:c\x27est|c est|cest|c) (?:bien|juste|vrai|exact)\b")


def _inverted(yes_no: re.Match[str], sentence: str) -> bool:
    """The yes/no cue is inside the sentence, as a subject inversion ("est-elle")."""
    return yes_no.start() > 0 and yes_no.end() < len(sentence.rstrip(" ?!.\n"))


def _opens_wh(sentence: str) -> bool:
    """A question word among the first words: "dans combien de pays est-elle présente ?"
    inverts its subject as French wh-questions do; it is not a yes/no question."""
    words = [w for w in sentence.split() if _TOKEN_RE.search(w)]
    return bool(_WH_RE.search(" ".join(words[:_WH_OPENING_WORDS])))


def _short_claim(sentence: str) -> bool:
    """ "c a geneve ?", "october??": a yes/no question only if it names a value."""
    stripped = sentence.strip()
    polite = _POLITE_REQUEST_RE.match(stripped) or _NOUN_LIST_RE.fullmatch(stripped)
    meaning = _MEANING_RE.search(stripped)
    return stripped.endswith("?") and not _asks_wh(stripped) and not (polite or meaning)


def _asks_wh(sentence: str) -> bool:
    """A question word opening one of the sentence's clauses ("and where?") or ending
    it ("ça se tient quand ?"), not a relative pronoun inside one ("migrants who are
    vulnerable?", "y'a un rapport qui sort là ?")."""
    for clause in _CLAUSE_RE.split(_RELATIVE_RE.sub(" ", sentence)):
        words = [w for w in clause.split() if _TOKEN_RE.search(w)]
        if _WH_RE.search(" ".join(words[:_WH_OPENING_WORDS] + words[-_WH_CLOSING_WORDS:])):
            return True
    return bool(_COUNT_WH_RE.search(sentence))


# The writer's own journey: "j'arrive à Genève le 25 au soir", "I fly out on the 28th".
_TRAVEL_DAY_RE = re.compile(
    r"\b(?:j\x27arrive|arriv(?:e|ons|erai|erons|era|ing|es)|land(?:s|ing)?|fly(?:ing)? (?:in|out)|"
    r"get(?:ting)? in|je pars|part(?:irai|irons|ons)|repar\w*|leav(?:e|ing)|depart\w*|"
    r"(?:my|our|mon|notre) (?:flight|vol|train))\b[^.?!;:\d]{0,30}?"
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th|er)?\b"
)
# A day named from that one: "la conférence commence bien le lendemain ?".
_NEXT_DAY_RE = re.compile(r"\b(?:le lendemain|the next day|the day after|the following day)\b")
_DAY_BEFORE_RE = re.compile(r"\b(?:la veille|the day before|the previous day)\b")
_DAY_FROM_RE = re.compile(f"{_NEXT_DAY_RE.pattern}|{_DAY_BEFORE_RE.pattern}")


def _from_journey(text: str, journey: re.Match[str]) -> str:
    """`text` without the day of the writer's journey, which claims nothing of the
    conference, and with a day named from it ("the next day") as that date."""
    day = int(journey["day"])
    text = text.replace(journey.group(0), journey.string[journey.start() : journey.start("day")])
    text = _NEXT_DAY_RE.sub(f"le {day + 1}", text)
    return _DAY_BEFORE_RE.sub(f"le {day - 1}", text)


def _names_a_value(fact: Fact, clause: str) -> bool:
    """A figure, a month, a place or a word of `fact` that a claim would check."""
    return bool(
        _NUMBER_RE.search(clause)
        or _MONTH_RE.search(clause)
        or any(p in clause for p in (*fact.places, *fact.names))
        or (fact.wrong is not None and fact.wrong.search(clause))
    )


def _after_what_about(sentence: str) -> str:
    """ "What about the report, is it launched there?": the question after the topic."""
    opening = _WHAT_ABOUT_RE.match(sentence)
    return sentence[opening.end() :] if opening else sentence


_NEGATION_RE = re.compile(r"\b(?:not|isnt|pas|ne)\b|n\x27")
# "Est-il vrai que ... ne ... pas ?" asks whether the denial is true: "Non".
_IS_IT_TRUE_RE = re.compile(r"\b(?:vrai|exact|juste|correct|confirm\w*|right|true)\b")


def _denies(fact: Fact, sentence: str) -> bool:
    """A question that only denies what the release says ("L'OIM ne fait pas partie de
    l'ONU, si ?"): answered "Si", not with a "Non" that would agree with it."""
    wrong = fact.wrong.search(sentence) if fact.wrong is not None else None
    denial = wrong and _NEGATION_RE.search(wrong.group(0))
    asked = sentence.rstrip().endswith("?") and not _PREMISE_RE.search(sentence)
    return bool(denial and asked and not _IS_IT_TRUE_RE.search(sentence))


def _verdict(
    fact: Fact, clause: str, sentence: str, base: FactBase, stated: bool = False
) -> str | None:
    """ "yes"/"no" when the sentence is a yes/no question or a claim about `fact`
    (`stated`: a statement, read as a claim)."""
    # "What's the projection, is it 80% by 2050?": the last clause's yes/no is the claim
    polite = _POLITE_REQUEST_RE.match(sentence.strip())  # "pourriez-vous m'indiquer ... ?"
    last = _CLAUSE_RE.split(sentence)[-1]
    # ... but "when, and in which city, will it be held?" claims nothing in its last clause
    claim_form = not polite and (
        _claim_form(sentence)
        or _claim_form(last)
        and bool(
            _names_a_value(fact, last)
            or _claimed_place(base, last)
            or not _asks_wh(_after_what_about(sentence))
        )
    )
    # "What about migrants in vulnerable situations?" after "is integration discussed?"
    what_about = fact.what_about and _WHAT_ABOUT_RE.match(sentence)
    if not (
        stated
        or claim_form
        or what_about
        or _PREMISE_RE.search(sentence)
        or _short_claim(sentence)
    ):
        return None
    if not (stated or claim_form) and _ASKING_WH_RE.search(" ".join(clause.split()[:3])):
        return None  # "since it's 1961, what is this CMC about?": the clause asks, claims nothing
    journey = _TRAVEL_DAY_RE.search(sentence)
    if journey:
        # "I land on the 27th, is that early enough?": no claim on the dates, which answer
        # it; "j'arrive le 25 : ça commence bien le lendemain ?" claims the 26th.
        clause, sentence = (_from_journey(t, journey) for t in (clause, sentence))
        other_date = _NUMBER_RE.search(sentence) or _MONTH_RE.search(sentence)
        if fact.months and not _DAY_FROM_RE.search(journey.string) and not other_date:
            return None
    checked = False
    if fact.months:
        # "le 26/10", "26-27.10": the month as a number, then only the days are counted.
        for date in _NUMERIC_DATE_RE.finditer(sentence):
            if int(date.group("month")) != _MONTH_NUMBERS.get(fact.months[0], 0):
                return "no"
            checked = True
        clause, sentence = (_NUMERIC_DATE_RE.sub(_days, t) for t in (clause, sentence))
        days = {int(day) for day in _DAYS_OF_MONTH_RE.findall(sentence)}
        if days - fact.numbers:
            return "no"  # "is it on 25 and 26 October?"
    if fact.numbers_near:
        # A bound, not a figure: "present in more than 150 countries?" is right.
        counted = [n for n, words in fact.numbers_near.items() if any(w in clause for w in words)]
        for pattern, holds in ((_AT_LEAST_RE, int.__lt__), (_AT_MOST_RE, int.__gt__)):
            for bound in pattern.finditer(clause):
                if not any(holds(int(bound.group(1)), n) for n in counted or fact.numbers):
                    return "no"
                clause = clause.replace(bound.group(0), " ")
                sentence = sentence.replace(bound.group(0), " ")
                checked = True
    for count in _COUNTED_RE.finditer(sentence):
        # "six cents, dont septante ministres ?": a number on a counted word is that count
        word = count.group(2)
        owners = [n for n, near in fact.numbers_near.items() if any(w in word for w in near)]
        if owners and int(count.group(1)) not in owners:
            return "no"
    for decade in _DECADE_RE.finditer(sentence) if fact.numbers else ():
        century = decade["century"] or decade["fr_century"] or "19"
        first = int(century + (decade["tens"] or decade["fr_tens"]) + "0")
        if not any(first <= n < first + 10 for n in fact.numbers):
            return "no"
        clause, sentence = (t.replace(decade.group(0), " ") for t in (clause, sentence))
        checked = True
    for bound in _YEAR_BOUND_RE.finditer(sentence) if fact.numbers else ():
        year = int(bound["year"])
        if not any(n < year if bound["before"] else n > year for n in fact.numbers):
            return "no"
        clause, sentence = (t.replace(bound.group(0), " ") for t in (clause, sentence))
        checked = True
    if fact.numbers:
        numbers = {int(n) for n in _NUMBER_RE.findall(clause)} or {
            int(n) for n in _NUMBER_RE.findall(sentence)
        }
        if numbers:
            if not numbers <= fact.numbers or _misplaced(fact, numbers, clause):
                return "no"
            checked = True
    if fact.places:
        if _claimed_place(base, sentence):
            return "no"
        checked = checked or any(p in sentence for p in fact.places)
    if fact.months:
        month = _MONTH_RE.search(clause) or _MONTH_RE.search(sentence)
        if month:
            said = month.group(0)
            if not any(m.startswith(said[:4]) or said.startswith(m[:4]) for m in fact.months):
                return "no"
            checked = True
    wrong = fact.wrong.search(sentence) if fact.wrong is not None else None
    if wrong and not _NEVER_RE.search(sentence, 0, wrong.start()):
        return "no"  # not "it has never been done before, right?"
    quoted = _QUOTED_RE.search(sentence) if fact.titled else None
    if quoted:  # a title: the report's own, or another one
        title = quoted.group("title") or quoted.group("single")
        return "yes" if any(n in title for n in fact.names) else "no"
    if fact.only_means_no and _ONLY_RE.search(sentence) and not _OR_ONLY_RE.search(sentence):
        return "no"
    checked = checked or any(n in f" {sentence}" for n in fact.names)  # " un" in "un ?"
    if checked or (claim_form and fact.confirms):
        return "yes"
    return None


# When and where a writer heard what they ask about ("un collègue m'a dit à la pause de dix
# heures que..."): no detail asked of the conference.
_HEARSAY_SETTING_RE = re.compile(
    r"\b(?P<said>(?:m\x27a|nous a|m\x27ont|nous ont) (?:dit|affirme|assure|raconte|explique)|"
    r"told (?:me|us)|said) (?:a|au|aux|pendant|durant|lors|hier|ce|cette|at|during|over|yesterday|"
    r"this|last)\b[^,.;:?!]{0,40}?(?= (?:que\b|qu\x27|that\b))"
)


def analyse(text: str, base: FactBase) -> Analysis:
    """Every item `text` asks about, in the order asked (see the module docstring)."""
    folded = _HEARSAY_SETTING_RE.sub(r"\g<said>", _clean(_SALUTATION_RE.sub("", text), base))
    if _UNPUNCTUATED_RE.fullmatch(folded) and len(_TOKEN_RE.findall(folded)) <= _SMS_WORDS:
        folded += " ?"  # "et les chercheurs aussi": a question typed without its mark
    sms_lines = asks_in_lines(folded)
    if sms_lines:
        # "c kan la conf\nya une retransmission": SMS lines, each a question; a request
        # ("contact pls") asks without being a yes/no question.
        folded = _SMS_LINE_RE.sub(
            lambda m: m.group(0) if _ASKS_RE.search(m.group(0)) else f"{m.group(0)} ?", folded
        )
    sentences = _with_tags(
        [(m.start(), m.group(0)) for m in _SENTENCE_RE.finditer(folded) if m.group(0).strip()]
    )
    asking = [
        (p, s)
        for p, s in sentences
        if (len(sentences) == 1 or _sentence_asks(s) or _in_list_item(folded, p))
        and not _ABOUT_THE_ASSISTANT_RE.search(s)
    ]
    found: List[Tuple[int, Dict[str, Any]]] = []
    seen: Set[str] = set()
    first: Dict[str, Dict[str, Any]] = {}
    letter = len(folded.split()) >= LETTER_WORDS
    # What a letter states without asking ("I noted that the CMC is held within the
    # IDM.") is answered after its questions: the reply opens with the first question's
    # answer, its yes or no first.
    stated_at = len(folded)
    asks_elsewhere = "?" in folded or any(_REQUEST_RE.search(s) for _, s in sentences)
    unnamed: List[int] = []  # questions that name nothing of the release
    stated_keys: Set[str] = set()  # items a statement named first, not yet asked
    statements = [(p, s) for p, s in sentences if (p, s) not in asking]
    # A letter's short lines ask up to its last question or its closing (_telegraphic).
    last_ask = -1
    if letter:
        last_ask = max(
            (p for p, s in sentences if _questions(s) or _CLOSING_RE.match(s)), default=-1
        )
    for position, sentence in asking:
        cursor = 0
        named_here = False
        stated = (
            letter
            and asks_elsewhere  # a writer who marks questions or requests: this one states
            and not _questions(sentence)
            and not _in_list_item(folded, position)
            and not _telegraphic(folded, position, sentence, last_ask)
        )
        if stated:
            # A letter's statement names a topic too ("on s'intéresse au rapport ... Il
            # parle de quoi ?"), though what it states is not answered.
            statements.append((position, sentence))
        # "Et les maires, ils sont écoutés ?": one clause, the subject with what it asks
        joined, clauses = sentence, _CLAUSE_RE.split(sentence)
        topicalised = _TOPICALISED_RE.match(sentence)
        if topicalised:
            start, end = topicalised.span("mark")
            subject = sentence[:start] + " " * (end - start)
            clauses = _CLAUSE_RE.split(sentence[end:])
            joined, clauses[0] = subject + sentence[end:], subject + clauses[0]
        in_sentence: List[Dict[str, Any]] = []
        for clause in clauses:
            at = joined.find(clause, cursor)
            cursor = max(at, cursor)
            for key, pos, item in _clause_items(clause, sentence, base, stated=stated):
                named_here = True
                in_sentence.append(item)
                if "followup" in item:
                    key = f"{key}@{position}"  # "explain ... ? And what it explores?": each
                if stated and not _stated_claim(item, sentence, base):
                    continue  # "we would like to contribute to the discussions": no claim
                at_position = position + cursor + pos + (stated_at if stated else 0)
                if item.get("verdict"):
                    item["claim"] = position  # one sentence, one claim (compose)
                if key not in seen:
                    seen.add(key)
                    first[key] = item
                    found.append((at_position, item))
                    if stated:
                        stated_keys.add(key)
                    continue
                if not stated and key in first:  # stated first, asked now: answered here
                    found[:] = [
                        (min(p, at_position), i) if i is first[key] else (p, i)
                        for p, i in found
                    ]
                if not stated and item.get("verdict") and key in stated_keys:
                    # "Ayant appris que seuls les ministres sont conviés, notre gouverneur
                    # peut-il y prendre part ?": the question's yes or no opens the reply.
                    first[key]["verdict"], first[key]["claim"] = item["verdict"], position
                    stated_keys.discard(key)
                    continue
                if item.get("verdict") and key in first and first[key].get("verdict") != "no":
                    # Named again in a claim ("... en novembre. Les dates de novembre sont-
                    # elles définitives ?"): answered once, with that claim's yes or no.
                    first[key]["verdict"] = item["verdict"]
                    first[key]["claim"] = position
        beside = [i["fact"] for i in in_sentence if i.get("fact") in base.facts]
        for item in in_sentence:
            if beside and "followup" in item:
                item["beside"] = beside  # "Le rapport, il sort quand ?": of that fact
        guessed = [i for _, i in found if i.get("fact") in base.facts]
        if not named_here and guessed and _NUMBER_GUESS_RE.fullmatch(sentence):
            # "Combien d'États membres ? Nonante ?": a guess at the figure just asked.
            item = guessed[-1]
            verdict = _verdict(base.facts[item["fact"]], sentence, sentence, base, stated=True)
            if verdict and item.get("verdict") != "no":
                item["verdict"], item["claim"] = verdict, position
            named_here = True
        if not named_here and "venue" not in seen and _place_claim(sentence, base):
            # "vienna right?": a claim on the venue, though it names no cue of it
            seen.add("venue")
            named_here = True
            first["venue"] = {"fact": "venue", "verdict": "no", "claim": position}
            found.append((position, first["venue"]))
        # A question of a letter or of a list that names nothing the release gives
        # ("3. Are travel bursaries available?"): in the domain, so the release lacks it.
        listed = _in_list_item(folded, position)
        question = (letter or listed) and ("?" in sentence or listed)
        worded = len(_TOKEN_RE.findall(sentence)) >= 4
        # "vous savez m'aider une fois ?": the request itself; "on dit quoi ?": a greeting.
        helps = _HELP_RE.search(sentence) or _SMALL_TALK_RE.search(sentence)
        checks = REGISTRATION_WORD_RE.search(sentence)  # the check answers it
        standing = _OWN_STANDING_RE.search(sentence)  # "confirm my registration is in order"
        if (
            question
            and worded
            and not (named_here or helps or standing)
            and NOT_IN_SOURCE not in seen
        ):
            seen.add(NOT_IN_SOURCE)
            found.append((position, {"fact": NOT_IN_SOURCE}))
        elif "?" in sentence and worded and not (named_here or helps or checks or sms_lines):
            unnamed.append(position)
    if unnamed and NOT_IN_SOURCE not in seen and any("fact" in i for _, i in found):
        # "Is childcare provided? And which city is it in?": one question the release
        # answers, one it does not, in a message shorter than a letter.
        seen.add(NOT_IN_SOURCE)
        found.append((unnamed[0], {"fact": NOT_IN_SOURCE}))
    for position, sentence in sentences:
        if (position, sentence) not in asking:
            _add_stated_claims(found, first, stated_at + position, sentence, base)
    named = _NAMED_PERSON_RE.search(text)
    unknown = named and not any(k in fold(named.group(0)) for k in _KNOWN_NAMES)
    if named and unknown and NOT_IN_SOURCE not in seen:
        found.append((named.start(), {"fact": NOT_IN_SOURCE}))
    office_holder = _office_holder(folded)
    if office_holder and NOT_IN_SOURCE not in seen and not unknown:
        found.append((office_holder.start(), {"fact": NOT_IN_SOURCE}))
    found.sort(key=lambda pair: pair[0])
    _add_context(found, sorted(statements), base, stated_at, folded)
    items = [item for _, item in found]
    # A follow-up word alone ("who", "job") says nothing of the domain.
    if len(_TOKEN_RE.findall(folded)) <= _SHORT_WORDS:
        for item in items:
            item["short"] = True  # "how big?", "ministers?": about the topic of the answer
    elif _TOTAL_RE.search(folded):
        for item in items:
            item["total"] = True  # "combien de participants au total ?": maybe the earlier one's
    own = _OWN_CASE_RE.search(folded)
    if own:
        # After a status, the decision's answer (compose.resolve) for the items of the
        # sentence that asks about one's own case: "Am I in? Also, which dates?" still
        # gets the dates.
        start = max((p for p, _ in sentences if p <= own.start()), default=0)
        end = min((p for p, _ in sentences if p > own.start()), default=len(folded))
        for position, item in found:
            if start <= position < end:
                item["own"] = True
        alone = not any(start <= position < end for position, _ in found)
        if alone and len(sentences) > 1 and _OWN_CHANGE_RE.search(folded, start, end):
            # "Ce statut peut-il encore évoluer ? Et la planification urbaine ?": the case
            # is asked beside the facts, a question of its own
            items.insert(
                sum(position < start for position, _ in found),
                {"fact": NOT_IN_SOURCE, "own": True},
            )
    if any(i.get("fact") == "samri" and i.get("verdict") == "no" for i in items):
        # "Samri c'est le DG ?": No; his contact details and the Director General named
        # are the correction, not claims of their own.
        for item in items:
            if item.get("fact") in _CORRECTING:
                item["verdict"] = None
    in_domain = any("fact" in i for i in items) or _first(base.domain, folded) is not None
    identity = next((p for p, s in sentences if _ASSISTANT_IDENTITY_RE.search(s)), None)
    assistant = None if identity is None else sum(p < identity for p, _ in found)
    return Analysis(items=items, in_domain=in_domain, assistant=assistant)


def _add_context(
    found: List[Tuple[int, Dict[str, Any]]],
    statements: List[Tuple[int, str]],
    base: FactBase,
    stated_at: int,
    folded: str,
) -> None:
    """A follow-up or a past-tense question after a sentence that names a topic without
    asking ("The CMC builds on the 2013 diaspora conference. Which month was that?"):
    that topic, not the conversation's, is the one it follows up (compose.resolve).
    A follow-up after a question of the same message ("1. Is the report launched
    there? 2. What is it about?") follows up that question's topic."""
    if not any("followup" in item or item.get("past") for _, item in found):
        return  # most messages: nothing to read the statements for
    named = []
    for position, sentence in statements:
        keys = [k for k, _, _ in _clause_items(sentence, sentence, base) if k in base.facts]
        if keys:
            named.append((position, base.facts[keys[-1]].group))
    for position, item in found:
        if "followup" in item or item.get("past"):
            before = [group for at, group in named if at < position]
            if before:
                item["context"] = before[-1]
    # Where each fact was named (a statement answered last was still said first).
    groups = [(p, base.facts[i["fact"]].group) for p, i in found if i.get("fact") in base.facts]
    asked = [(p % stated_at, group) for p, group in groups]
    nearest = sorted(named + asked)
    turns = [m.start() for m in _NEW_TOPIC_RE.finditer(folded)]
    for position, item in found:
        if "followup" in item:
            preceding = [(at, group) for at, group in nearest if at < position]
            start = preceding[-1][0] if preceding else 0
            # A word changing the subject between them ("Par ailleurs")
            if bisect.bisect_left(turns, start) < bisect.bisect_left(turns, position % stated_at):
                # "L'OIM compte combien d'États ? Par ailleurs, c'est quand ?": the
                # conference's dates, not IOM's founding (the follow-up's default).
                item.pop("context", None)
                item["fresh"] = True
            elif preceding:
                item["context"] = preceding[-1][1]


def own_case(folded: str) -> bool:
    """The message asks about one's own attendance or case ("can I still come?")."""
    return bool(_OWN_CASE_RE.search(folded))


def _misplaced(fact: Fact, numbers: Set[int], clause: str) -> bool:
    """A right number on the wrong thing: "175 countries" (175 member states)."""
    for number in numbers & set(fact.numbers_near):
        own = fact.numbers_near[number]
        others = [w for n, words in fact.numbers_near.items() if n != number for w in words]
        if not any(w in clause for w in own) and any(w in clause for w in others):
            return True
    return False


def _claimed_place(base: FactBase, text: str) -> re.Match[str] | None:
    """A place other than Geneva named as the venue; "mayor of a town in Senegal"
    says where the writer is from."""
    for match in base.wrong_places.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if not _HOME_RE.search(before) and not _NOT_THERE_RE.search(before):
            return match
    return None


# "c'est bien à Genève, pas à Berne ?": a place denied, not claimed.
_NOT_THERE_RE = re.compile(
    r"\b(?:pas|not|non|and not|et non|rather than|plutot que)(?: (?:a|en|au|in))?\W*$"
)


def _with_tags(sentences: List[Tuple[int, str]]) -> List[Tuple[int, str]]:
    """ "My boss says IOM has 190 member states. Is he right?": the claim and the
    request to confirm it are one question."""
    merged: List[Tuple[int, str]] = []
    for position, sentence in sentences:
        if merged and (_CONFIRM_TAG_RE.match(sentence) or _CONFIRM_REQUEST_RE.search(sentence)):
            merged[-1] = (merged[-1][0], merged[-1][1].rstrip() + " " + sentence.strip())
        else:
            merged.append((position, sentence))
    return merged


def _in_list_item(text: str, position: int) -> bool:
    """The sentence at `position` is on a line of a list."""
    return bool(_LIST_ITEM_RE.match(text, text.rfind("\n", 0, position) + 1))


# "Secondly, who is IOM's Director General, since I would like to write to him.": "who"
# opening a clause asks, where inside one it is a relative ("the mayors who attend").
_WHO_ASKS_RE = re.compile(
    r"(?:^|[,;:]\s*)\W*(?:(?:firstly|secondly|thirdly|lastly|finally|also|and|et|ensuite|enfin|"
    r"deuxiemement|troisiemement)\W+)?(?:who|qui) (?:is|are|was|will|est|sont|sera)\b"
)


def asks_in_lines(folded: str) -> bool:
    """A short message without a question mark whose lines are SMS questions."""
    return (
        "?" not in folded
        and len(folded.split()) < LETTER_WORDS
        and len(_SMS_LINE_RE.findall(folded)) >= 2
    )


def _telegraphic(folded: str, position: int, sentence: str, last_ask: int) -> bool:
    """A line of a few words before a letter's last question or its closing (`last_ask`:
    "Hello,\n\nvenue\n\nWho is in charge?"): asked as SMS are; a signature's lines,
    after them, are not."""
    line_start = folded.rfind("\n", 0, position) + 1
    line_end = folded.find("\n", position)
    line = folded[line_start : len(folded) if line_end < 0 else line_end]
    return (
        position < last_ask
        and line.strip() == sentence.strip()
        and len(_TOKEN_RE.findall(sentence)) <= _SHORT_WORDS
    )


def _questions(sentence: str) -> bool:
    """A sentence of a letter that asks something, beyond stating a claim to check."""
    return bool(
        "?" in sentence
        or _YES_NO_RE.search(sentence)
        or _REQUEST_RE.search(sentence)
        or _ASKING_WH_RE.search(sentence)
        or _WHO_ASKS_RE.search(sentence)
    )


def _stated_claim(item: Dict[str, Any], sentence: str, base: FactBase) -> bool:
    """What a letter's statement says of a fact is answered when it is wrong, or when
    the letter marks it as something to check ("I noted that..."); a detail the
    release lacks is answered as such."""
    if "followup" in item:
        return False
    fact = base.facts.get(item.get("fact", ""))
    if fact is None:
        return True
    if _PREMISE_RE.search(sentence):
        return item.get("verdict") is not None
    subject = _CLAIM_SUBJECTS.get(fact.group)
    if fact.id == "venue":  # "the conference, which will be held in Vienna": near the place
        place = _claimed_place(base, sentence)
        subject = _VENUE_WORDS_RE if place else None
        # ("la conférence de New York": the event's word may open the place's match)
        sentence = sentence[max(0, place.start() - 60) : place.end()] if place else sentence
    return item.get("verdict") == "no" and bool(subject and subject.search(sentence))


def _add_stated_claims(
    found: List[Tuple[int, Dict[str, Any]]],
    first: Dict[str, Dict[str, Any]],
    position: int,
    sentence: str,
    base: FactBase,
) -> None:
    """A statement that asks nothing but says something wrong of IOM or of the
    conference ("l'OIM existe depuis 1975, donc..."): corrected after the answers."""
    for clause in _CLAUSE_RE.split(sentence):
        for key, _, item in _clause_items(clause, sentence, base, stated=True):
            fact = item.get("fact") in base.facts
            wrong = fact and item.get("verdict") == "no" and _stated_claim(item, sentence, base)
            if wrong and key in first:
                first[key]["verdict"] = "no"  # asked too: answered there, with its "No."
            elif wrong:
                first[key] = {**item, "claim": position}
                found.append((position, first[key]))


def _place_claim(sentence: str, base: FactBase) -> bool:
    """A claim or yes/no question naming a city other than Geneva."""
    claim = _claim_form(sentence) or _short_claim(sentence) or _PREMISE_RE.search(sentence)
    return bool(claim and _claimed_place(base, sentence))


# "on deadline: dates, city, name of IOM DG." asks for each item of its list.
_ITEM_LIST_RE = re.compile(r":\s*(?:[^,:;.?!]{1,40},\s*){1,6}[^,:;.?!]{1,40}")


def _sentence_asks(sentence: str) -> bool:
    return bool(
        "?" in sentence
        or _ITEM_LIST_RE.search(sentence)
        or _WH_RE.search(sentence)
        or _YES_NO_RE.search(sentence)
        or _ASKS_RE.search(sentence)
        or _PREMISE_RE.search(sentence)
        or len(sentence.split()) <= _SHORT_WORDS
        # "Autre chose : sujets abordés": a new subject's few words
        or bool(_NEW_TOPIC_RE.match(sentence.strip()))
        and len(_NEW_TOPIC_RE.sub("", sentence).split()) <= _SHORT_WORDS
    )


def _clause_items(
    clause: str, sentence: str, base: FactBase, stated: bool = False
) -> Iterator[Tuple[str, int, Dict[str, Any]]]:
    """(key, position, item) for each item one clause asks about (`stated`: what a
    statement claims of each fact)."""
    cancelled = _first(base.not_cancelled, clause)
    if cancelled is not None:
        verdict: str | None = "yes" if _STILL_ON_RE.search(clause) else "no"
        asked = (
            _claim_form(sentence)
            or _short_claim(sentence)
            or _PREMISE_RE.search(sentence)
            or _STILL_ASKED_RE.search(clause)  # "... conf in Genev is it still on"
        )
        item: Dict[str, Any] = {"fact": NOT_CANCELLED, "verdict": verdict if asked else None}
        if _PAST_RE.search(clause):
            item["past"] = True  # "when was it cancelled?": maybe a registration just told
        yield NOT_CANCELLED, cancelled, item
        return
    missing = _first(base.not_in_source, clause)
    if missing is not None:
        where = _first(base.venue_details, clause)
        # "It's a virtual event? The Zoom link?": "No", it is held in Geneva, first.
        wrong = _verdict(base.facts["venue"], clause, sentence, base) == "no"
        if where is not None and wrong:
            yield "venue", min(where, missing), {"fact": "venue", "verdict": "no"}
        yield NOT_IN_SOURCE, missing, {"fact": NOT_IN_SOURCE}
        if where is not None and not wrong:  # "which building?": the city, which the release gives
            yield "venue", where, {"fact": "venue", "verdict": None}
    any_fact = False
    found_dates = False
    # "la conférence sur la diaspora a eu lieu en juin 2013 ?": the month is that one's
    earlier = _EARLIER_CONFERENCE_RE.search(clause)
    if _WHO_I_AM_RE.match(clause):
        return  # "je représente le ministère de l'Urbanisme": the writer, not a question
    for fact in base.facts.values():
        if missing is not None and fact.id not in _WITH_MISSING:
            continue
        if earlier and fact.id == "dates":
            continue
        pos = _first(fact.cues, clause)
        if pos is None:
            continue
        any_fact = True
        found_dates = found_dates or fact.id in _WHEN_FACTS
        # "Do I need a visa to come to Geneva?": the yes/no is on the missing detail.
        verdict = None if missing is not None else _verdict(fact, clause, sentence, base, stated)
        item = {"fact": fact.id, "verdict": verdict}
        if verdict == "no" and _denies(fact, sentence):
            item["denied"] = True  # "L'OIM ne fait pas partie de l'ONU, si ?": "Si."
        if _PAST_RE.search(clause):
            item["past"] = True  # "when was that one held?": maybe the earlier conference
            earlier_fact = base.facts.get(EARLIER_CONFERENCE)
            if verdict and earlier_fact:
                # "and was it held in June?" after the 2013 conference: its June, Yes
                item["then"] = _verdict(earlier_fact, clause, sentence, base)
        yield fact.id, pos, item
    when = _WHEN_RE.search(clause) if any_fact and missing is None and not found_dates else None
    if when:
        # "la conférence se tient quand ?": "se tient" named the venue, "quand" the dates.
        item = {"fact": "dates", "verdict": None}
        if _PAST_RE.search(clause):
            item["past"] = True  # "when was that one held?": maybe the earlier conference
        yield "dates", when.start(), item
        any_fact = True
    wrong_place = _claimed_place(base, clause)
    if wrong_place and (
        stated
        or _claim_form(sentence)
        or _PREMISE_RE.search(sentence)
        or _EVENT_OF_PLACE.search(wrong_place.group(0))
    ):
        yield "venue", wrong_place.start(), {"fact": "venue", "verdict": "no"}
    if not any_fact and missing is None:
        for index, followup in enumerate(base.followups):
            pos = _first(followup.cues, clause)
            if pos is not None:
                item = {"followup": index}
                if _PAST_RE.search(clause):
                    item["past"] = True  # "how many did it have?": maybe the earlier one
                asked = (
                    _claim_form(sentence)
                    or _short_claim(sentence)
                    or _WHAT_ABOUT_RE.match(sentence)  # "what about UN agencies?"
                )
                specific = _office_holder(sentence)  # "the mayor of X": a person
                if asked and not specific and _first(followup.confirms, clause) is not None:
                    # "just for diplomats and ministers?": no, others are invited too
                    only = _ONLY_RE.search(sentence) and not _OR_ONLY_RE.search(sentence)
                    item["verdict"] = "no" if only else "yes"
                if asked:
                    # "Dont une centaine de ministres ?" after the 2013 conference: a claim
                    # the fact it turns out to be about contradicts (compose.resolve).
                    targets = {*followup.by_group.values(), *followup.by_fact.values()}
                    refuted = [
                        key
                        for key in sorted(targets & base.facts.keys())
                        if _verdict(base.facts[key], clause, sentence, base) == "no"
                    ]
                    if refuted:
                        item["refuted"] = refuted
                yield f"followup:{index}", pos, item
                return
