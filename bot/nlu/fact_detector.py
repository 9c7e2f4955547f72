"""Rasa NLU component: every fact a message asks about, and the intent that answers it.

Runs last. It adds `answer` to the parse data: the items the message asks about in
order (bot/nlu/facts.py), which `action_answer` turns into one reply. When the
message asks something of the fact base, the intent becomes `ask_question`, whatever
the classifier said of its greeting, closing or language request ("Bonjour, quand
et où ? Merci" is a question, not a goodbye). Without a fact named, the classifier's
intent stands, and `facts.yml` says which facts answer it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Dict, List, Set

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import LANGUAGES
from bot.nlu.compose import answerable, compose, reads_topic, resolve
from bot.nlu.facts import (
    BY_NAME,
    CONFERENCE_TOPIC,
    CONTACT_FACTS,
    LETTER_WORDS,
    NOT_CANCELLED,
    NOT_IN_SOURCE,
    REGISTRATION_DECISION,
    REGISTRATION_WORD_RE,
    THEIR_ADDRESS_RE,
    Analysis,
    FactBase,
    analyse,
    asks_in_lines,
    fact_base,
    own_case,
    spelled_out,
)
from bot.nlu.fingerprint import CodeFingerprinted
from bot.nlu.language import requested_language
from bot.nlu.role_extractor import ROLE_ENTITY, role_entity
from bot.nlu.roles import default_lexicon
from bot.nlu.text import fold

ANSWER_KEY = "answer"
ASK_QUESTION = "ask_question"
# A question whose reply the detector composed itself (`utter_answer`).
ASK_FACT = "ask_fact"
# A check of one's own registration, as opposed to "how do I register?".
_STATUS_RE = re.compile(
    r"\b(?:statut|status|etat|verif\w*|check\w*|confirm\w*|valid\w*|reference|ref|dossier|"
    r"am i registered|suis-je inscrit|my registration|mon inscription|ma candidature|"
    r"my application|accepted|accepte|retenu\w*|approved|approuve\w*|inscrit\w*|registered)\b"
)


# What a question on someone's registration or on a decision must mention: without
# it, the classifier's guess of those intents (trained on few examples) is not kept.
_REGISTRATION_RE = re.compile(
    r"\b(?:inscri\w*|regist\w*|statut|status|dossier|candidature|application|reference|"
    r"waiting list|liste d\x27attente|waitlist\w*|appeal|recours|contest\w*|reinstat\w*|"
    r"retabli\w*|reactiv\w*|restore|accept\w*|retenu\w*|selected|selectionne\w*|refus\w*|"
    r"reject\w*|cancel\w*|annul\w*|valid\w*|approv\w*|decision|participants|delegues|"
    r"delegates|attendees|list|liste)\b"
)
# Words only a registration question has ("list" and "cancelled" are also said of
# speakers and of the conference).
_STRICT_REGISTRATION_RE = re.compile(
    r"\b(?:inscri\w*|regist\w*|statut|status|dossier|candidature|application|reference|"
    r"waiting list|liste d\x27attente|waitlist\w*|accept\w*|retenu\w*|refus\w*|reject\w*)\b"
)
# In a letter that asks facts, only these words make it about someone's registration
# ("the registration fee", "confirm the city" do not).
_LETTER_STATUS_RE = re.compile(
    r"\b(?:status|statut|registered|inscrite?s?|waiting list|liste d\x27attente|waitlist\w*|"
    r"accepted|acceptee?s?|refus\w*|reject\w*|"
    r"(?:mon|ma|son|sa|leur|my|his|her|their|our|notre) (?:inscription|registration|candidature|"
    r"application|dossier))\b"
)
_REGISTRATION_ENTITIES = frozenset({"reference", "email"})
# "My registration", "am I...": a check is about the writer ("has anyone confirmed
# yet?" is a question on the conference).
_FIRST_PERSON_RE = re.compile(
    r"\b(?:my|mine|me|i|i\x27m|im|am i|mon|ma|mes|je|j\x27|suis-je|moi|m\x27|"
    r"jveux|jsuis|jsui|chui|jai|g(?= ete\b))(?:\b|(?<=\x27))"
)
# A registration named alone ("inscription ?", "my registration?"): the check.
_REGISTRATION_ALONE_RE = re.compile(
    r"\W*(?:(?:my|mon|ma)\s)?(?:inscription|registration|registration status|reg check|"
    r"check my reg|statut (?:de |d\x27)?(?:mon |l\x27)?inscription)\W*$"
)
# Asking to talk to a person.
_HUMAN_RE = re.compile(
    r"\b(?:talk|speak|chat|deal|parler|discuter|jaser|echanger)\b.{0,25}\b(?:real person|human|"
    r"humain|someone|somebody|a person|une personne|quelqu\x27un|agent|staff|personnel|conseiller|"
    r"vrai monde|vraie personne|interlocut\w* humain)\b"
)
# Asking who owns a reference or an address.
_WHOSE_RE = re.compile(
    r"\b(?:whose|a qui (?:appartient|est|correspond)|(?:c\x27est|elle est|il est) a qui|"
    r"what(?:\x27s| is) the name|"
    r"quel (?:est le )?nom|which e-?mail|quel(?:le)? (?:est (?:l\x27|le |la ))?(?:adresse|e-?mail|"
    r"courriel)(?!.{0,30}\b(?:atelier|workshop|idm|oim|iom|samri|contact|conference)\b)|"
    r"\b(?:adresse|e-?mail|courriel|mail)\b(?: mail| e-?mail| electronique)? qui "
    r"(?:va|correspond|est associee?) avec\b|\b(?:e-?mail|address) that goes with\b|"
    r"what(?:\x27s| is) the e-?mail"
    r"(?!.{0,30}\b(?:workshop|idm|iom|samri|contact|conference)\b)|"
    # "What email goes with CMC-2015-0002?", "l'adresse enregistrée pour la référence ...".
    r"what e-?mail(?: address)? (?:goes|is|belongs|matches)\b|"
    r"\be-?mail (?:goes|belongs|is linked|is attached) (?:with|to)\b|"
    r"\b(?:adresse|e-?mail|courriel)(?: e-?mail)? (?:enregistree?|associee?|liee?|registered|"
    r"linked|associated)\b|"
    r"\bme la (?:redonner|rappeler|renvoyer)\b|\bremind me (?:of )?(?:my|the) e-?mail\b|"
    r"who (?:is|owns|has)|qui (?:est|a) (?:derriere|titulaire|cette)|"
    r"which (?:reference|registration) (?:numbers?|codes?)|give me (?:a|one|another) "
    r"(?:reference|that works)|quel(?:le)?s? (?:references?|numeros?) (?:sont |est )?valides?|"
    r"donnez-moi une reference)\b"
)
# The people a delegate may ask about on someone else's behalf.
_RELATIONS = (
    r"(?:colleague|collegue|boss|patronn?e?|chef|cheffe|friend|ami|amie|deputy|adjoint\w*|"
    r"husband|wife|mari|femme|counterpart|homologue|professor|professeure?|prof|supervisor|"
    r"superieure?|manager|minister|ministre|director|directeur|directrice|ambassador|"
    r"ambassadeur|mayor|maire|assistant\w*)"
)
# Someone else, with a word of registration: "is my colleague X confirmed?".
_SOMEONE_ELSES_RE = re.compile(
    r"\b(?:colleague|collegue|boss|patron|chef|cheffe|counterpart|homologue|professor|"
    r"professeure?|supervisor|superieure?|friend|ami|amie|deputy|adjoint\w*|husband|wife|mari|"
    r"femme|(?:my|our) (?:minister|director|ambassador|mayor|assistant|team|delegation)|"
    r"(?:mon|notre) (?:ministre|directeur|ambassadeur|maire|assistant|equipe)|"
    r"(?:ma|notre) (?:ministre|directrice|maire|assistante|delegation))\b"
    r"[^.?!]{0,60}\b(?:confirm\w*|inscrit\w*|registered|registration|accept\w*|statut|status|retenu\w*|"
    r"valid\w*|passee?\b|got in\b|made it\b)"
    # "le statut de cmc-2015-0003 ? c pr ma chef", "It's my professor's registration"
    r"|\b(?:status|statut|registration|inscription|reference|application)\b.{0,60}"
    r"\b(?:for|pour|pr|of|de) (?:my|mon|ma|notre|our) " + _RELATIONS + r"\b"
    r"|\b(?:my|our) " + _RELATIONS + r"\x27?s (?:registration|status|application|reference)\b"
    r"|\b(?:he|she)(?:\x27s|s| is) (?:my|our) " + _RELATIONS + r"\b"
    r"|\b(?:i\x27m|i am|im|je suis) (?:his|her|their|son|sa|leur) (?:\w+ )?" + _RELATIONS + r"\b"
    r"|\b(?:check|verify|verifier|verifiez|look up) (?:my|mon|ma|our|notre) " + _RELATIONS + r"\b"
    r"|\b(?:that\x27?s|thats|c\x27est) (?:my|our|her|his|their|mon|ma|son|sa|leur) " + _RELATIONS
    + r"\b"
    r"|\b(?:is|est) (?:one of ours|one of our (?:delegates|staff|people|team)|des notres|"
    r"l\x27un des notres)\b"
    # "a-t-elle été acceptée ?", "has she been accepted?"
    r"|\b(?:a-t-(?:elle|il) (?:bien |deja )?ete|est-(?:elle|il) (?:bien |deja )?)"
    r"(?:accepte\w*|inscrit\w*|retenu\w*|confirme\w*|valide\w*)"
    r"|\b(?:has|have|did|was|is) (?:he|she) (?:been |got |gotten |already )?"
    r"(?:registered|accepted|confirmed|through|in\b)"
    # "if that one got a place", "has my colleague ... got her place too?"
    r"|\b(?:that one|this one|he|she|they)\b.{0,10}\b(?:got|gets|has|have) (?:a|her|his|their) "
    r"(?:place|seat|spot)\b|\b(?:got|get|gotten) (?:her|his|their) (?:place|seat|spot)\b"
    # "sa référence", "what email is on file for him", "what name is registered under 0003"
    r"|\b(?:sa|son|leur) (?:reference|ref|inscription|statut|dossier|candidature)\b"
    # "l'assistante de Mme Dupont", "chief of staff to the minister"
    r"|\b(?:assistant\w*|secretaire|chief of staff|chef de cabinet|collaborat\w*) (?:de|du|of|to) "
    r"(?:mme|m\.|mr|mrs|ms|dr|madame|monsieur|la ministre|le ministre|minister|the minister)\b"
    r"|\b(?:his|her|their) (?:reference|ref|registration|status)\b"
    # "je peux vous donner son adresse : a.diallo@gouv.sn"
    r"|\b(?:son|sa|leur|his|her|their) (?:adresse|address|e-?mail|courriel)\b[^?]{0,40}@"
    r"|\b(?:what|which|quel\w*) (?:e-?mail|address|adresse|courriel)\b.{0,30}"
    r"\b(?:him|her|them|lui|eux|on file)\b"
    # "what email did she register with?", "avec quelle adresse s'est-il inscrit ?"
    r"|\b(?:did|does|has) (?:she|he|they) (?:register|sign up|use)\w*\b"
    r"|\bquel\w* (?:adresse|e-?mail|courriel)\b.{0,25}\b(?:il|elle) (?:s\x27est|a) "
    r"(?:inscrit\w*|utilise\w*)"
    r"|\b(?:what|which|whose) name\b.{0,30}\b(?:registered|under|behind)\b"
    r"|\bquel nom\b.{0,30}\b(?:inscrit|sous|derriere)\b"
    # "l'inscription de notre bourgmestre", "the registration of our mayor"
    r"|\b(?:inscription|statut|dossier) (?:de|d\x27) ?(?:notre|son|sa|leur|madame|monsieur|mme|"
    r"(?:mon|ma) (?:collegue|patron\w*|chef|directeur|directrice|ministre|maire|ami|amie))\b"
    r"|\b(?:registration|status|application) of (?:our|his|her|their|mr|mrs|ms|dr)\b"
    # "he registered last month, is he in?", "est-ce que John Okafor est inscrit ?"
    r"|\b(?:he|she)(?:\x27s| is| has| was)? (?:registered|signed up|in\b|on the list|"
    r"confirmed|accepted)"
    r"|\b(?:is|est-ce que|est ce que) (?!(?:my|mon|ma|mes|je|j\x27|i|it|this|that|the|la|le|l\x27|"
    r"there|ce|c\x27|cette|ca|cela|registration|inscription|tout|tous|toutes|everything|all|"
    r"everyone|anyone|someone|quelqu\x27un|rien|nothing|votre|your|notre|our|les|des|"
    r"vous|nous|on|il|elle|ils|elles)\b)[a-z]+ [a-z]+"
    r"(?: (?:de|from|of) [a-z]+(?: [a-z]+){0,3}|,[^?.!,]{0,40},)?"
    r" (?:est |is |a ete |has been )?(?:bien |already |deja )?"
    r"(?:inscrit\w*|registered|confirme\w*|confirmed|accepte\w*|accepted)\b"
    # "Est-ce que j.okafor@lagos.gov.ng est bien inscrit ?": an address, in the third person
    r"|\b(?:is|est-ce que|est ce que|if|whether|si) [^\s@]{1,64}@[^\s@]{1,100} "
    r"(?:est |is |a ete |has been )?(?:bien |already |deja )?(?:inscrit\w*|registered|"
    r"confirme\w*|confirmed|accepte\w*|accepted)\b"
    r"|\b(?:if|whether|si) (?!(?:my|mon|ma|mes|je|j\x27|i|it|this|that|the|la|le|l\x27|there|ce|"
    r"c\x27|cette|ca|cela|registration|inscription|votre|your|notre|our|we|nous|on)\b)"
    r"[a-z]+ [a-z]+\b"
    r".{0,50}?\b(?:(?:is|est) (?:bien |already |deja )?(?:inscrit\w*|registered|confirme\w*|"
    r"confirmed|accepte\w*|accepted)|got (?:a|her|his|their) (?:spot|place|seat)|got in|made it)\b"
)
# The release's contact and its Director General are public: naming them asks nothing
# about anyone's registration.
_PUBLIC_PEOPLE = r"(?!Azzouz|Samri|William|Lacy|Swing)"
# "whats John Okafors status": a name's status, in English's possessive (on the text as
# written: the name is capitalised).
_NAMES_STATUS_RE = re.compile(
    r"\b(?!(?:What|That|It|Her|His|Let|One|Who|Here|There|Samri|Swing|Azzouz|William|Lacy|"
    r"Workshop|Atelier|Conference|Organization|Organisation|Office|Division)"
    r"[\x27\u2019]?s\b)"
    r"[A-Z][a-z]{2,}(?:[\x27\u2019]s|s) (?:status|registration|application|e-?mail|email address|"
    r"address|phone|reference)\b"
    # "l'e-mail de John Okafor", "the e-mail address of Ms Li Wei"
    r"|\b(?:e-?mail|adresse|courriel|address|phone|t[ée]l[ée]phone)\b(?: (?:de|d\x27|of))? ?"
    r"(?:M\. |Mme |Mr\.? |Mrs\.? |Ms\.? |Dr\.? )?" + _PUBLIC_PEOPLE +
    r"[A-Z][a-z]+ [A-Z][a-z]+"
    # "est-ce que M. Li Wei, de l'université Tsinghua, est bien inscrit ?"
    # "le dossier de Li Wei", "the application of Carlos Ruiz"
    r"|\b(?:dossier|inscription|registration|status|statut|candidature|application) "
    r"(?:de |d\x27|of )(?:M\. |Mme |Mr\.? |Ms\.? |Dr\.? )?"
    + _PUBLIC_PEOPLE
    + r"[A-Z][a-z]+ [A-Z][a-z]+"
)
# "est-ce que M. Li Wei, de l'université Tsinghua, est bien inscrit ?", "... Mme Marie Dupont,
# de la mairie de Lyon : son inscription est-elle bien validée ?": whatever its length.
_NAMED_STATUS_ASKED_RE = re.compile(
    r"\b(?:M\.|Mme|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Madame|Monsieur) [A-Z][a-z]+(?: [A-Z][a-z]+)?\b"
    r"[^?.!]{0,120}\b(?:est (?:bien |d[ée]j[àa] )?inscrite?|is (?:already |properly )?registered|"
    r"(?:son|sa) (?:inscription|candidature|participation) (?:est|a [ée]t[ée]) (?:bien )?"
    r"(?:valid|confirm|accept)|a (?:bien |d[ée]j[àa] )?confirm[ée] (?:sa|son) (?:venue|pr[ée]sence|"
    r"participation)|ha[sd] (?:already )?confirmed (?:his|her) (?:attendance|participation))"
    # "Has Carlos Ruiz from Madrid city council registered yet?"
    r"|\b(?i:has|did|is) [A-Z][a-z]+ [A-Z][a-z]+\b[^?.!]{0,40}\b(?:registered|signed up|"
    r"accepted)\b"
    # "Et la maire de Lyon, elle est inscrite ?": an office holder's registration
    r"|\b(?i:le|la|the) (?i:maire|mayor|ministre|minister|bourgmestre|pr[ée]f[eè]te?|gouverneur|"
    r"governor|pr[ée]sident\w*) (?i:de|du|of|d')\s?[A-Z][\w-]+[^?.!]{0,40}"
    r"\b(?i:registered|signed up|inscrite?)\b"
    # "can u check if Li Wei got accepted?"
    r"|\b(?:check|see|know|verify|tell me|v[ée]rifier|savoir|dire) (?:if|whether|si) "
    r"[A-Z][a-z]+ [A-Z][a-z]+ (?:got|was|has been|is|a [ée]t[ée]|est) "
    r"(?:accepted|confirmed|registered|rejected|in|accept[ée]e?|confirm[ée]e?|inscrite?|retenue?)\b"
)
# "And Carlos Ruiz from Madrid?": another person, named alone (the release's contact and
# Director General aside).
_AND_NAME_RE = re.compile(
    r"^\W{0,5}(?i:and|et|what about|how about|et pour|also)\s{1,3}"
    r"(?:(?:M\.|Mme|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s{1,3})?" + _PUBLIC_PEOPLE +
    r"(?P<name>[A-Z][a-z]{1,20} [A-Z][a-z]{1,20})\b[^?.!\n]{0,45}\?{0,3}\s{0,5}$"
)
# "With reference to the conference" names no registration.
_REFERENCE_WORD_RE = re.compile(
    r"\b(?:reference|ref|numero(?! de (?:tel\w*|portable|fax|mobile)|"
    r" (?:pour|a) (?:joindre|appeler|contacter)))\b(?! (?:to|a)\b)"
)
# The writer's own detail, told apart from someone else's: "that's my colleague's
# number, mine is CMC-2015-0002".
_MINE_RE = re.compile(
    r"\b(?:mine|la mienne|le mien|my own|ma propre|mon propre|"
    r"my (?:reference|ref|number|e-?mail) is|ma (?:reference|ref) (?:est|c\x27est)|"
    r"mon (?:numero|e-?mail|courriel|adresse) (?:est|c\x27est))\b"
)
# A detail of the check stated: "L'adresse indiquée lors de l'inscription est x@y.sn."
_DETAIL_GIVEN_RE = re.compile(
    r"\b(?:adresse|address|e-?mail|courriel|mail|reference|ref)\b[^.?!@]{0,50}"
    r"\b(?:est|is|c\x27est|was|etait)\s{1,3}(?:[\w.+-]{1,64}@|cmc)"
)
# Asking to change the details of a registration: only the IDM Workshop can.
_CHANGE_DETAILS_RE = re.compile(
    r"\b(?:change|update|modify|correct|replace) (?:the|my) (?:e-?mail|address|name|details)|"
    r"\bupdate (?:my|the) (?:registration|record|details|file)\b|"
    r"\bmy new (?:\w+ )?(?:e-?mail|address)\b|\bma nouvelle adresse\b|"
    r"\bmon nouvel? (?:e-?mail|courriel)\b|"
    r"(?:changer|modifier|corriger|mettre a jour|remplacer) (?:l\x27|mon |ma |le |la )"
    r"(?:adresse|e-?mail|courriel|nom|coordonnees)"
)
# The words of a registration check, which name details the release lacks ("form",
# "apply"): not a question on them when they come with a check.
_CHECK_WORDS_RE = re.compile(
    r"\b(?:forms?|formulaire|appl(?:y|ied|ication)|postul\w*|candidat\w*|inscri\w*|regist\w*|"
    r"deadline|date limite|procedures?|badges?|accredit\w*|attestation|certificat\w*|status|"
    r"statut)\b"
)
_NEW_CHECK_RE = re.compile(r"\b(?:check\w*|verif\w*|status|statut|etat de)\b")
# "Vérifie encore avec CMC-2015-0013": the same check with another detail.
_RETRY_RE = re.compile(
    r"\b(?:encore|again|instead|plutot|a la place|retry|essaie|essayez|try|a nouveau|de nouveau|"
    r"re-?check\w*|reverifi\w*)\b"
)
# Asking to withdraw, hand over, add to, upgrade or certify a registration: only the IDM
# Workshop can, whatever else the message asks or gives ("pls cancel it for her",
# "can a colleague take my place?", "add my deputy", "a letter confirming my
# participation").
_CHANGE_REQUEST_RE = re.compile(
    r"\b(?:please|pls|plz|svp|stp|can you|could you|would you|pouvez-vous|pourriez-vous|"
    r"vous pouvez|peux-tu|tu peux?|merci de|i want to|i\x27d like to|i would like to|i need to|"
    r"je veux|je voudrais|jveux|je souhaite|je dois|bien vouloir|saurais gre)\b.{0,25}"
    r"\b(?:cancel|withdraw|annuler|"
    r"lannuler|lanuler|anuler|annule|"
    r"retirer|desinscrire|unregister|deregister)\b"
    # "retirer son badge" is picking it up, not withdrawing
    r"|\b(?:cancel|withdraw|annuler|retirer(?! (?:son|mon|leur|les|le) (?:badge|kit|dossier d))|"
    r"unregister|deregister) (?:mine|my|her|his|our|their|ma|"
    r"mon|sa|son|notre|leur)\b"
    r"|\b(?:cancel|annuler) (?:it |la |le )?(?:for|pour) (?:me|her|him|them|moi|elle|lui|eux)\b"
    r"|\b(?:on|je|vous|tu) l\x27annule\w*|"
    r"\bconfirmer (?:ma|notre) (?:presence|participation|venue)\b|"
    r"\bconfirm (?:my|our) (?:attendance|participation|presence)\b"
    r"|\b(?:me|nous|se) (?:desinscrire|desister|retirer)\b|\bdesist\w*|\bunregister\b|"
    r"\bderegister\b|\bwithdraw (?:it|me|them|my registration)\b|\bun-?cancel\w*|"
    r"\bflip (?:the switch|it) back\b|"
    r"\b(?:re)?activ\w* (?:it|me|my registration|mon inscription|la|le) ?"
    r"(?:again|a nouveau|de nouveau)"
    # "Vous pouvez remettre mon inscription active ?"
    r"|\b(?:remettre|reactiver|restaurer|retablir|rouvrir|reinstate|restore|reactivate|reopen)"
    r"\w*\b.{0,20}\b(?:inscription|participation|dossier|registration|place)\b"
    r"|\binstead of (?:me|him|her)\b|\ba (?:ma|sa) place\b|\btake (?:my|his|her) "
    r"(?:place|seat|spot)\b|\bin (?:my|his|her) place\b|\bprendre (?:ma|sa) place\b|"
    r"\breplace (?:me|him|her)\b|"
    r"\b(?:me|le|la) remplacer\b|\bremplacant\w*|\bsubstitut\w*|\btransf[e]r\w* (?:my|mon|ma|"
    r"the|l\x27|la|le) ?(?:registration|inscription|place|badge|participation|seat|spot)\b"
    # "je voudrais mettre le nom de son conseiller à la place", "d'inscrire également mon
    # conseiller technique"
    r"|\bmettre (?:le nom|son nom|mon nom)\b.{0,60}\ba (?:la|sa|ma) place\b"
    r"|\b(?:d\x27)?inscrire (?:aussi|egalement|en plus) (?:mon|ma|mes|notre|nos)\s"
    r"|\b(?:register|add) (?:also )?(?:my|our) (?:colleague|advis[eo]r|deputy|assistant|aide|"
    r"chief of staff|spouse|wife|husband)\b"
    r"|\b(?:added|ajoutee?s?) (?:to|a) (?:my|mon|ma|our|notre) (?:registration|inscription|"
    r"delegation|reference)\b"
    r"|\badd (?:me|my|our|a|an|another|him|her|them)\b.{0,45}\b(?:registration|list|delegation|"
    r"directly|reference)\b|\bm\x27ajouter\b|"
    r"\b(?:please|pls|plz|just) (?:confirm|validate|approve|accept) (?:him|her|them)\b|"
    r"\b(?:add|register|enrol) me (?:manually|by hand|yourself|directly)\b|"
    r"\bregister\b.{0,60}\bdirectly\b|\binscrire\b.{0,60}\bdirectement\b|"
    r"\bm\x27inscrire (?:manuellement|vous-meme|toi-meme|directement)\b|"
    r"\bajouter\b.{0,40}\b(?:inscription|liste|delegation)\b"
    r"|\b(?:push|bump|move|put|get) (?:me|us) (?:up|to|on|onto|into)\b|\bupgrade (?:me|my)\b|"
    r"\b(?:move|push|speed|hurry|bring) (?:it|this|that|things|my \w+) (?:forward|along|up)\b|"
    r"\b(?:expedite|fast-?track|accelerate) (?:it|this|that|my)\b|"
    r"\b(?:accelerer|faire avancer|presser) (?:mon|ma|le|la|les|mon) \w+\b|"
    r"\b(?:just |please |pls )?(?:approve|validate|accept) "
    r"(?:it|me|my (?:registration|application))\b|"
    r"\bgo up (?:in|on) the (?:waiting )?list\b|\bmonter (?:dans|sur) la liste\b|"
    r"\b(?:valider|approuver|accepter) (?:mon|ma) (?:inscription|dossier|candidature)\b|"
    r"\b(?:change|modify|update|changer|modifier) (?:my|mon|ma) "
    r"(?:category|categorie|status|statut|type|profil\w*|inscription|registration|participation)\b|"
    r"\bprioriti[sz]e (?:me|my)\b|\bme (?:faire )?passer (?:sur|en|dans)\b|"
    r"\bme (?:remettre|rajouter|reintegrer|retablir)\b|\bput me back\b|\badd me back\b|"
    r"\brevenir sur (?:cette|la|ma|votre|sa) decision\b|"
    # "confirm me" is "confirm my registration", not "Please confirm me: IOM has 175 ..."
    r"\bconfirm me\b(?!\s*:)(?!\W*(?:that|whether|if|the)\b)|\bconfirmez-moi\b|"
    r"\bundo (?:that|it|this)\b|\bdefaire (?:ca|cela)\b|"
    r"\b(?:faire )?remonter\b|\ben tete de (?:la )?liste\b|\bto the top of the list\b|"
    r"\bpasser devant\b|\b(?:jump|skip|cut) the (?:queue|line|list)\b|"
    r"\b(?:approve|accept|validate|confirm) (?:it|me|them|her|him)\b.{0,12}\b(?:anyway|regardless|"
    r"all the same)\b|\b(?:valide|accepte|approuve|confirme)[rz]? (?:la|le|l\x27|ma|mon) ?\w* "
    r"quand meme\b|"
    r"\bpasser (?:\w+ ){0,4}en (?:confirm\w*|valid\w*|accept\w*|prioritaire)\b|"
    # "vous pouvez-tu le passer dans les confirmés ?", "move her to the confirmed list"
    r"\b(?:le|la|les|l\x27|me|nous) ?(?:passer|mettre|placer|basculer|faire passer) "
    r"(?:\w+ ){0,2}(?:dans|parmi|avec|sur) (?:les |la )?(?:confirm|accept|valid)\w*|"
    r"\b(?:put|move|switch|add) (?:it|him|her|me|us|them) (?:\w+ ){0,2}(?:to|into|among|with) "
    r"(?:the )?(?:confirmed|accepted|approved)\b|"
    r"\b(?:le|la|les) (?:valider|accepter|approuver)\b|"
    r"\bmove (?:\w+ ){0,3}up (?:the|on the|in the) (?:waiting ?)?list\b|"
    r"\bhigher (?:up )?(?:on|in) the (?:waiting ?)?list\b"
    r"|\bre-?examin\w*|\breconsider\w*|\brevoir (?:mon|ma|le|la) (?:dossier|decision|candidature)\b"
    r"|\breinscri\w*|\bre-?register\b|\bregister (?:me )?again\b|\bre-?apply\b|\brepostul\w*|"
    r"\bpostuler (?:a|de) nouveau\b|\bnouvelle candidature\b|\blet me in\b|\bmake an exception\b|"
    r"\bfaire une exception\b|\blaisse[rz]?-moi (?:entrer|participer|venir)\b|"
    r"\bm\x27inscrire (?:a|de) nouveau\b"
    r"|\b(?:lettre|attestation|courrier)\b.{0,40}\b(?:confirm\w*|participation|inscription)\b|"
    r"\b(?:confirmation|attendance) letter\b|"
    r"\bletter (?:confirming|of confirmation|of attendance)\b"
)
# "But I'm sure I registered!": after a check that found nothing, what to do next.
_SURE_REGISTERED_RE = re.compile(
    r"\b(?:sure|certain|certaine|pourtant|definitely|really did|bel et bien)\b.{0,40}"
    r"\b(?:registered|regist\w* (?:in|on) the site|inscrite?s?|did (?:the|my) registration)\b|"
    r"\b(?:registered|inscrite?s?)\b.{0,20}\b(?:certain|certaine|for sure|pourtant|definitely)\b|"
    r"\bi registered in (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
    # "Mais c'est ma propre inscription !" after the privacy answer
    r"\b(?:c\x27est|it\x27s|it is|its) (?:bien |really |actually )?(?:ma propre|mon propre|my own) "
    r"(?:inscription|registration|reference|adresse|address|e-?mail)\b|"
    r"\b(?:mais |but )(?:c\x27est (?:bien )?(?:la mienne|le mien)|it\x27s mine)\b|"
    # "but I registered last month! what do I do?" after a check that found nothing
    r"\b(?:i|we) (?:registered|signed up|applied|did register)\b.{0,80}"
    r"\b(?:what (?:should|do|can|must) (?:i|we) do|what now)\b|"
    r"\b(?:je me suis|nous nous sommes) (?:\w+ )?inscrite?s?\b.{0,80}"
    r"\b(?:que (?:dois-je|puis-je|faut-il) faire|je fais quoi|on fait quoi|que faire)\b"
)
# What a reference looks like: the check's prompt shows its format.
_REFERENCE_FORMAT_RE = re.compile(
    r"\b(?:format|look like|looks like|ressemble)\b.{0,40}\b(?:reference|ref|numero)\b|"
    r"\b(?:reference|ref|numero)\b.{0,40}\b(?:format|look like|looks like|ressemble)\b"
)
# Someone else checking, or told how to check, for themselves: "how can he check it
# himself?", "check it for him", "the list of confirmed participants".
_FOR_SOMEONE_RE = re.compile(
    r"\b(?:check|verify|look)\w*\b.{0,20}\b(?:for|on) (?:him|her|them)\b|"
    r"\bverifi\w*\b.{0,20}\bpour (?:lui|elle|eux)\b|"
    r"\b(?:how|what|can|could|must|should|need|needs|comment|peut|pourrait|doit|faut|if|si|"
    r"s\x27il|s\x27ils)\b.{0,30}"
    r"\b(?:check|do|verify|write|ask|contact|verifier|ecri\w*|demander|faire|find out|know|"
    r"savoir|see)\b.{0,20}"
    r"\b(?:himself|herself|themselves|lui-meme|elle-meme|eux-memes)\b|"
    # ... not "what does he do?" (the release's contact's job)
    r"\b(?:what|how) (?:would|does|do|can|could|should) (?:he|she|they) (?:need|do|check)\b"
    r"(?<!what does he do)(?<!what does she do)|"
    r"\b(?:how|comment)\b.{0,30}\b(?:check|verify|verifier)\w*\b.{0,10}\b(?:his|her|their|son|sa|"
    r"leur) (?:own |propre )?(?:status|statut|registration|inscription)\b|"
    r"\b(?:who|qui)\b.{0,40}\b(?:is|are|est|sont) (?:already |deja )?(?:registered|inscrite?s?)\b|"
    r"\b(?:who|qui) (?:has|have|a|ont|s\x27est|se sont) (?:already |deja )?(?:registered|signed up|"
    r"inscrit\w*)\b|\bwho\b.{0,30}\b(?:has|have) (?:already )?(?:registered|signed up)\b|"
    r"\b(?:the|that|this) person\x27s (?:name|e-?mail|status|details)\b|"
    r"\ble nom de (?:cette|la) personne\b(?! de contact| a contacter| qui (?:va |peut )?"
    r"(?:decrocher|repondre|repond)| responsable| en charge| a joindre| de reference)|"
    r"\b(?:il|elle|ils|elles) s\x27est inscrite?s?\b|\b(?:he|she) (?:registered|signed up) with\b|"
    r"\b(?:list|liste|names|noms)\s(?:of|des|de)\s(?:(?:all|tous|toutes|the|les|other|autres|"
    r"confirmed|registered)\s){0,3}(?:participants|attendees|delegates|delegues|inscrits|"
    r"registrants)\b|"
    # "les adresses électroniques des maires inscrits", "the e-mails of registered mayors"
    r"\b(?:adresses?|e-?mails?|courriels?|coordonnees|contacts?|noms?|names?|numeros?|phones?)\b"
    r"(?: electroniques?)? (?:des|of the|of) (?:\w+ ){0,2}(?:inscrits|inscrites|registered|"
    r"participants|attendees|delegates|delegues|confirmed|confirmes)\b|"
    # "Juste ceux de Lyon alors": the participants of one place.
    r"^\W*(?:(?:et|and|juste|just|only|seulement|alors|so|then|ok)\W+){0,3}(?:ceux|celles|those|"
    r"the ones|people) (?:de|from|d\x27|du|in) ?[a-z]+\W*(?:alors|then|stp|svp|please|pls)?\W*$|"
    # "I don't have her e-mail": someone else's registration, which only its owner can check.
    r"\b(?:don\x27t|dont|do not|haven\x27t|have not|n\x27ai pas) (?:have |know |got )?"
    r"(?:her|his|their|son|sa|leur) (?:e-?mail|address|adresse|courriel|reference|ref)\b"
)
# "Was I accepted?", "mon inscription ?": one's own registration, whatever the classifier
# guessed, when the message asks no fact.
_OWN_STATUS_RE = re.compile(
    r"\b(?:am i|was i|have i been|did i get|suis-je|ai-je ete|j\x27ai ete|est-ce que je suis|"
    r"(?:my|has my|have my) (?:registration|application|status|participation|attendance|"
    r"place|seat|spot)|"
    r"mon (?:inscription|dossier|statut)|ma (?:participation|presence)|"
    r"ma (?:candidature|demande|place)|registration status|statut (?:de|d\x27)\s?(?:mon|ma)\b)"
    r"(?=.{0,40}\b(?:regist\w*|accept\w*|inscrit\w*|retenu\w*|selecte?d?|selectionne\w*|"
    r"approuve\w*|approved|confirme?d?|valide\w*|in\b|on the list|down for|status|statut|"
    r"(?:go|gone|went) through|passed|abouti\w*|passe\b))"
    # "slt jveu savoir si jsui inscrit", "I want to see whether I got a place"
    r"|\b(?:savoir|voir) si (?:je suis|jsui|jsuis|je sui|chui|j\x27ai (?:une|ma) place)\b"
    r"|\b(?:know|see|check) (?:if|whether) (?:i\x27m|i am|i got|i have|i\x27ve got) "
    r"(?:registered|in|a (?:place|seat|spot)|been (?:accepted|registered|selected))\b"
    # "I am registered or not?"
    r"|\b(?:i am|i\x27m|je suis) (?:already |really |bien |deja )?(?:registered|inscrite?)\b"
    r"(?=.{0,12}\b(?:or not|ou (?:pas|non))\b)"
)
# After a status: asking to change, explain or appeal a decision, when no fact is asked.
_LOST_DETAIL = (
    r"(?:forgot|forgotten|lost|perdu|oublie|sais plus|don\x27t (?:know|remember|have)|"
    r"ne (?:sais|trouve|retrouve) plus|retrouve plus|trouve plus) "
    r"(?:my |ma |mon |the |la |le |l\x27|which |quel(?:le)? )?(?:registration |conference )?"
    r"(?:reference|ref|e-?mail|adresse|address|numero|courriel)"
)
_LOST_DETAIL_RE = re.compile(rf"\b{_LOST_DETAIL}")
# "Vous pouvez corriger ça ?", "régler ça vous-même": what only the IDM Workshop can do.
_FIX_THAT = r"(?:corrige|regle|arrange)[rz]? (?:ca|cela)"
_DECISION_RE = re.compile(
    r"\b(?:appeal|contest\w*|restore|reinstate\w*|re-?activ\w*|undo\b|revers\w*|reconsider|overturn|"
    r"(?:get|put|have|set) it back|back active|remettre|la ravoir|"
    r"(?:validate|approve|accept|confirm) (?:it|me|my)|(?:change|update|move|put) (?:my|me|it)|"
    r"why (?:was|were|did|has|have|is|am) (?:i|my|it|she|he|we|our|me)\b|reason|"
    r"who (?:did|cancel\w*|reject\w*|decided|refused)|speed (?:it )?up|expedite|"
    r"fix (?:it|my (?:registration|status|application|record)|the (?:e-?mail|address|name|details?)"
    r"(?: on my (?:file|record|registration))?)|"
    + _FIX_THAT
    + r"|"
    r"sort (?:it|this|that) out|"
    r"(?:not|wasn\x27t|was not) me|never cancel\w*|ahead of me|before me|avant moi|"
    r"when will i (?:know|hear|get)|hear back|how long (?:does|will|until)|combien de temps|"
    r"avoir (?:la|une) reponse|get (?:an|the) answer|quand (?:saurai|aurai|vais-je)|"
    r"recours|contester|faire appel|retabli\w*|reactiv\w*|restaurer|"
    r"valide[rz]?(?:-la| la| moi| ma)|(?:la|le|me|nous) valider|approuve[rz]? (?:la|ma|moi)|"
    r"passer en|(?:changer|modifier) (?:ca|cela)|"
    # A lost reference or e-mail: only the IDM Workshop can help.
    + _LOST_DETAIL
    + r"|"
    # "why is it taking so long?", "toujours pas de réponse": when a decision comes.
    r"si long|so long|taking (?:so )?long|toujours pas de (?:reponse|nouvelles)|"
    r"still no (?:answer|reply|news|response)|no (?:answer|reply|news) yet|"
    r"me (?:mettre|remettre|faire passer)(?! en (?:relation|contact))|changer (?:mon|le) statut|"
    r"raison|motif|"
    r"(?:my|mes) chances|"
    r"pourquoi (?:ma|mon|j\x27ai|je|a-t-elle|elle a|on m\x27a)|"
    r"qui a (?:annule|refuse|fait|decide)|accelerer|"
    r"corriger (?:mon|ma) (?:inscription|statut|dossier)|"
    r"(?:pas|jamais) (?:moi|annule)|(?:did not|didn\x27t|never) cancel|"
    r"(?:me|la|le) confirmer|confirmer quand meme|confirm (?:me|it) anyway|"
    r"(?:do|fix|change) it (?:yourself|for me)|le faire (?:vous-meme|toi-meme|pour moi)|"
    r"pas le faire|(?:add|register|include) (?:my|a|an|our|another)\b|"
    r"(?:ajouter|inscrire|rajouter) (?:mon|ma|mes|un|une|notre)\b|"
    # What a status means or whether it may change: "what mean 'pending'?"
    r"(?:what|que|qu\x27est-ce que) (?:mean\w*|is meant by|does|veut dire|signifie)\W{1,3}"
    r"(?:pending|wait ?list\w*|waiting list|under review|en cours d\x27examen|"
    r"liste d\x27attente|rejected|cancelled|confirmed)\b|difference (?:between|entre) "
    r"(?:confirm\w*|pending|wait\w*|en attente|rejet\w*|reject\w*|annul\w*|cancel\w*|"
    r"les statuts|the status\w*|statuses)|"
    r"(?:statut|status) (?:peut|can|could|may|might) (?:encore |still )?(?:evoluer|changer|change)|"
    r"(?:switch\w*|put|set|turn\w*) (?:it |me )?back (?:to )?(?:active|on)\b|back to active)"
)
# A yes/no question on one's own status, and the status it names: "am I still on the
# waiting list?" -> waitlisted. Checked in this order ("en attente" is pending, "liste
# d'attente" is the waiting list).
# Registered "for" the conference, named by its place, month or name.
_REGISTERED_FOR_RE = re.compile(
    r"\b(?:registered|inscrite?s?|signed up|down|on the list|accepted|accepte\w*|confirme\w*|"
    r"confirmed) (?:for|pour|a|au|to|at) (?:the |la |le |l\x27)?(?:conference|conf|cmc|event|"
    r"evenement|geneva|geneve|october|octobre|it)\b"
)
_EVENT_FACTS = frozenset({"venue", "dates", "about"})
_ASKED_SUBJECT = (
    r"\b(?:am i|are we|suis-je|sommes-nous|is (?:my|our|it)|est-elle|est-il|est-ce que (?:je|j\x27|"
    r"mon|ma|notre|nous|c\x27est)|(?:mon|ma|notre) (?:inscription|demande|candidature|dossier|"
    r"statut|place|participation)(?: est)?|"
    r"(?:my|our) (?:registration|application|status|place|seat|spot|participation) is|have i been|"
    r"did i get|was i|ai-je ete|j\x27ai ete|je suis|je sui|jsuis|chui|i am|i\x27m|im|"
    r"(?:has|have|did) (?:my|our)|je ne suis|i\x27m not|i am not|"
    r"(?:it\x27s|it is|its) (?:still|not|already|now))\b"
)
# "So it's still pending?" right after a status: the registration just given.
_OWN_SUBJECT_RE = re.compile(
    r"(?:am i|are we|suis-je|sommes-nous|is (?:my|our)|est-ce que (?:je|j\x27|mon|ma|notre|nous)|"
    r"(?:so |then |donc )?(?:it\x27s|it is|its) (?:still |not |already |now )|"
    r"(?:mon|ma|notre|my|our) |have i|did i|was i|ai-je|j\x27ai|je suis|je sui|jsuis|chui|"
    r"i am|i\x27m|im|je ne suis|i\x27m not|i am not)\b"
)
_ASKED_STATUSES = (
    # "Donc je ne suis pas encore confirmé, c'est ça ?": yes unless confirmed.
    (
        "unconfirmed",
        r"(?:pas|not) (?:encore |yet )?(?:confirme\w*|confirmed|accepte\w*|accepted|valide\w*|"
        r"validated|approved|approuve\w*)",
    ),
    # "So right now I'm not registered anymore?": yes for one cancelled or turned down.
    (
        "inactive",
        r"(?:not|no longer|plus) (?:registered|inscrite?s?|on the list|sur la liste)|"
        r"(?:not|no longer) (?:\w+ )?(?:registered|on the list) (?:anymore|any more)",
    ),
    # "Am I still on the list?": still registered, whatever the list.
    (
        "active",
        r"(?:still|toujours|encore) (?:on|sur|dans|in) (?:the |la )?list\w*\b(?! d\x27attente)",
    ),
    (
        "waitlisted",
        r"wait ?list\w*|waiting list|liste d\x27attente|(?:sur|on) (?:la |the )?list\w*\b",
    ),
    ("cancelled", r"cancel\w*|annule\w*"),
    ("rejected", r"reject\w*|refuse\w*|declined|turned down"),
    ("pending", r"pending|en attente|en cours|under review|being (?:processed|reviewed)"),
    (
        "confirmed",
        r"confirm(?:e|ed|ee|ees|es)\b|all set|good to go|accepted|acceptee?s?\b|approved|"
        r"acquise?\b|assuree?\b|garantie?\b|secured|guaranteed|(?:gone|go|went|got) through|"
        r"bonn?e?\b|en ordre\b|in order\b|ok\b|okay\b|fine\b|"
        r"approuvee?s?\b|validated|validee?s?\b|retenue?s?\b|selected|selectionnee?s?\b|"
        r"\bin\b(?=\W*(?:(?:or not|ou pas|right|non|hein|yet|now|then|alors|donc)\W*)?(?:\?|$))",
    ),
    # "Is my registration still active?": yes for a registration not turned down.
    (
        "active",
        r"(?:still|toujours|encore) (?:registered|inscrite?s?|enregistree?s?|valide?|valable|"
        r"actif|active)\b|\bactive\b|\bactif\b|\bvalable\b|"
        # "je suis bien inscrite ?", not "I'm sure I registered. Can you search by my name?"
        r"(?:(?<=am i )|(?<=i am )|(?<=i\x27m )|(?<=je suis )|(?<=suis-je ))"
        r"(?:bien |deja |really |already )?(?:registered|inscrite?s?)\b",
    ),
)
_ASKED_STATUS_RES = tuple(
    (status, re.compile(_ASKED_SUBJECT + r"\W+(?:[\w\x27-]+\W+){0,4}?(?:" + words + ")"))
    for status, words in _ASKED_STATUSES
)
ASKED_STATUS = "asked_status"
# A question without its mark: "... or not", "I want to know if I am confirmed."
_INDIRECT_QUESTION_RE = re.compile(
    r"\b(?:or not|ou (?:pas|non))\W*$|"
    r"\b(?:know|savoir|tell me|dire|check|verifier) (?:if|whether|si)\b"
)
# "C'est bon alors ?", "so that's a yes?", "fine. am I good?", "donc je peux réserver mon
# vol ?": whether one's own registration is confirmed, asked as a status just said is
# followed up ("alors", "so"), in a message that asks (a question mark, "or not").
_LEADING = r"\W*(?:(?:so|donc|alors|ok|okay|bon|ah|and|et|fine|good|great|bien|top|super)\W+){0,3}"
# A question's tag, which asks nothing itself.
_OR_WHAT_RE = re.compile(r"\b(?:or what|ou quoi)\W*$")
# "wait so is that a no or what": the yes or no of one's status, after a check.
_YES_OR_NO_RE = re.compile(
    r"\b(?:is|was) (?:that|this|it) a (?:no|yes)\b|\bc\x27est (?:un )?(?:non|oui)\b(?= ou\b|\s*\?)"
)
_ALL_GOOD_RE = re.compile(
    r"(?=.{0,80}(?:\?|\bor not\b|\bou (?:pas|non)\b))(?:"
    # after "so", "alors"...
    r"(?=.{0,30}\b(?:alors|donc|so|then|now|or not|ou pas|ou non)\b)" + _LEADING +
    r"(?:(?:c\x27est|cest|c|it\x27s|its|is it|everything\x27s|everything is|tout est|i\x27m|im|"
    r"we\x27re|we are|je suis) (?:all )?(?:bon|ok|okay|good|fine|en ordre|regle|correct|set|"
    r"valide|confirme)|"
    r"(?:can i|je peux|puis-je|on peut|i can) (?:book|reserver|buy|acheter|prendre) "
    r"(?:my |mon |ma |the |le |un |a |our |notre )?(?:flight|vol|ticket|billet|train|avion)s?)"
    # ... or on its own
    r"|" + _LEADING + r"(?:(?:that\x27s|thats|c\x27est) (?:a yes|un oui|oui)|"
    r"(?:am i|are we|suis-je) (?:all )?(?:good|ok|okay|fine|set|bon)(?: to go)?)"
    r")(?: (?:alors|donc|then|now|pour moi|for me|or not|ou pas|ou non|right|non))?\W*$"
)
# "Minister Diallo: CMC-2015-0001, a.diallo@gouv.sn. Confirmed?": the last sentence, a
# status word alone.
_BARE_CONFIRMED_RE = re.compile(
    r"(?:^|[.:;,!]\s{0,3})(?:(?:so|donc|alors|and|et|all)\s)?(?:confirm(?:ed|ee?)|accept(?:ed|ee?)|"
    r"validee?|validated|approved|approuvee?|good to go)\s{0,3}\?+\s{0,3}$"
)
# Why a decision on one's registration was made, or is not yet: asked alongside a fact
# or not, only the IDM Workshop can say.
_WHY_DECISION_RE = re.compile(
    r"\b(?:(?:why|y) (?:was|were|is|has|have|am|are) (?:i|my|we|our|it|me)\b.{0,30}\b(?:refus\w*|"
    r"reject\w*|cancel\w*|declin\w*|turned down|not (?:accepted|selected|confirmed)|still|"
    r"wait ?list\w*|pending|so slow|taking so long)|pourquoi\b.{0,30}\b(?:refus\w*|rejet\w*|"
    r"annul\w*|si lent\w*|si long|pas (?:ete )?"
    r"(?:retenu\w*|accepte\w*|confirme\w*|valide\w*)|encore en attente|toujours en attente|"
    r"liste d\x27attente))"
    # "... what is the status of my application? and why is like this?"
    r"|\b(?:why|y) (?:is|was) (?:it )?(?:like (?:this|that)|so)\W*$"
    r"|\b(?:why|y) (?:did |do )?(?:they|you|u) (?:refuse|reject|decline|turn(?:ed)? down)\w*"
    r"|\bpourquoi (?:c\x27est|c est|ca est) (?:comme ca|ainsi)\W*$"
    # "... à quelle date je puis espérer recevoir une réponse définitive"
    r"|\b(?:a quelle date|by when|by what date)\b.{0,40}\b(?:reponse|decision|answer|response)\b"
    # "Vous pouvez régler ça vous-même ?", "fix the email on my file so it matches"
    rf"|\b(?:{_FIX_THAT})\b|\bfix (?:the|my) (?:e-?mail|address|details?)"
    r" (?:on|in) my (?:file|record|registration)\b"
    r"|\b(?:was|is) (?:there )?(?:something|anything) (?:missing|wrong) (?:in|with|from) my "
    r"(?:application|registration|file)\b|\bmanqu\w* (?:quelque chose|qqch) (?:dans|a) (?:mon|ma) "
    r"(?:dossier|inscription|candidature|demande)\b"
    # A request to undo a decision, whatever else the message says ("I can come after all").
    r"|\b(?:aller (?:\+|plus) vite|plus vite|faster|more quickly|any quicker|speed (?:it )?up|"
    r"expedite|"
    r"accelerer|accelerez|hurry (?:it|things) up)\b"
    r"|\b(?:reactiv\w*|re-activ\w*|retablir|retablissez|restore|reinstate\w*|undo (?:the|my|it)|"
    r"(?:get|put|set) it back|back active|(?:active|valid) again|de nouveau (?:active|valide))\b"
    # The waiting list itself: since when, how many places are left.
    r"|\bsur (?:la )?liste (?:d\x27attente )?depuis\b|\bplaces restantes\b|"
    r"\bcombien de places (?:il )?(?:reste|restantes|libres|disponibles|encore)\b"
    # Who decided, whether it is final, whether an e-mail will say it.
    r"|\bqui (?:qui )?(?:l\x27|l )?a (?:annule|refuse|rejete|decide)\w*|"
    r"\bwho (?:cancel+ed|rejected|refused|turned (?:me|it) down|decided)\b|"
    r"\b(?:its|it\x27s|is it|is that|c\x27est|c est|est-ce) (?:\w+ )?(?:final|definiti\w*|"
    r"irrevocable|sans appel)\b|"
    r"\b(?:will i|am i going to|vais-je|je vais|est-ce que je vais|recevrai-je|serai-je)\b.{0,30}"
    r"\b(?:e-?mail|mail|courriel|message|notif\w*|informe\w*|prevenue?|contacte\w*|told|"
    r"informed)\b.{0,40}\b(?:decision|decid\w*|accept\w*|confirm\w*|result\w*|reponse|answer|"
    r"status|statut)"
    r"|\b(?:pending|en attente|on the waiting list|wait ?listed) (?:since|depuis) (?:when|quand)\b"
    # "Was there a problem with my application?"
    r"|\b(?:was there|is there|y a-t-il eu|il y a eu|y a eu) (?:a |un )?(?:problem|probleme|issue|"
    r"souci)\b.{0,30}\b(?:my|mon|ma) (?:application|registration|inscription|dossier|candidature)\b"
    r"|\bfast-?track\w*"
    # "ugh how long do i gotta wait??": not the conference's length
    r"|\bhow long (?:do|must|should|shall|will|would) (?:i|we) (?:\w+ ){0,3}wait\b"
    r"|\bcombien de temps (?:je dois|dois-je|faut-il|il faut|on doit|va-t-il falloir) attendre\b"
    r"|\bhow many (?:places|seats|spots) (?:are )?left\b"
    r"|\b(?:cancel\w*|reject\w*|refus\w*|annul\w*|declin\w*) by whom\b|"
    r"\b(?:annul|refus|rejet)\w* par qui\b"
    r"|\bwhy (?:so|is it so|is this so|it\x27s so) (?:slow|long)\b"
    r"|\bpourquoi (?:si|aussi) (?:lent|long)\b"
    r"|\bwhat number am i\b|\b(?:quel|quelle) (?:numero|position|rang) (?:suis-je|je suis|ai-je)\b"
    r"|\b(?:position|rank|place|rang)\b.{0,20}\b(?:on|in|sur|dans) (?:the|that|this|la|cette) "
    r"(?:waiting |wait ?)?(?:list|liste)\b"
)
# An opinion pushed on the assistant: elsewhere (_PERSONAL_CASE_RE), and never read as
# a letter's question on the release (_OPINION_RE).
_PUSHED_OPINION = (
    r"pour ou contre|for or against|admit it|avouez|avoue-le|waste of (?:money|time)"
)
# A person's own migration case (asylum, permits), a job search, a poem: outside the
# conference altogether.
_PERSONAL_CASE_RE = re.compile(
    r"\b(?:asile|asylum|demandeur d\x27asile|refugee status|statut de refugie|"
    r"permis de (?:sejour|travail)|residence permit|work permit|titre de sejour|"
    r"deportation|expulsion|naturali[sz]ation|lettre de motivation|cover letter|curriculum|"
    r"sans[- ]papiers|undocumented|regularis\w*|regulari[sz]e (?:my|ma|mon)|"
    r"need to vent|landlord|"
    # Anything but the conference: "write me a poem", "une blague".
    r"poem|poeme|joke|blague|recipe|recette|song|chanson|horoscope|franc suisse|swiss francs?|"
    r"exchange rate|taux de change|ski|skier|skiing|devinettes?|riddles?|knock knock|"
    # Sightseeing in one's free time: "kes kya a visite a geneve pdt mon tps libre".
    r"temps libre|free time|spare time|visite\w* (?:a|in) (?:geneve|geneva)|"
    r"(?:apprendre|learn) (?:le |l\x27)?(?:suisse-allemand|swiss german|allemand|german)|"
    r"(?:cherche|looking for|find me) (?:un |une |a |an )?(?:appart\w*|colocation|flat|apartment|"
    r"flatshare)|colocation|loyer|"
    # Housing for a family one helps, not the delegates' accommodation (not in the release)
    r"affordable housing|logements? (?:abordables?|sociaux|social)|"
    r"(?:refugees?|refugies?|families|familles?|newcomers|arrivants)\b.{0,40}\b(?:find|trouver)\b"
    r".{0,30}\b(?:housing|logement)|"
    r"free (?:afternoon|morning|evening|day)|worth (?:seeing|visiting|a visit)|sightseeing|"
    r"what to (?:see|visit) in|(?:que|quoi) visiter|a voir a geneve|"
    # A country's or a city's own figures: "how many people live in Geneva?"
    r"combien (?:d\x27|de )(?:etrangers|immigres|habitants)|how many (?:foreigners|inhabitants)|"
    r"how many (?:people|immigrants|migrants|residents) (?:live|living|are there) in "
    r"(?:geneva|switzerland|france|belgium|canada|europe|the us|the uk)|"
    r"population (?:of|de|du|de la) (?:geneva|geneve|switzerland|suisse)|"
    r"station de ski|ski resorts?|boites? de nuit|films?|"
    r"movies?|hockey|pizza\w*|football|soccer|kebabs?|burgers?|sushis?|tacos|falafels?|"
    r"night ?clubs?|clubs?|nightlife|discotheques?|bars?|pubs?|regarder le match|"
    r"watch the (?:match|game)|sim cards?|cartes? sim|roaming|data (?:plan|deal)s?|"
    r"(?:meilleur\w*|best|le mieux) (?:\w+ ){0,2}(?:restaurants?|restos?|chocolat\w*|gaufres?|"
    r"fondues?|raclettes?|cafes?|shops?|boutiques?|magasins?|quartiers?|spots?|food|cuisine)|"
    r"chocolatiers?|gaufres?|friteries?|chamonix|"
    r"(?:bonne?|good|nice) (?:\w+ ){0,2}(?:restaurants?|restos?|brasseries?|bars?|shops?|"
    r"boutiques?|magasins?)|zermatt|montreux|annecy|interlaken|mont blanc|"
    r"series(?! of)|series? a (?:regarder|voir)|(?:quoi|que) regarder|what to watch|netflix|"
    r"tv shows?|books? to read|livres? a lire|"
    r"randonnee|hikes?|hiking|balade|bord du lac|lakeside|"
    r"bise|gigs?|who(?:\x27s|s| is) playing|"
    # General knowledge and opinions: "the capital of Switzerland", "immigration, a chance
    # or a problem?", "the difference between a refugee and a migrant".
    r"capital (?:city )?of|capitale (?:de|du|d\x27)|"
    r"(?:difference|distinction) (?:between|entre) (?:a |an |un |une |les |the )?"
    r"(?:refugi|refugee|migrant|immigr|exil|expat)\w*|"
    r"une chance ou un probleme|un probleme ou une chance|"
    + _PUSHED_OPINION
    + r"|"
    r"(?:fermer|close|shut) (?:ses|les|nos|leurs|its|the|our|their) (?:frontieres|borders)|"
    r"habitat (?:iii|3)\b|"
    r"(?:do|did) (?:you|u) (?:like|love|enjoy|prefer)\b|"
    r"(?:tu aimes|aimes-tu|vous aimez|aimez-vous)|"
    r"quit\w* my job|career advice|conseils? de carriere|any advice\b|"
    # A posting's family matters: "which international schools", "Swiss income tax"
    r"(?:private |international )+schools?|ecoles? (?:privees?|internationales?)|"
    r"income tax|impots? sur le revenu|tax(?:ed|able)? on (?:their|his|her|my) salar\w*|"
    r"who (?:\w+ ){0,4}will win|qui (?:\w+ ){0,4}va gagner|elections?\b|"
    r"books? (?:on|about) (?:swiss|geneva|history)|livres? (?:sur|d\x27histoire)|"
    r"(?:what do you|que pensez-vous|qu\x27en pensez-vous|tu penses quoi|what\x27s your|votre avis|"
    r"vous en pensez quoi|tu en penses quoi|"
    r"vous pensez quoi|vs pensez quoi|pensez-vous)"
    r" (?:\w+ ){0,6}(?:l\x27)?(?:initiative|votation|referendum|government|gouvernement|"
    r"president\w*|politi\w*|party|parti|immigration|elections?)\b|"
    r"match (?:ce soir|tonight|de foot\w*)|"
    r"puppet|marionnette|"
    # Looking for work: "je cherche un travail en Suisse".
    r"(?:cherche|trouver|find|looking for|find me)\s+(?:un |une |a |an )?"
    r"(?:travail|emploi|job|employeur|employer|work))\b"
)
# An opinion asked or pushed, whatever facts a long message names besides: "vous êtes pour
# ou contre ?", "your little conference is a waste of money, admit it".
_OPINION_RE = re.compile(
    rf"\b(?:{_PUSHED_OPINION}|votre avis personnel|your (?:personal |own )?opinion|gaspillage|"
    r"perte de temps)\b"
)
# Who wins a championship ("who's gonna win the Champions League?" names no invitee).
_SPORT_RE = re.compile(
    r"\b(?:champions league|ligue des champions|premier league|world cup|coupe du monde|stade|"
    r"stadium|ballon d\x27or|tour de france|wimbledon|roland[- ]garros|super bowl|"
    r"(?:a|ont) gagne (?:hier|le match|ce week-?end|samedi|dimanche)|"
    r"won (?:the game|the match|last night|yesterday)|"
    r"who(?:\x27s|s| is)? (?:gonna|going to|will) win|qui (?:va|vont) gagner)\b"
)
# How to register: a procedure the release does not give, no check of a registration.
_HOW_TO_REGISTER_RE = re.compile(
    r"\bcomment (?:on |je |nous )?(?:s\x27|m\x27|nous )?inscri\w*"
    r"|\b(?:s\x27|m\x27)inscri\w* comment\b"
    r"|\bhow (?:do|can|to|should|does one) (?:i |we )?(?:register|sign up|apply)\b"
)
# Reaching the Director General himself ("put me through to the Director General"): the
# release gives no contact of his, only its own contacts.
_REACH_DG_RE = re.compile(
    r"\b(?:put (?:me )?through to|transfer (?:me )?to|connect (?:me )?(?:to|with)|"
    r"(?:speak|talk) (?:directly )?(?:to|with)|meet(?: with)?|"
    r"parler (?:directement )?(?:au|avec (?:le|la))|rencontrer|"
    r"(?:me )?mettre en (?:relation|contact) (?:directe )?avec|me passer)\s+"
    r"(?:the |le |la |m\. |mr\.? )?(?:director[- ]general|directeur general|directrice generale|"
    r"dg|swing|william lacy swing)\b"
)
# A contact asked of "him" or "her": whose depends on the conversation's topic.
_THIRD_PERSON_RE = re.compile(r"\b(?:il|elle|lui|le joindre|la joindre|he|him|his|she|her)\b")
# ... unless the contact is named: "And Mr Samri, is he the director ...?"
_CONTACT_NAMED_RE = re.compile(r"\b(?:samri|azzouz|atelier|workshop)\b")
# Someone at IOM to talk to: the release's contacts, not a participant.
_IOM_PERSON_RE = re.compile(
    r"\b(?:personne|person|someone|quelqu\x27un|interlocut\w*|contact|officer|official)\b.{0,20}"
    r"\b(?:de l\x27oim|at iom|from iom|of iom|a l\x27oim|at the iom|of the iom)\b"
)
# Whom to ask ("à qui dois-je m'adresser pour faire vérifier mon dossier ?"): the contacts.
_WHOM_RE = re.compile(
    r"\b(?:a qui|aupres de qui|whom|"
    r"who (?:should|do|can|must) i (?:contact|write|ask|address|turn))\b"
)
# "Please check my status": a check, whatever else the message says.
# "Can you search by my name?", "... à partir de mon adresse ?": the check, which says why
# it needs the reference and the e-mail.
_BY_NAME_RE = re.compile(
    r"\b(?:search|look)\w*\s+(?:me\s+up|(?:by|for|with|up|under)\s+(?:\w+\s+){0,2}my\s+"
    r"(?:name|e-?mail|address))\b"
    r"|\bcherche\w*\s+(?:par|avec|a)\s+(?:mon|le)\s+nom\b|\blook\s+me\s+up\s+by\s+name\b"
    r"|\b(?:re)?trouve[\w-]*\s+(?:\w+\s+){0,3}(?:avec|par|a partir de)\s+(?:(?:mon|le)\s+nom|"
    r"(?:mon |l\x27)adresse(?: e-?mail| electronique| mail)?|mon (?:e-?mail|courriel))\b"
    r"|\b(?:a|my|the) name (?:is|should be) enough\b|\bun nom (?:suffit|devrait suffire)\b"
)
_CHECK_MINE_RE = re.compile(
    r"\b(?:check|verify|verifier|verifiez|verifie|checker)\b.{0,15}\b(?:my|mon|ma|our|notre)\s+"
    r"(?:status|statut|registration|inscription|application|candidature|dossier)\b"
    rf"|{_BY_NAME_RE.pattern}"
    r"|\bwhere (?:i|we) stand\b|\bou (?:j\x27en suis|en est mon|en est ma)\b"
    r"|\bwhere my (?:application|registration|file) stands\b"
    # "I registered for the CMC, can you check it for me?", "I submitted a registration
    # under reference ... Could you please inform me of its current status?"
    r"|\b(?:i registered|i\x27ve registered|i have registered|je me suis inscrite?)\b.{0,40}"
    r"\b(?:check|verify|verifier|confirm\w*)\s+(?:it|that|this|ca|cela|le|la)\b"
    r"|\b(?:i|we) (?:submitted|sent|filed|made) (?:a|my|our) (?:registration|application)\b"
    r".{0,200}\b(?:its|the) (?:current |present )?status\b"
    # "... sous la référence CMC-2015-0017. Nous vous prions de nous faire connaître l'état
    # de cette inscription."
    r"|\b(?:l\x27etat|le statut|le suivi|the status|the state)(?: d\x27avancement)? "
    r"(?:de (?:cette|notre|mon|ma) "
    r"inscription|of (?:this|our|my) registration)\b"
    # "Kindly check the registration status of the Governor's delegation"
    r"|\b(?:check|verify) (?:the|our) registration(?: status)?\b"
    # "Could you let me know whether my registration has gone through?"
    r"|\b(?:let me know|tell me|inform me|confirm|know|see) (?:if|whether) my "
    r"(?:registration|application) (?:has |was |went |is )?(?:gone through|went through|"
    r"been (?:accepted|received|processed|approved|registered)|accepted|successful|complete|"
    r"in order)\b"
    r"|\b(?:savoir|dire|confirmer|indiquer|voir) si mon inscription (?:a (?:bien )?ete "
    r"(?:acceptee|validee|enregistree|prise en compte|retenue)|est (?:bien )?(?:passee|validee|"
    r"enregistree|acceptee|en ordre))"
    r"|\bj\x27ai (?:soumis|envoye|fait|depose) (?:une|mon|ma) (?:inscription|demande)\b"
    r".{0,200}\b(?:son|le) (?:statut|etat)\b"
    r"|\b(?:check|verify|verifier|verifiez)\s+(?:a|une)\s+(?:registration|inscription)\b"
    r"|\bregistration (?:status )?check\b|\bverification d\x27inscription\b"
    r"|\bhow (?:does|do) (?:the |this |a )?(?:status |registration )?check(?:ing)? work\b"
    r"|\bcomment (?:fonctionne|marche) la verification\b"
    # "mon inscription a été refusée ?? vous pouvez vérifier"
    r"|\b(?:my|mon|ma)\s+(?:registration|inscription|status|statut|candidature|dossier)\b"
    r".{0,40}\b(?:verif\w*|check\w*)\b"
)
DECISION = "ask_registration_decision"
OTHER_REGISTRATION = "ask_other_registration"
OWN_STATUS = "ask_own_status"
_RELEASE_PERSON_RE = re.compile(r"\b(?:samri|swing|lacy)\b")
_STATUS_WORD_RE = re.compile(r"\b(?:status|statut|etat)\b")
# "Why was I rejected?", "what position am I in on the waitlist?": not a yes or no.
_WHY_RE = re.compile(
    r"\by (?:was|were|is|did|am|are|has|have)\b|"
    r"\b(?:why|pourquoi|pk|pq|how come|reason|raison|what|which|where|when|how|quel\w*|"
    r"quand|comment|combien)\b"
)
# Intents that stand only when the message names a registration (see above).
_GATED = frozenset({DECISION, OTHER_REGISTRATION})
# Intents of small talk, which a message giving a reference or an e-mail is not.
_SMALL_TALK = frozenset({"greet", "goodbye", "thank", "acknowledge", "affirm", "deny"})
# Steps of the check that no wording of the message overrules.
_STEPS = frozenset(
    {
        "check_registration",
        "inform_registration",
        "unsupported_message",
        "edited_message",
        "message_too_long",
    }
)
# Someone other than the writer: a colleague, a list, "his", "Mr ...".
_OTHER_PERSON_RE = re.compile(
    r"\b(?:colleague\w*|collegue\w*|boss|patron\w*|friend\w*|ami|amie|someone|somebody|"
    r"quelqu\x27un|anyone|anybody|another|autre|autres|other|others|list\w*|liste|participants|"
    r"delegates|delegues|attendees|names|noms|who else|qui d\x27autre|his|her|their|son|sa|ses|"
    r"leur|leurs|mr|mrs|ms|dr|mme|m(?=\.)|monsieur|madame|deputy|adjoint\w*|minister|ministre|"
    r"director|directeur|directrice|ambassador|ambassadeur|assistant\w*|team|equipe|delegation|"
    r"husband|wife|mari|femme|which e-?mail|quel(?:le)? (?:adresse|e-?mail|courriel)|"
    r"mayors|maires|ministers|ministres|how many people|combien de personnes|staff|employees|"
    r"employes|nos agents|our people)\b"
)
CHECK_REGISTRATION = "check_registration"
STOP = "stop"
# "Never mind, what's the website?": the check stops, then the question is answered.
_STOP_RE = re.compile(
    r"\W*(?:(?:ok|okay|bon|ah|bah|ben|hmm+|actually|en fait|pis|non|no|oh|oops|nah|nope|meh|"
    r"well|alright|euh|bof|tant pis|oh well)\W+){0,3}"
    r"(?:never ?mind|nvm|forget (?:it|that|about it)|laisse[rz]? (?:tomber|faire|beton)|"
    r"oublie[rz]?(?: ca)?|"
    # "Cancel my registration": a request on the registration, not a stop.
    r"(?:cancel|annule[rz]?|stop)\b(?!\W+(?:my |mon |ma |the |la |l\x27|this |cette )?"
    r"(?:regist\w*|inscri\w*|participation|candidature|application|place)))\b"
)
# "je n'ai pas la référence sous la main, laissez tomber": a stop after a comma too.
_AFTER_COMMA_RE = re.compile(r",\s*")
# "Can it be switched back? If not, never mind": a condition, no stop.
_UNLESS_RE = re.compile(r"\b(?:if not|otherwise|sinon|si non|if (?:you|that) can\x27?t)\W*$")
SWITCH_LANGUAGE = "switch_language"
OUT_OF_SCOPE = "out_of_scope"
_WORD_RE = re.compile(r"[a-z]{2,}")
# A check the classifier is this sure of stands when the message asks no fact.
_SURE = 0.8
# Words of a real sentence: a shorter message not understood is asked to be rephrased.
_SENTENCE_WORDS = 4
# The message names the conference: its follow-up words are about it.
_CONFERENCE_RE = re.compile(r"\b(?:conf\w*|cmc|evenement|event)\b")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FactDetector(CodeFingerprinted, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Intents that are about the dialogue, not a question: never overruled
            # by the facts a message names.
            "keep": [
                "inform_registration",
                DECISION,
                OTHER_REGISTRATION,
                "stop",
                "unsupported_message",
                "edited_message",
                "message_too_long",
            ],
            # Below this confidence, the classifier's intent does not name facts.
            "intent_threshold": 0.3,
        }

    def __init__(self, config: Dict[str, Any], base: FactBase) -> None:
        self._keep = set(config["keep"])
        self._threshold = float(config["intent_threshold"])
        self._base = base
        self._roles = default_lexicon()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FactDetector:
        base = fact_base()
        _ = base.corrector  # built now, not while the first message waits
        return cls(config, base)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads are parsed by Rasa itself
            analysis = analyse(text, self._base)
            rest = _beside_elsewhere(text)
            if rest != text and not _registration_given(message):
                # "Write me a poem. And how many member states?": the question asked.
                beside = analyse(rest, self._base)
                asked = [i for i in beside.items if i.get("fact") in self._base.facts]
                if _CONFERENCE_RE.search(fold(rest)):  # "et la conférence, c'est quand ?"
                    asked += [i for i in beside.items if "followup" in i]
                # "who will win the premier league? also when is the conference": the
                # rest of a message that asks is asked.
                folded_rest = fold(rest)
                asks = (
                    _ASKS_RE.search(folded_rest)
                    or "?" in text
                    and (_WH_OPENING_RE.match(folded_rest) or _WH_CLOSING_RE.search(folded_rest))
                )
                # A letter's sentence on something else may ask a topic of the release
                # ("... migrants in vulnerable situations, such as undocumented people?"):
                # then the letter is read whole (_route).
                facts = self._base.facts
                still = {i.get("fact") for i in beside.items if i.get("fact") in facts}
                dropped = {i.get("fact") for i in analysis.items if i.get("fact") in facts} - still
                letter = len(text.split()) >= LETTER_WORDS
                if asked and asks and not (letter and dropped):
                    text, analysis = rest, beside
            folded = fold(text)
            _add_asked_status(message, folded)
            if _REACH_DG_RE.search(folded):
                analysis = _without_the_dg(analysis)
            if self._route(message, text, analysis):
                continue
            dialogue = self._is_dialogue(message, text, analysis)
            items = self._items(message, text, dialogue, analysis)
            name = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if name == DECISION and items:
                # "Et si on l'annule tout simplement ?": the registration's cancellation
                items = [i for i in items if i.get("fact") != NOT_CANCELLED] or None
            checking = name in (CHECK_REGISTRATION, "inform_registration")
            if dialogue and checking and (
                _CHANGE_REQUEST_RE.search(folded)
                or _WHY_DECISION_RE.search(folded)
                or _CHANGE_DETAILS_RE.search(folded)
            ):
                # "CMC-2015-0002 j@x.ng: please move me to the top of the list": the status,
                # then what only the IDM Workshop can do. "If it was cancelled, restore
                # it": the registration's cancellation, not the conference's.
                kept = [i for i in items or [] if i.get("fact") != NOT_CANCELLED]
                items = [*kept, {"fact": REGISTRATION_DECISION, "verdict": None}]
            if name == CHECK_REGISTRATION and _BY_NAME_RE.search(folded):
                items = [{"fact": BY_NAME}]  # not "name" as a follow-up ("what's it called?")
            if items is None:
                continue
            if _CONFERENCE_RE.search(folded):
                # "... and when exactly is the conference?": its follow-up words are about
                # it, even answered after a check, whose status is the topic then.
                items = _about_the_conference(items, self._base)
            if (
                _THIRD_PERSON_RE.search(folded)
                and not _CONTACT_NAMED_RE.search(folded)
                and all(i.get("fact") in CONTACT_FACTS for i in items)
            ):
                # "il a une adresse mail ?": the contacts, or a person's the release lacks
                # after the Director General (compose.resolve reads the topic).
                items = [
                    {**i, "person": True} if i.get("fact") in CONTACT_FACTS else i for i in items
                ]
            # The classifier's intent stays known: a follow-up with nothing to follow
            # up ("who won the match?") is answered as that intent.
            self._add_role(message, text, items)
            answer: Dict[str, Any] = {"items": items, "intent": name}
            # "Can you answer in English? And where is it held?": the last answer again,
            # in the new language, then the question (actions/answers.py).
            switch = requested_language(text) is not None
            if switch:
                answer["switch"] = True
            # "Are you a bot? When is it?", "who's invited? and I want to speak to a real
            # person": the domain's answers on those beside the facts (actions/answers.py).
            if items and analysis.assistant is not None:
                answer["assistant"] = min(analysis.assistant, len(items))
            contacts = {i.get("fact") for i in items} & {*CONTACT_FACTS, NOT_IN_SOURCE}
            if items and _HUMAN_RE.search(folded) and not contacts:
                answer["human"] = True
            message.set(ANSWER_KEY, answer, add_to_output=True)
            if dialogue:
                continue
            topic = CONFERENCE_TOPIC if _CONFERENCE_RE.search(folded) else None
            domain_answer = "assistant" in answer or "human" in answer
            if not (switch or domain_answer) and self._self_contained(message, items, topic):
                self._answer_here(message, items, topic)
            elif name != ASK_QUESTION:
                _set_intent(message, ASK_QUESTION, 1.0)
        return messages

    def _self_contained(
        self, message: Message, items: List[Dict[str, Any]], topic: str | None
    ) -> bool:
        """The reply needs nothing of the conversation: no follow-up to resolve from
        its topic ("when is the conference?" names it), no role stated earlier (most
        questions). A first message's language hint is in the slot before the reply
        is rendered (actions/session.py)."""
        their_address = THEIR_ADDRESS_RE.search(fold(message.get(TEXT) or ""))
        return not their_address and all(
            ("followup" not in i or topic or i.get("context"))
            and not reads_topic(i)
            and i.get("fact") != "invitees"
            for i in items
        )

    def _answer_here(
        self, message: Message, items: List[Dict[str, Any]], topic: str | None
    ) -> None:
        """The reply in both languages, as entities that fill the slots `utter_answer`
        says (`answer_fr`, `answer_en`) and those a later follow-up or language switch
        reads (`answer_topic`, `answer_facts`): no action server call."""
        base = self._base
        resolved = resolve(items, base, topic)
        if not resolved:
            _set_intent(message, ASK_QUESTION, 1.0)  # nothing resolved: the action says so
            return
        facts = [i["fact"] for i in resolved if answerable(i["fact"], base)]
        groups = [base.facts[f].group for f in facts if f in base.facts]
        values = [(f"answer_{lang}", " ".join(compose(resolved, base, lang))) for lang in LANGUAGES]
        values += [("answer_topic", group) for group in groups[-1:]]
        values += [("answer_facts", fact) for fact in facts]
        text = message.get(TEXT) or ""
        entities = [
            {"entity": entity, "value": value, "start": 0, "end": len(text), "confidence": 1.0}
            for entity, value in values
        ]
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), *entities], add_to_output=True)
        _set_intent(message, ASK_FACT, 1.0)

    def _route(self, message: Message, text: str, analysis: Analysis) -> bool:
        """A message giving a reference or an e-mail with a question on a decision or on
        "my registration" is a check of it; the gated intents without a registration
        named give way to the classifier's next guess; a message asking no fact that
        asks about one's own registration, or to change a decision, is one of those; a
        request for the other language is a switch; a sentence not understood and
        outside the conference is out of scope. True when that decides the intent
        alone, with no facts to answer."""
        folded = spelled_out(fold(text), self._base)
        name = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        asks_fact = any(i.get("fact") in self._base.facts for i in analysis.items)
        given = _given(message, text)
        if _stops(folded) and name not in _STEPS:
            _set_intent(message, STOP, 1.0)
            return False
        if "email_ending" in given and not given & _REGISTRATION_ENTITIES:
            _set_intent(message, "inform_registration", 1.0)  # "oops, it's .org not .com"
            return True
        proving = given >= _REGISTRATION_ENTITIES  # reference and e-mail: a check
        if _CHANGE_DETAILS_RE.search(folded) and not proving:
            _set_intent(message, DECISION, 1.0)  # "change my e-mail to ...": not a check
            return True
        if _LOST_DETAIL_RE.search(folded) and given & _REGISTRATION_ENTITIES == {"email"}:
            # "I lost my reference. My e-mail is x@y, can you look it up?": only the IDM
            # Workshop can help, not a check that cannot be completed (a reference with its
            # e-mail "forgotten" asks for someone's address: the privacy answer).
            _set_intent(message, DECISION, 1.0)
            return not asks_fact
        # "I'm sure I registered!" is a protest, unless it asks for a check ("... search by
        # my name?"), whose prompts say what the check needs.
        protest = _SURE_REGISTERED_RE.search(folded) and not _CHECK_MINE_RE.search(folded)
        named_alone = _AND_NAME_RE.match(text)
        # "et Buenos Aires ?" names a place, not a person.
        person = named_alone and not self._base.wrong_places.search(fold(named_alone["name"]))
        if person and not proving:
            _set_intent(message, OTHER_REGISTRATION, 1.0)  # "And Carlos Ruiz from Madrid?"
            return True
        if given & _REGISTRATION_ENTITIES and protest and not proving:
            # "That's definitely my address. Maybe my number is CMC-2015-0004?": checked.
            _set_intent(message, "inform_registration", 1.0)
            return False
        if (_CHANGE_REQUEST_RE.search(folded) or protest) and not proving:
            _set_intent(message, DECISION, 1.0)  # "pls cancel it for her": not here
            return False  # a question beside it is answered after
        someone_at_iom = _IOM_PERSON_RE.search(folded)  # "le nom d'une personne de l'OIM"
        if (
            _FOR_SOMEONE_RE.search(folded)
            and not proving
            and not _WHOM_RE.search(folded)
            and not someone_at_iom
        ):
            _set_intent(message, OTHER_REGISTRATION, 1.0)  # "how can he check it himself?"
            return False
        if _REGISTRATION_ALONE_RE.match(folded):
            _set_intent(message, CHECK_REGISTRATION, 1.0)  # "inscription ?"
            return True
        if _REFERENCE_FORMAT_RE.search(folded) and name not in _STEPS:
            _set_intent(message, CHECK_REGISTRATION, 1.0)  # the prompt shows the format
            return True
        one_detail = len(given & _REGISTRATION_ENTITIES) == 1
        # Someone else's registration named (read once, for both uses below).
        theirs = (
            _SOMEONE_ELSES_RE.search(folded)
            or _NAMES_STATUS_RE.search(text)
            or _NAMED_STATUS_ASKED_RE.search(text)
        )
        if (
            name == CHECK_REGISTRATION
            and one_detail
            and not theirs
            and not _NEW_CHECK_RE.search(folded)
            and not _DECISION_RE.search(folded)  # "j'ai oublié l'adresse, redonnez-la-moi"
        ):
            # "Ah sorry, I registered through the ministry address: x@y": a detail for the
            # check under way (or the one that found nothing), not a new check
            _set_intent(message, "inform_registration", 1.0)
            return False
        if given & _REGISTRATION_ENTITIES and _RETRY_RE.search(folded) and not proving:
            # "It was registered with her own address, x@y.fr: could you check again?": the
            # same check with a corrected detail, which must match like any other.
            _set_intent(message, "inform_registration", 1.0)
            return False
        # "M. Samri, quelle fonction, et à quelle adresse lui écrire ?": the release's contact.
        release_person = _RELEASE_PERSON_RE.search(folded) and not REGISTRATION_WORD_RE.search(
            folded
        )
        # "John Okafor's e-mail?": whatever else is asked, but in a letter that asks facts.
        named = (
            _NAMES_STATUS_RE.search(text)
            and len(text.split()) < LETTER_WORDS
            or _NAMED_STATUS_ASKED_RE.search(text)
        ) and not release_person
        # "Oh sorry, that's my wife's address. Mine is c.ruiz@example.org": the writer's own.
        someone_else = (
            not release_person
            and not _MINE_RE.search(folded)
            and theirs
        )
        # A letter on behalf of a minister asks the facts, not anyone's status.
        asks_beyond_contacts = any(
            i.get("fact") in self._base.facts and i.get("fact") not in CONTACT_FACTS
            for i in analysis.items
        )
        # "Mon homologue, John Okafor, est-il inscrit ? On aimerait se retrouver sur place":
        # in a message shorter than a letter, the registration is what is asked.
        short = len(text.split()) < LETTER_WORDS
        # "a colleague said it moved": a wrong claim to correct, not "see her in Geneva"
        claims = any(i.get("verdict") == "no" for i in analysis.items)
        # "Ma collègue X est-elle inscrite ? Elle m'a demandé de vérifier": hers, not mine.
        mine = _CHECK_MINE_RE.search(folded) or _OWN_STATUS_RE.search(folded)
        if (
            (name != CHECK_REGISTRATION or someone_else and not mine)
            and not proving
            and (named or someone_else and (not asks_beyond_contacts or short and not claims))
            # "c'est pour le dossier de notre délégation. Je veux échanger avec une personne
            # de l'OIM": a person to talk to, no one's registration
            and not (someone_at_iom and _HUMAN_RE.search(folded))
        ):
            _set_intent(message, OTHER_REGISTRATION, 1.0)  # "is my colleague X confirmed?"
            return short or not asks_beyond_contacts  # a letter's facts: after the privacy
        asked = next(
            (e for e in message.get(ENTITIES) or [] if e.get("entity") == ASKED_STATUS), None
        )
        # "So I'm in?", "je suis toujours sur la liste ?": the writer's own, whatever the
        # classifier guessed; "is it confirmed?" may be the conference.
        in_first_person = asked and (
            _OWN_SUBJECT_RE.match(fold(text)[asked["start"] :])
            or _ALL_GOOD_RE.match(fold(text))
            or _YES_OR_NO_RE.search(fold(text))
        )
        mine_named = (
            name in (CHECK_REGISTRATION, DECISION)
            or bool(_OWN_STATUS_RE.search(folded))
            or bool(in_first_person)
        )
        # Not an asylum claim, not "why was I rejected?", not "please accept me", in the
        # sentence that asks ("What does 'under review' mean? Am I accepted or not?").
        elsewhere = (_PERSONAL_CASE_RE, _WHY_RE, _CHANGE_REQUEST_RE)
        asking = _sentence_at(fold(text), asked["start"]) if asked else folded
        asking = _OR_WHAT_RE.sub("", asking)  # "is that a no or what": no question on "what"
        about_mine = mine_named and not any(p.search(asking) for p in elsewhere)
        # "Did I get in?": the invitees' cue words, asked of oneself, ask the status.
        # "Am I registered for Geneva?": the place or dates named are the conference's.
        registered_for = in_first_person and _REGISTERED_FOR_RE.search(folded)
        asks_other_fact = any(
            i.get("fact") in self._base.facts
            and not (in_first_person and i.get("fact") in ("invitees", "confirmed"))
            and not (registered_for and i.get("fact") in _EVENT_FACTS)
            for i in analysis.items
        )
        if asked and about_mine and not given & _REGISTRATION_ENTITIES and not asks_other_fact:
            # "So I'm confirmed?": after a check, yes or no and the status again; before
            # one, the check (data/rules.yml).
            _set_intent(message, OWN_STATUS, 1.0)
            return True
        if "reference" in given and "email" not in given and _WHOSE_RE.search(folded):
            # "Donnez-moi simplement l'adresse e-mail enregistrée pour la référence
            # CMC-2015-0001, je me débrouillerai.": asked without a question mark. A letter
            # gets the privacy answer, then the facts it asks besides.
            _set_intent(message, OTHER_REGISTRATION, 1.0)
            return len(text.split()) < LETTER_WORDS
        detail_given = _DETAIL_GIVEN_RE.search(folded)
        if given & _REGISTRATION_ENTITIES and (
            name in _SMALL_TALK or _MINE_RE.search(folded) or detail_given
        ):
            # "Bon, essayez adiallo@gouv.sn alors": a detail for the check, not a goodbye;
            # "that's my colleague's number. mine is CMC-2015-0002": not someone else's.
            # A question beside it is answered after the check.
            _set_intent(message, "inform_registration", 1.0)
            return False
        if given & _REGISTRATION_ENTITIES and name not in _STEPS and not _is_asked(text):
            # "It may have been the cabinet's address: cabinet@x.ml": a detail, not a question.
            _set_intent(message, "inform_registration", 1.0)
            return False
        if proving and name not in _STEPS and _STATUS_RE.search(folded):
            # "CMC-2015-0003, me@x.org: my status? And the report's title?": the check,
            # then the facts asked beside it.
            _set_intent(message, CHECK_REGISTRATION, 1.0)
            return False
        if given & _REGISTRATION_ENTITIES and mine and not theirs and name not in _STEPS:
            # "I was assigned reference CMC-2015-0005 ... confirm that my registration is in
            # order. Will the report be launched there?": the check (the e-mail asked for),
            # the facts answered beside it.
            _set_intent(message, CHECK_REGISTRATION, 1.0)
            return False
        if (given & _REGISTRATION_ENTITIES or _REFERENCE_WORD_RE.search(folded)) and (
            _WHOSE_RE.search(folded) and not proving
        ):
            _set_intent(message, OTHER_REGISTRATION, 1.0)  # "whose name is on CMC-2015-0005?"
            return len(text.split()) < LETTER_WORDS
        retry = _RETRY_RE.search(folded)
        if name == "inform_registration" and _NEW_CHECK_RE.search(folded) and not retry:
            # "Check CMC-2015-0003": a new check, the details of an earlier one dropped.
            _set_intent(message, CHECK_REGISTRATION, 1.0)
            return False
        only_contacts = all(i.get("fact") in CONTACT_FACTS for i in analysis.items if "fact" in i)
        # "Je préférerais échanger avec un interlocuteur humain. C'est pour le cabinet du
        # maire de Grenoble": what else it names is who they are, nothing asked.
        asked = _is_asked(text) or asks_in_lines(folded)  # "who's invited\nalso a real person"
        if _HUMAN_RE.search(folded) and (only_contacts or not asked) and not proving:
            _set_intent(message, "request_human", 1.0)  # "a real person, about my registration"
            return True
        if (
            name == "request_human"
            and analysis.items
            and all(i.get("fact") in CONTACT_FACTS for i in analysis.items)
            and not any(i.get("verdict") for i in analysis.items)  # "is Samri the director?"
        ):
            return True  # "someone of the staff": the domain's answer on reaching a person
        # A city named in passing ("posted to Geneva") asks nothing of the release.
        letter_asks = len(text.split()) >= LETTER_WORDS and any(
            i.get("fact") in self._base.facts and i.get("fact") != "venue" for i in analysis.items
        )
        if _elsewhere(folded) and not (letter_asks and not _OPINION_RE.search(folded)):
            # "My asylum claim was refused, what do I do?": no registration, no fact; a
            # letter that asks facts of the release is not elsewhere for a word of it.
            _set_intent(message, OUT_OF_SCOPE, 1.0)
            return True
        if _CHECK_MINE_RE.search(folded) and name not in _STEPS and not _WHOM_RE.search(folded):
            _set_intent(message, CHECK_REGISTRATION, 1.0)  # "John Okafor here, check my status"
            # "hi, registration check please": nothing else asked; "look me up by name": why not
            return not _is_asked(text) and not _BY_NAME_RE.search(folded)
        if _WHY_DECISION_RE.search(folded) and not given & _REGISTRATION_ENTITIES:
            # "Why was I refused? Researchers are invited": the decision, not the facts.
            _set_intent(message, DECISION, 1.0)
            return True
        if name not in _STEPS and not asks_fact:
            if _DECISION_RE.search(folded):
                # With the reference or the e-mail, the registrant first gets the status.
                registrant = given & _REGISTRATION_ENTITIES
                _set_intent(message, CHECK_REGISTRATION if registrant else DECISION, 1.0)
                return not registrant
            if requested_language(text):
                # With a follow-up ("in French: the experts too?"), it is answered in the
                # new language; with nothing to follow, the last answer is said again
                # ("In French please, my co-author in Montreal will handle it").
                _set_intent(message, SWITCH_LANGUAGE, 1.0)
                missing_only = all(i.get("fact") == NOT_IN_SOURCE for i in analysis.items)
                return not analysis.items or ("?" not in text and missing_only)
            own_status = _OWN_STATUS_RE.search(folded) and not _registration_given(message)
            if own_status:
                _set_intent(message, CHECK_REGISTRATION, 1.0)
                # A detail the release lacks asked beside it is answered after the check;
                # nothing else ("jveu savoir si jsui inscrit" asks no detail).
                return not self._cues_a_missing_detail(folded)
            if (
                name == DEFAULT_NLU_FALLBACK_INTENT_NAME
                and not analysis.in_domain
                and len(_WORD_RE.findall(folded)) >= _SENTENCE_WORDS
            ):
                # A sentence understood as elsewhere; a follow-up word in it ("une ONG")
                # is answered only if it follows up the conversation's topic.
                _set_intent(message, OUT_OF_SCOPE, 1.0)
                return not analysis.items
        if name not in _GATED:
            return False
        about_event = any(i.get("fact") for i in analysis.items)
        # "What's the status of CMC-2015-0004?": whoever asks must prove it with the e-mail.
        a_reference = name == OTHER_REGISTRATION and not _OTHER_PERSON_RE.search(folded)
        if (
            given >= _REGISTRATION_ENTITIES
            or given & _REGISTRATION_ENTITIES
            and (name == DECISION or a_reference)
        ):
            _set_intent(message, CHECK_REGISTRATION, 1.0)  # the registrant, proving who they are
        elif (
            not _REGISTRATION_RE.search(folded)
            or about_event
            and not _STRICT_REGISTRATION_RE.search(folded)
            or about_event
            and len(text.split()) >= LETTER_WORDS
            and not _LETTER_STATUS_RE.search(folded)
            or (name == OTHER_REGISTRATION and not _OTHER_PERSON_RE.search(folded))
        ):
            ranking = message.get(INTENT_RANKING_KEY) or []
            others = [r for r in ranking if r.get(INTENT_NAME_KEY) not in _GATED]
            best = others[0] if others else {}
            if float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self._threshold:
                _set_intent(message, best[INTENT_NAME_KEY], best[PREDICTED_CONFIDENCE_KEY])
            else:
                _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, 1.0)
        return False

    def _add_role(self, message: Message, text: str, items: List[Dict[str, Any]]) -> None:
        """ "How about students?" names a category of its own, and so does "can we come
        with an intern?" asked among other questions: its role, whatever the classifier thought
        (the RoleExtractor reads roles of invitee questions only), so the answer is for
        students, not for a role stated earlier."""
        entities = message.get(ENTITIES) or []
        if any(e.get("entity") == ROLE_ENTITY for e in entities):
            return
        followups = self._base.followups
        indexes = [i["followup"] for i in items if isinstance(i.get("followup"), int)]
        categories = any(followups[index].confirms for index in indexes) or any(
            i.get("fact") == "invitees" and i.get("verdict") for i in items
        )
        match = self._roles.find(text) if categories else None
        if match is None:
            return
        message.set(ENTITIES, [*entities, role_entity(match)], add_to_output=True)

    def _is_dialogue(self, message: Message, text: str, analysis: Analysis) -> bool:
        """The intent is a step of the dialogue (a check, a stop...), never overruled;
        a doubtful "stop" ("Gratuit ?" at 0.2) is not one."""
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        folded = fold(text)
        if (
            name == STOP
            and not _stops(folded)
            and any("followup" in i or i.get("fact") not in CONTACT_FACTS for i in analysis.items)
        ):
            return False  # "c gratuit ou pas" taken for a stop at 0.2: answered
        if (
            name == CHECK_REGISTRATION
            and _HOW_TO_REGISTER_RE.search(folded)
            and not _registration_given(message)
            and not _CHECK_MINE_RE.search(folded)
            and not _OWN_STATUS_RE.search(folded)
        ):
            return False  # "est-ce que je peux y assister ? Et comment on s'inscrit ?"
        confident = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= _SURE
        # A detail the release lacks counts when a cue names it, not when a question on
        # one's registration matched no fact ("jveu savoir si jsui inscrit").
        cued_missing = self._cues_a_missing_detail(folded)
        asks_no_fact = not any(
            "fact" in i and (i["fact"] != NOT_IN_SOURCE or cued_missing) for i in analysis.items
        )
        # In a letter, "could you confirm the year IOM was founded" checks nobody's status.
        status = _LETTER_STATUS_RE if len(text.split()) >= LETTER_WORDS else _STATUS_RE
        return (
            name in self._keep
            or name == CHECK_REGISTRATION
            and bool(
                _FIRST_PERSON_RE.search(folded)
                and (status.search(folded) or confident and asks_no_fact)  # "and mine?"
                or _registration_given(message)
                or _CHECK_MINE_RE.search(folded)  # "hi, registration check please"
                # "jveu savoir si mon inscri a passé"
                or _OWN_STATUS_RE.search(spelled_out(folded, self._base))
            )
        )

    def _cues_a_missing_detail(self, folded: str) -> bool:
        """A cue of a detail the release lacks, not a question that merely matched no fact."""
        return any(p.search(folded) for p in self._base.not_in_source)

    def _asks_a_missing_detail(self, text: str) -> bool:
        return _asks_a_missing_detail_of(text, self._base)

    def _items(
        self, message: Message, text: str, dialogue: bool, analysis: Analysis
    ) -> List[Dict[str, Any]] | None:
        """The items to answer, or None when the classifier's intent stands alone. A
        step of the dialogue keeps the facts its message also asks, answered after
        the check ("check CMC-2015-0003 x@y.org, and what are the dates?")."""
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if dialogue:
            # A detail the release lacks, only in a letter: in a short message the words
            # of the check itself ("form", "apply") would be taken for one. After "never
            # mind", everything asked is answered ("forget it, what's the website?").
            letter = len(text.split()) >= LETTER_WORDS or text.count("?") >= 2
            letter = letter or self._asks_a_missing_detail(text)
            stopped = name == STOP
            # "... and send me the link to the conference web page": the contacts asked, not
            # named by the e-mail address of the check.
            contacts = stopped or letter and bool(_WEB_OR_PHONE_RE.search(fold(text)))
            asked = [
                i
                for i in analysis.items
                if "followup" in i
                or i.get("fact") in self._base.facts
                and (contacts or i.get("fact") not in CONTACT_FACTS)
                or i.get("fact") == NOT_CANCELLED  # "... and is it still on for the 26th?"
                or (letter or stopped)
                and i.get("fact") == NOT_IN_SOURCE
            ]
            return asked or None
        if analysis.items:
            return analysis.items
        if name in self._base.intents and confidence >= self._threshold:
            facts = self._base.intents[name]
            items: List[Dict[str, Any]] = [{"fact": f, "verdict": None} for f in facts]
            items = items or [{"fact": NOT_IN_SOURCE}]
            if own_case(fold(text)):  # "so am I coming or not?" right after a status
                items = [{**i, "own": True} for i in items]
            return items
        if name == CHECK_REGISTRATION and _STATUS_WORD_RE.search(fold(text)):
            return None  # "registration status?": the check, not a detail the release lacks
        if name in ("out_of_scope", DEFAULT_NLU_FALLBACK_INTENT_NAME, CHECK_REGISTRATION) and (
            analysis.in_domain and _is_question(text)
        ):
            return [{"fact": NOT_IN_SOURCE}]
        return None


def _asks_a_missing_detail_of(text: str, base: FactBase) -> bool:
    """A question beside a check on a detail the release lacks, in words that are not
    the check's own ("CMC-2015-0002 j.okafor@x.ng, which hotels do you recommend?")."""
    if "?" not in text:
        return False
    rest = _CHECK_WORDS_RE.sub(" ", fold(text))
    return any(i.get("fact") == NOT_IN_SOURCE for i in analyse(rest, base).items)


def _without_the_dg(analysis: Analysis) -> Analysis:
    """The Director General asked to be reached: the release lacks his contact (its own
    contacts follow), his words are not what is asked."""
    items = [i for i in analysis.items if i.get("fact") not in ("dg_quote", *CONTACT_FACTS)]
    if not any(i.get("fact") == NOT_IN_SOURCE for i in items):
        items.insert(0, {"fact": NOT_IN_SOURCE})
    return replace(analysis, items=items)


def _about_the_conference(items: List[Dict[str, Any]], base: FactBase) -> List[Dict[str, Any]]:
    """Follow-up items resolved as questions on the conference, or on the fact asked
    before them in the message ("the report at the CMC? what does it look into?"); the
    other items as they are."""
    topic = CONFERENCE_TOPIC
    kept = []
    for item in items:
        if "followup" in item:
            resolved = resolve([item], base, topic)
            if resolved:
                item = {**{k: v for k, v in item.items() if k != "followup"}, **resolved[0]}
        if item.get("fact") == NOT_CANCELLED:
            # the conference's, even right after a status
            item = {**item, "context": CONFERENCE_TOPIC}
        fact = base.facts.get(item.get("fact") or "")
        topic = fact.group if fact else topic
        kept.append(item)
    return kept


def _given(message: Message, text: str) -> Set[str]:
    """The entities the message gives, but an e-mail address that only signs a letter
    (after its last question, with no reference): not a registration to check."""
    given = {e.get("entity") for e in message.get(ENTITIES) or []}
    if "email" in given and "reference" not in given and len(text.split()) >= LETTER_WORDS:
        entities = message.get(ENTITIES) or []
        starts = [e.get("start") or 0 for e in entities if e.get("entity") == "email"]
        if all(start > text.rfind("?") for start in starts):
            given.discard("email")
    return given


def _add_asked_status(message: Message, folded: str) -> None:
    """The `asked_status` entity of a yes/no question on one's own status."""
    asks = "?" in folded or _INDIRECT_QUESTION_RE.search(folded) or _YES_OR_NO_RE.search(folded)
    if not asks and not re.match(r"\s*(?:am i|suis-je|is my|est-ce)", folded):
        return
    found = ((s, p.search(folded)) for s, p in _ASKED_STATUS_RES)
    all_good = (
        _ALL_GOOD_RE.match(folded)
        or _BARE_CONFIRMED_RE.search(folded)
        or _YES_OR_NO_RE.search(folded)
    )
    for status, match in [*found, ("confirmed", all_good)]:
        if match:
            entity = {
                "entity": ASKED_STATUS,
                "value": status,
                "start": match.start(),
                "end": match.end(),
                "confidence": 1.0,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
            return


# A request in the imperative: "tell me who's invited", "dites-moi quand".
_IMPERATIVE = r"(?:tell|give|show) me\b|(?:dis|dites|donne|donnez|indique|indiquez)[- ]moi\b"
# Sentences, and the parts of one joined by "and then" or by "and" before a new request
# ("Tell me a joke about mayors, and then tell me who's invited", "raconte une blague et
# dis-moi c'est quand").
_SENTENCE_RE = re.compile(
    rf"(?:(?!\s(?:and|et)\s+(?:{_IMPERATIVE}))[^?!.\n,]|,(?!\s*(?:and|et)\b)|"
    r",\s*(?:and|et)\s+(?!then\b|puis\b|ensuite\b|apr[eè]s\b))+"
    rf"(?:[?!.\n]+|,\s*(?:and|et)\s+(?:then|puis|ensuite|apr[eè]s)\b"
    rf"|\s(?:and|et)(?=\s+(?:{_IMPERATIVE}))|$)"
)
# An aside inside a sentence: "..., and btw who's the favourite for the world cup final?"
_ASIDE_RE = re.compile(
    r",?\s+(?:(?:and|et|oh and)\s+)?(?:btw|by the way|au fait|d\x27ailleurs)\b"
    r"|,\s+(?:(?:and|et)\s+)?(?:then|puis|ensuite|apr[eè]s)\b"
)
# A question word opening what is left of a message that asks: "who will win the premier
# league? also when is the conference".
_WH_OPENING_RE = re.compile(
    r"\W*(?:(?:also|and|et|aussi|plus|sinon|btw|ok)\W+){0,3}(?:when|where|who|what|how|which|"
    r"quand|ou|qui|quel\w*|comment|combien)\b"
)
# What asks without a question mark.
_WEB_OR_PHONE_RE = re.compile(
    r"\b(?:link|lien|web ?page|page web|website|site web|url|phone|telephone)\b"
)
# "... sinon le rapport 2015 il parle de quoi": a question word closing it, or a count.
_WH_CLOSING_RE = re.compile(
    r"\b(?:quoi|quand|ou|comment|pourquoi|what|when|where)\W*$|\b(?:combien|how many)\b"
)
_ASKS_RE = re.compile(rf"\?|\b(?:{_IMPERATIVE})")


_THAT_ONE_RE = re.compile(r"\b(?:that one|this one|celle-la|celui-la|that event|cet evenement)\b")


def _beside_elsewhere(text: str) -> str:
    """The message without its sentences on something else entirely ("Write me a poem
    about autumn. And how many member states does IOM have?"); all of it when it pushes
    an opinion ("vous êtes pour ou contre ?")."""
    if _OPINION_RE.search(fold(text)):
        return text
    sentences = []
    for sentence in (s for s in _SENTENCE_RE.findall(text) if s.strip()):
        # "what's it called, and btw who'll win the world cup?": the question's mark stays
        *pieces, last = _ASIDE_RE.split(sentence)
        mark = last[len(last.rstrip("?!.")) :]
        sentences += [p + mark for p in pieces] + [last]
    kept, dropped = [], False
    for sentence in sentences:
        # "Any info on Habitat III? When and where is that one happening?": that one too
        folded = fold(sentence)
        dropped = _elsewhere(folded) or dropped and bool(_THAT_ONE_RE.search(folded))
        if not dropped:
            kept.append(sentence)
    return "".join(kept).strip() if kept and len(kept) < len(sentences) else text


def _elsewhere(folded: str) -> bool:
    """On something else entirely: one's own migration case, a poem, a match."""
    return bool(_PERSONAL_CASE_RE.search(folded) or _SPORT_RE.search(folded))


def _stops(folded: str) -> bool:
    """ "Never mind" opening the message, one of its sentences or a clause after a comma
    ("j'ai pas ma référence sur moi, laissez tomber. Le rapport, il s'appelle comment ?")."""
    for sentence in _SENTENCE_RE.findall(folded):
        parts = _AFTER_COMMA_RE.split(sentence)
        for before, part in zip(["", *parts], parts, strict=False):
            if _STOP_RE.match(part) and not _UNLESS_RE.search(before):
                return True
    return False


def _sentence_at(text: str, position: int) -> str:
    """The sentence of `text` around `position`."""
    spans = (m for m in _SENTENCE_RE.finditer(text) if m.start() <= position < m.end())
    return next((m.group(0) for m in spans), text)


def _registration_given(message: Message) -> bool:
    return any(e.get("entity") in _REGISTRATION_ENTITIES for e in message.get(ENTITIES) or [])


def _set_intent(message: Message, name: str, confidence: float) -> None:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, intent, add_to_output=True)
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


def _is_asked(text: str) -> bool:
    """A question mark, or a letter long enough to ask in words."""
    return "?" in text or len(text.split()) >= LETTER_WORDS


def _is_question(text: str) -> bool:
    return "?" in text or len(text.split()) >= 4
