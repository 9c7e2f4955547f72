"""The fact base (bot/nlu/facts.yml), what a message asks of it (bot/nlu/facts.py),
the FactDetector's routing (bot/nlu/fact_detector.py) and the composed answer
(actions/answers.py): no model, no server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer, compose, resolve
from actions.session import ActionFirstMessageLanguage
from bench.adversarial import adversarial, seconds
from bot.nlu.fact_detector import FactDetector
from bot.nlu.facts import (
    BY_NAME,
    NOT_CANCELLED,
    NOT_IN_SOURCE,
    REGISTRATION_DECISION,
    REGISTRATION_TOPIC,
    analyse,
    fact_base,
)
from bot.nlu.language import typographic_language
from bot.nlu.spelling import Corrector

ROOT = Path(__file__).resolve().parent.parent
# IOM's press release, the assistant's only source (a copy of shared/seed/).
RELEASE = ROOT / "bot" / "nlu" / "press_release.txt"
BASE = fact_base()


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\xa0", " ").split())


def test_every_fact_quotes_the_press_release() -> None:
    release = _normalised(RELEASE.read_text("utf-8"))
    assert [f.id for f in BASE.facts.values() if _normalised(f.source) not in release] == []


def test_every_fact_and_phrase_exists_in_both_languages() -> None:
    for fact in BASE.facts.values():
        assert fact.texts["fr"] and fact.texts["en"] and fact.texts["fr"] != fact.texts["en"]
    for key, texts in BASE.phrases.items():
        assert set(texts) == {"fr", "en"}, key
    for name, facts in BASE.intents.items():
        assert set(facts) <= set(BASE.facts), name
    for followup in BASE.followups:
        targets = {*followup.by_group.values(), followup.default} - {
            None, NOT_IN_SOURCE, REGISTRATION_DECISION
        }
        assert targets <= set(BASE.facts)


def _asked(text: str) -> list[tuple[str, str | None]]:
    return [
        (item.get("fact") or f"followup:{item['followup']}", item.get("verdict"))
        for item in analyse(text, BASE).items
    ]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # Every question of a message, in the order asked.
        (
            "Quelles sont les dates et le lieu, et à qui écrire ?",
            [("dates", None), ("venue", None), ("contact", None)],
        ),
        ("Who organises it, and within which framework?", [("about", None), ("idm", None)]),
        ("Qui organise, et dans quel cadre ?", [("about", None), ("idm", None)]),
        # Yes/no questions and claims, confirmed or corrected from the source.
        ("C'est à Genève ?", [("venue", "yes")]),
        ("It's in Vienna, isn't it?", [("venue", "no")]),
        ("IOM is in 180 countries, right?", [("iom_members", "no")]),
        ("Is the conference on 26 October?", [("dates", "yes")]),
        ("Is it in December?", [("dates", "no")]),
        ("About the Vienna conference: which days?", [("venue", "no"), ("dates", None)]),
        # A rumour of cancellation: "no", and "still on?": "yes".
        ("someone told me it was called off", [(NOT_CANCELLED, "no")]),
        ("is it still on?", [(NOT_CANCELLED, "yes")]),
        ("On m'a dit que la conférence était annulée, vous confirmez ?", [(NOT_CANCELLED, "no")]),
        # Details the release does not give.
        ("Is it free?", [(NOT_IN_SOURCE, None)]),
        ("Y a-t-il un livestream ?", [(NOT_IN_SOURCE, None)]),
        ("which hotel do you recommend near the venue?", [(NOT_IN_SOURCE, None), ("venue", None)]),
        # Where the writer is from is not a claim on the venue.
        (
            "je suis maire d'une commune au Sénégal, puis-je venir ?",
            [("followup:9", "yes"), ("invitees", "yes")],
        ),
        # A category the release names as invited, asked yes or no as a follow-up.
        ("Et le secteur privé aussi ?", [("followup:9", "yes")]),
        ("And journalists?", [("followup:9", None)]),
        # A list in a letter: each line is asked, after the sentence announcing it.
        (
            "Je souhaiterais savoir :\n1) les dates exactes ;\n2) les frais d'inscription.",
            [("dates", None), (NOT_IN_SOURCE, None)],
        ),
        # "mayors" is no month: the dates are not contradicted.
        (
            "Could you confirm the dates, and whether mayors are invited?",
            [("dates", "yes"), ("invitees", "yes")],
        ),
        # Typos of the words looked for; a capitalised name is left alone.
        ("wat r the topix of the confernce?", [("topics", None)]),
        ("Is James coming?", [(NOT_IN_SOURCE, None)]),
        # "quand" at the end of a French question asks the dates, not yes or no.
        ("Bonjour, la conférence se tient quand ?", [("venue", None), ("dates", None)]),
        # A building the release does not name: said so, with the city it gives.
        ("Dans quel bâtiment ? Au CICG ?", [(NOT_IN_SOURCE, None), ("venue", None)]),
        # Wrong year and wrong count, each corrected; a fraction is a wrong share.
        (
            "L'OIM a été créée en 1945 et compte 193 États membres, non ?",
            [("iom_founded", "no"), ("iom_members", "no")],
        ),
        ("So half of the world will be urban by 2030, correct?", [("urban_share", "no")]),
        # One office holder's attendance: not in the release, and no "yes".
        ("et le maire de Montréal, il vient ?", [(NOT_IN_SOURCE, None), ("followup:9", None)]),
        # "Are mayors invited, or only ministers?": yes, on the first part.
        (
            "Les maires sont-ils invités, ou c'est seulement pour les ministres ?",
            [("invitees", "yes")],
        ),
        # Another city claimed, another report, another count in words: no.
        ("On m'a dit que c'est à Yaoundé cette fois, c'est vrai ?", [("venue", "no")]),
        (
            "Le rapport lancé, c'est le Rapport sur le développement humain du PNUD ?",
            [("wmr_launch", "no")],
        ),
        (
            "The diaspora conference had thousands of participants, right?",
            [("diaspora_2013", "no")],
        ),
        ("iom part of UN?? y/n", [("iom_about", "yes")]),
        ("It's been postponed to next year hasn't it", [(NOT_CANCELLED, "no")]),
        ("Is it a purely online event?", [("venue", "no")]),
        # Following from afar: not in the release, and the city it gives.
        (
            "Peut-on suivre ça depuis Abidjan sans faire le voyage ?",
            [(NOT_IN_SOURCE, None), ("venue", None)],
        ),
        # Dates in figures: the month checked, the days counted.
        ("C'est bien le 26/10 et le 27/10 ?", [("dates", "yes")]),
        ("Conference dates 26-27.10, correct?", [("dates", "yes")]),
        ("C'est le 26/11 ?", [("dates", "no")]),
        # "Not only ministers": no "no" from "only".
        (
            "Les élus communaux, et pas seulement les ministres, sont-ils invités ?",
            [("followup:9", "yes"), ("invitees", "yes")],
        ),
        (
            "I heard only NGOs have confirmed so far, no governments at all. True?",
            [("confirmed", "no")],
        ),
        # A statistic the release does not give.
        ("How many migrants live in Geneva today?", [(NOT_IN_SOURCE, None), ("venue", None)]),
        # A wh-question inverts its subject in French: not a yes/no question.
        ("Dans combien de pays est-elle présente ?", [("iom_members", None)]),
        ("La conférence a-t-elle lieu à Genève ?", [("venue", "yes")]),
        # IOM present in many countries is not countries attending.
        ("dans combien de pays l'OIM est présente", [("iom_members", None)]),
        ("combien de pays seront présents ?", [(NOT_IN_SOURCE, None)]),
        # A claim the quote contradicts; a reference against an e-mail address.
        ("Swing said cities should restrict migration, didn't he?", [("dg_quote", "no")]),
        ("Is there an official hashtag for the conference?", [(NOT_IN_SOURCE, None)]),
        # SMS style: a short question typed without its mark is still one.
        ("la conf c organisee par l'unesco", [("about", "no")]),
        ("the cmc is in vienna", [("venue", "no")]),
        # A wrong claim's word starts a word: "belong" is not "ong" (an NGO).
        ("Does IOM belong to the UN system?", [("iom_about", "yes")]),
        ("Is it a one-day event?", [("dates", "no")]),
        # A question of a list that names nothing the release gives: it lacks it.
        (
            "Dear IOM,\n1. Which themes will be discussed?\n2. Is IOM having an office in Albania?",
            [("topics", None), (NOT_IN_SOURCE, None)],
        ),
        # Numbers in words; a number on the word it counts.
        (
            "Six cents, dont septante ministres, c'est juste ?",
            [("diaspora_2013", "no"), ("followup:9", "yes")],
        ),
        (
            "Is it true that IOM is present in one hundred seventy-one countries?",
            [("iom_members", "yes")],
        ),
        # A city alone with a tag; a city misspelt.
        ("vienna right?", [("venue", "no")]),
        ("is the confrence taking place in Lausane?", [("venue", "no")]),
        # The month of the 2013 conference is that conference's, not this one's.
        (
            "La Conférence ministérielle sur la diaspora a bien eu lieu en juin 2013 ?",
            [("diaspora_2013", "yes")],
        ),
        # "c'est bien ..." after a relative clause is still a claim.
        (
            "Le rapport qui sera lancé, c'est bien l'édition 2015 du rapport État de la "
            "migration dans le monde ?",
            [("wmr_launch", "yes"), ("dates", "yes")],
        ),
        ("Has a conference like this one been held before?", [("first_time", "no")]),
        ("NGOs are not invited, right?", [("invitees", "no")]),
        # Statements: what IOM or the conference is said to be, wrong, is corrected after
        # the questions; the writer's own numbers are not claims.
        (
            "Coucou, l'OIM existe depuis 1975, donc elle fête ses 40 ans. Qui est son "
            "directeur général ?",
            [("dg_quote", None), ("iom_founded", "no")],
        ),
        ("Je suis maire depuis 2008. Quelles sont les dates ?", [("dates", None)]),
        (
            "I am writing regarding IOM's Conference on Migrants and Cities, which will be held in "
            "Vienna on 15 and 16 November. Could you confirm whether researchers are invited?",
            [("invitees", "yes"), ("venue", "no"), ("dates", "no")],
        ),
        # A letter's sentence that states without asking says nothing to answer.
        (
            "Dear Sir/Madam, I am Head of Public Affairs at a company in Rotterdam. We work with "
            "municipalities and would like to contribute to the discussions in Geneva. Is the "
            "private sector invited? What is the registration fee?",
            [("invitees", "yes"), (NOT_IN_SOURCE, None)],
        ),
        # A follow-up word after a question of the same message follows that question.
        (
            "1. Est-ce que le Rapport 2015 va être lancé pendant la conférence? "
            "2. De quoi il traite?",
            [("wmr_launch", "yes"), ("followup:12", None)],
        ),
        ("wats on the agenda 4 the conf", [("topics", None)]),
        # "Just for ...?": others are invited too; another agency's event; a city added.
        ("Is this just a meeting for diplomats and national ministers?", [("followup:9", "no")]),
        ("This CMC thing is a UN-Habitat event, isn't it?", [("about", "no")]),
        ("and paris too?", [("venue", "no")]),
        ("Whats the urbanisaton projection, is it 80% by 2050?", [("urban_share", "no")]),
        # A question run on without a mark: the second one follows up the first.
        (
            "is the world migration report 2015 being launched at the cmc what does it look into",
            [("wmr_launch", "yes"), ("followup:12", None)],
        ),
        ("c l'oim ki organise?", [("about", "yes")]),
        ("La conférence a lieu uniquement le 27 octobre, c'est exact ?", [("dates", "no")]),
        (
            "Le rôle des diasporas fait-il partie des sujets au programme ?",
            [("topics", "yes"), ("diaspora_2013", "yes")],
        ),
        (
            "Un collègue de la préfecture m'assure que la CMC a été déplacée à Paris cette année.",
            [("venue", "no")],
        ),
        (
            "yo heard they pushed the migrants & cities conf to next yr?? legit",
            [(NOT_CANCELLED, "no")],
        ),
        # Numbers in words, however composed; a figure guessed after the question.
        ("L'OIM est présente dans cent septante et un pays, c'est correct ?", [
            ("iom_members", "yes")]),
        ("IOM has one hundred and ninety member states, right?", [("iom_members", "no")]),
        ("Combien d'États membres ? Nonante ?", [("iom_members", "no")]),
        ("How many member states? 175?", [("iom_members", "yes")]),
        ("et l'OIM elle a combien d'etats membres deja ?", [("iom_members", None)]),
        # A month mistyped with its capital is still a month, not a name.
        ("Does the confrence take place in Septmber?", [("dates", "no")]),
        ("Is attendance limited to ministers?", [("invitees", "no")]),
        ("The World Bank is running this conference, is that right?", [("about", "no")]),
        # A request is not a yes/no question; a request to confirm a claim is.
        (
            "Pourriez-vous m'indiquer l'année de création de l'OIM et le nombre de pays où "
            "elle est présente ?",
            [("iom_founded", None), ("iom_members", None)],
        ),
        (
            "On m'indique que la CMC aura lieu à Vienne. Pourriez-vous me le confirmer ?",
            [("venue", "no")],
        ),
        # A question in brackets does not end the request around it.
        (
            "Il me faudrait le chiffre pour 2050 (septante pour cent, si j'ai bien lu ?) et "
            "un numéro de téléphone.",
            [("urban_share", None), ("contact", None)],
        ),
        # A question on a detail the release lacks beside one it gives, in a short
        # message; a question of politeness is none.
        (
            "Un service de garde d'enfants est-il prévu ? Et c'est dans quelle ville ?",
            [(NOT_IN_SOURCE, None), ("venue", None)],
        ),
        ("Bonjour, comment allez-vous ? Quelles sont les dates ?", [("dates", None)]),
        # Claims in more forms: a tag before an aside, a thousands separator, "2e",
        # "already today".
        (
            "L'OIM existe depuis 1945 hein, comme l'ONU",
            [("iom_founded", "no"), ("iom_about", "yes")],
        ),
        ("IOM is an NGO right?", [("iom_about", "no")]),
        ("so 70% of people already live in cities today right?", [("urban_share", "no")]),
        ("c la 2e edition de la CMC ?", [("first_time", "no")]),
        ("La conférence de 2013 avait réuni 6 000 participants ?", [("diaspora_2013", "no")]),
        # An accent lost on the way; "is it still on" asked without a question mark.
        ("Gen?ve 26 oct c bien ca?", [("venue", "yes"), ("dates", "yes")]),
        ("migrnts n cities conf octobr in Genev is it still on", [(NOT_CANCELLED, "yes")]),
        # "Still on the list" is a registration, not the conference.
        ("Am I still on the list?", []),
        ("I read in the release that 70% of migrants will live in cities by 2050, is that right?",
         [("urban_share", "no")]),
        (
            "Je lis que l'OIM a été fondée en 1961 et qu'elle n'appartient pas au système des "
            "Nations Unies. Ces deux informations sont-elles exactes ?",
            [("iom_founded", "no"), ("iom_about", "no"), (NOT_IN_SOURCE, None)],
        ),
        ("Qui est l'auteur de la citation sur les villes ?", [("dg_quote", None)]),
        ("ya eu quoi avant", [("diaspora_2013", "yes")]),
        # Reading is a premise only when it reports what was read.
        ("I read that it's in Vienna?", [("venue", "no")]),
        (
            "My editor doesn't read French, please send her just the dates and the city.",
            [("dates", None), ("venue", None)],
        ),
        # Decades, seasons, another organiser, "or only", "meant for", "already confirmed".
        ("a friend told me IOM has been around since the 1950s, is that true?",
         [("iom_founded", "yes")]),
        ("l'OIM existe depuis les années 60 ?", [("iom_founded", "no")]),
        ("The conference took place in Vienna last spring, right?",
         [("venue", "no"), ("dates", "no")]),
        (
            "La conférence sera organisée à Bruxelles par la Commission européenne ?",
            [("about", "no"), ("venue", "no")],
        ),
        (
            "Les agences onusiennes sont-elles invitées, ou bien c'est seulement les ministres ?",
            [("invitees", "yes"), ("followup:9", "yes")],
        ),
        ("Is the CMC only meant for mayors?", [("invitees", "no"), ("mayors_role", "yes")]),
        ("Have leaders of regional organisations already confirmed?", [("confirmed", "yes")]),
        ("Et le Directeur général ouvrira-t-il lui-même la conférence ?", [(NOT_IN_SOURCE, None)]),
        ("d'accord merci, et des prises pour recharger son ordinateur ?", [(NOT_IN_SOURCE, None)]),
        # What "it" studies, after the report is named in the clause before.
        ("Je vous saurais gré de m'indiquer le titre du Rapport 2015 et ce qu'il étudie.",
         [("wmr_title", None), ("wmr_launch", None), ("followup:12", None)]),
        # The contact is not the Director General, whom the correction names.
        (
            "Is Azzouz Samri the Director General of IOM?",
            [("contact", None), ("samri", "no"), ("dg_quote", None)],
        ),
        (
            "Is Samri the director of the Governing Bodies Division?",
            [("contact", "yes"), ("samri", "yes")],
        ),
        ("Où en sont les confirmations ?", [("confirmed", None)]),
        # Asking to go on in English asks nothing the release lacks.
        (
            "Sorry my French is not so good, can we continue in English? Is civil society "
            "invited too?",
            [("invitees", "yes")],
        ),
        ("the diaspora organisations are concernd by this conferense or not really?",
         [("diaspora_2013", "yes"), ("topics", "yes")]),
        # One's own agenda, a director who reads only French, the conference's agenda.
        ("J'ai noté dans l'agenda du service que la conférence démarre le 25 octobre, "
         "c'est correct ?", [("dates", "no")]),
        ("My director read only French: the NGOs, they are invited also?",
         [("followup:9", "yes"), ("invitees", "yes")]),
        ("Are migrants in vulnerable situations on the conference agenda?", [("topics", "yes")]),
        ("Which entrance should delegates use on the first morning?", [(NOT_IN_SOURCE, None)]),
        ("Et il sera présenté pendant la conférence de Genève ?", [("wmr_launch", "yes")]),
        ("Si des participations ont déjà été confirmées ?", [("confirmed", "yes")]),
        # One's own town, "on dit quoi ?", "does it concern me?", "or is only for".
        (
            "Bonsoir, on dit quoi ? Notre association s'occupe des migrants à Abidjan, est-ce "
            "que les ONG peuvent être invitées ?",
            [("followup:9", None), ("invitees", "yes")],
        ),
        ("je suis chercheuse en géographie urbaine à Montréal, est-ce que ça me concerne ?",
         [("invitees", "yes")]),
        # The subject taken up by "they": one question, not a follow-up word of its own.
        ("The private companies, they can be invited also or is only for the governments?",
         [("invitees", "yes")]),
        ("L'adresse de l'Atelier IDM, c'est bien idmworkshop@iom.int ?",
         [("contact", "yes")]),
        # The conference named by its city asks nothing of the city.
        ("Savoir si son inscription à la conférence de Genève est bien passée.", []),
        # One's own programme is not the conference's.
        ("I lead the urban migration programme at a think tank.", []),
        ("Laissez tomber. Donnez-moi plutôt le numéro de M. Samri", [("contact", None)]),
        # "describe migrants" describes no conference
        ("How does the report describe migrants?", [("wmr_launch", None), ("wmr_content", None)]),
        ("Will he be available for interviews during the conference?", [(NOT_IN_SOURCE, None)]),
        # Every day of a list is checked, not only the one after "and".
        ("is it on 25 and 26 october?", [("dates", "no")]),
        ("La conférence c'est les 25 et 26 octobre, c'est correct ?", [("dates", "no")]),
        ("is it the 26th and 27th of October?", [("dates", "yes")]),
        ("Is the conference from October 26 to 28?", [("dates", "no")]),
        # A greeting names no day; "meaning?" alone follows up the last answer.
        ("Good day, is it free?", [(NOT_IN_SOURCE, None)]),
        ("Thanks, have a nice day", []),
        ("meaning?", [("followup:11", None)]),
        ("CMC meaning?", [("about", None)]),
        ("wat dose that mean?", [("followup:11", None)]),
        ("Serait-il possible que le maire prenne la parole en séance plénière ?",
         [(NOT_IN_SOURCE, None)]),
        # "Just one more point" limits nobody; which day of the two, how to register.
        ("Thank you. Just one more point: is the private sector invited as well?",
         [("invitees", "yes")]),
        ("Will it be launched on the first day or on the second?",
         [("wmr_launch", None), (NOT_IN_SOURCE, None), ("dates", None)]),
        ("Merci. Et l'inscription, elle se fait en ligne ou par courriel ?",
         [(NOT_IN_SOURCE, None)]),
        # The report's chapters are not in the release; "voix au chapitre" is a voice.
        ("Quels sont les chapitres du rapport ?", [(NOT_IN_SOURCE, None), ("wmr_launch", None)]),
        ("Les maires ont-ils voix au chapitre dans les débats internationaux ?",
         [("mayors_role", "no")]),
        # A subject named, then taken up by a pronoun: one question on it.
        ("Et les maires, ils sont écoutés ?", [("mayors_role", "no")]),
        ("What about mayors - are they listened to at the global level?",
         [("mayors_role", "no")]),
        ("Et l'OIM, elle a combien de membres ?", [("iom_members", None)]),
        # A relative "qui" asks nothing: a yes/no question on the report.
        ("pis y'a un rapport qui sort là, tu-suite?", [("wmr_launch", "yes")]),
        # About the assistant itself: nothing of the release ("company" is no invitee).
        ("Which company built you, and what AI model are you running on?", []),
        ("Who's the bloke running IOM then?", [("dg_quote", None)]),
        ("Fine, then where could I find that out?", [("contact", None)]),
        ("How many officials may accompany the Mayor as part of his delegation?",
         [(NOT_IN_SOURCE, None)]),
        ("Serait-il possible d'obtenir une interview du Directeur général ?",
         [(NOT_IN_SOURCE, None)]),
        ("venue addr?", [(NOT_IN_SOURCE, None), ("venue", None)]),
        ("what iom say about city population in future?", [("urban_share", None)]),
        ("I am Special Adviser to Lagos State. What are the dates?", [("dates", None)]),
        # The writer's journey claims nothing of the dates; a day named from it does.
        ("Bon, j'arrive à Genève le 25 au soir : la conférence commence bien le lendemain ?",
         [("venue", "yes"), ("dates", "yes")]),
        ("I land on the 27th, is that early enough?", [("dates", None)]),
        ("I arrive on the 26th, so the conference starts the day before?", [("dates", "no")]),
        # A registration question is answered by the check, not as a detail the release
        # lacks; an address given is no address asked for.
        ("La conférence a bien lieu à Genève ? Et pouvez-vous vérifier mon inscription, "
         "adresse marie.dupont@mairie-lyon.fr ?", [("venue", "yes")]),
        ("la conférence de New York en novembre, c'est ça ?", [("venue", "no"), ("dates", "no")]),
        ("Quel est le programme du dernier jour ?", [(NOT_IN_SOURCE, None), ("dates", None)]),
        ("Is there another way to follow the conference, maybe online?", [(NOT_IN_SOURCE, None)]),
        ("Is it true that the CMC replaces the International Dialogue on Migration?",
         [("idm", "no")]),
        ("r u human", []),
        ("What about the mayors - why do they matter so much for IOM here?",
         [("mayors_role", None), ("migrants_role", None)]),
        ("Ah, je n'ai pas la référence, laissez tomber. Rappelez-moi plutôt les dates.",
         [("dates", None)]),
        # "Ce chiffre correspond-il ?" asks to check the figure read just before.
        ("J'ai lu dans un article que huitante pour cent de la population mondiale vivrait "
         "en ville d'ici 2050. Ce chiffre correspond-il à celui de l'OIM ?",
         [("urban_share", "no")]),
        ("Could you tell me the name of the IOM forum in which the conference is organised?",
         [("idm", None)]),
        ("Who exactly will the conference bring together in Geneva?",
         [("invitees", None), ("venue", None)]),
        ("Comment l'OIM justifie-t-elle l'accent mis sur l'échelon municipal ?",
         [("mayors_role", None)]),
        ("Je dois confirmer à mon maire : la conférence a bien lieu à Vienne, les 26 et 27 "
         "novembre ?", [("venue", "no"), ("dates", "no")]),
        ("D'après l'OIM, 90 % de la population mondiale vivra en ville d'ici 2030. Vous "
         "confirmez ce chiffre ?", [("urban_share", "no")]),
        ("Mais la conférence va parler des migrants comme moi, ceux qui sont en situation "
         "difficile ?", [("topics", "yes")]),
        ("Et c'est le Conseil fédéral qui organise la conférence, non ?", [("about", "no")]),
        ("3. When, and in which city, will the conference be held?",
         [("followup:6", None), ("venue", None)]),
        ("It was also in Geneva?", [("venue", "yes")]),
        ("What does the press release say about diasporas?",
         [("topics", None), ("diaspora_2013", None)]),
        ("Could you give me its ISBN so that we can place an order?", [(NOT_IN_SOURCE, None)]),
        ("c'est tout ?", [("followup:14", None)]),
        ("and why now?", [("urban_share", None)]),
        ("merci, et il est en poste depuis quand ?", [(NOT_IN_SOURCE, None)]),
        ("il existe depuis quand l'idm ?", [(NOT_IN_SOURCE, None)]),
        ("and it's mostly about rural migration?", [("topics", "no")]),
        ("70% of migrants, you mean?", [("urban_share", "no")]),
        ("ok how many more are expected?", [("confirmed", None)]),
        ("c'est à Genève que se trouve le siège de l'OIM ?",
         [("venue", None), (NOT_IN_SOURCE, None)]),
        ("What is the conference called in French?", [("followup:3", None)]),
        ("Is that the only topic, then?", [("topics", "no")]),
        ("and how do migrants fit into that?", [("migrants_role", None)]),
        ("Le rapport lancé à la conférence, c'est bien le rapport 2013 ?", [("wmr_launch", "no")]),
        # Whether one's status may change, asked beside facts: a question of its own.
        ("D'accord. Est-ce que ce statut peut encore évoluer ? Et la planification urbaine "
         "fera-t-elle partie des débats ?", [(NOT_IN_SOURCE, None), ("topics", "yes")]),
        ("Am I in? Also, which dates?", [("dates", None)]),
        # "X ou Y ?" asks which of two, not where; "où déjà ?" asks where.
        ("psg ou om ?", []),
        # "Where exactly?": Geneva, and the exact place is a detail the release lacks.
        ("et ça se passe où exactement ?", [(NOT_IN_SOURCE, None), ("venue", None)]),
        ("Et ça se passe où déjà, et quels jours ?", [("followup:5", None), ("dates", None)]),
        # "may" the modal verb is no month; "in May" is one.
        ("Is it in May?", [("dates", "no")]),
        # Things named in a list, or one detail alone, are asked for, not claimed.
        ("Pourriez-vous au moins me rappeler la ville et les dates ?",
         [("venue", None), ("dates", None)]),
        ("the city and the dates?", [("venue", None), ("dates", None)]),
        ("le titre du rapport ?", [("wmr_title", None), ("wmr_launch", None)]),
        ("c'est à Genève et en octobre ?", [("venue", "yes"), ("dates", "yes")]),
        # The writer's own speech is no speaker asked about; the figure is checked.
        ("Pour son discours j'ai noté que nonante pour cent de la population mondiale vivra "
         "en ville en 2050, c'est juste ?", [("urban_share", "no")]),
        # Whether the assistant is a person asks nothing of the release.
        ("Est-ce que je parle à un robot ou à une vraie personne ?", []),
        ("am I talking to a real person?", []),
        ("t un robot ou une vraie personne ?", []),
        # Where the writer lives is no claim on the venue.
        ("Hello. I am old man from Philippines, living in Toronto since 30 years. My grandson "
         "tell me there is big meeting about migrants in the cities. What is this IOM please, "
         "i dont know it.", [("iom_about", None)]),
        ("how long", [("followup:18", None)]),
        ("et la cmc c koi", [("about", None)]),
        # "and" between two days joins no clauses.
        ("d'accord. c'est les 26 et 27 c'est ça ?", [("dates", "yes")]),
        ("Madame la Ministre souhaiterait savoir quel est le cadre dans lequel s'inscrit la "
         "Conférence sur les migrants et les villes.", [("idm", None)]),
        ("J'aimerais aussi vérifier le chiffre concernant la part de la population urbaine à "
         "l'horizon 2050.", [("urban_share", None)]),
        ("and climate change?", [(NOT_IN_SOURCE, None)]),
        ("boring. are you even a real person?", []),
        ("you human?", []),
        ("vs etes un humain ou une machine ?", []),
        ("and minsters?", [("followup:9", "yes")]),
        ("Please tell what is the role of diaspora in this conference, and when was the last "
         "diaspora conference of IOM?", [("topics", None), ("diaspora_2013", None)]),
        # The writer's own mayor is no named office holder: the category's yes.
        ("And the mayor of my city he can come also?", [("invitees", "yes")]),
        # A letter's request to confirm one's registration is the check's, not a missing
        # detail; "it would be helpful to receive" asks.
        ("I would be grateful if you could confirm that my registration is in order, as our "
         "protocol office needs to finalise travel arrangements shortly.", []),
        ("Dear Sir,\n\nI am preparing a briefing for our Minister. I should be grateful if you "
         "could clarify whether the conference forms part of the International Dialogue on "
         "Migration. It would also be helpful to receive the quotation from IOM's Director "
         "General contained in your press release.\n\nYours sincerely,\nJ. de Vries",
         [("idm", None), ("dg_quote", None)]),
        # The AX round: a walk from the station, a speaker on stage, an invitation asked for.
        ("How long a walk is it from Cornavin station to wherever this thing is being held?",
         [(NOT_IN_SOURCE, None), ("venue", None)]),
        ("Will Mr Swing himself be up on stage at some point?", [(NOT_IN_SOURCE, None)]),
        ("Cool. Last thing: where do I send questions?", [("contact", None)]),
        ("does the conferance deal with urban planing at all?", [("topics", "yes")]),
        ("and the co-development of cities?", [("topics", "yes")]),
        # A relative "who" after a noun asks nothing: a yes/no question.
        ("the conference will talk about migrants who are vulnerable?",
         [("followup:12", None), ("topics", "yes")]),
    ],
)
def test_what_a_message_asks(text: str, asked: list[tuple[str, str | None]]) -> None:
    assert _asked(text) == asked


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("clauses", "a, "),
        ("questions", "a? "),
        ("places", "vienna conference "),
        ("words", "a"),
        # short lines of a letter, lines of an SMS, follow-ups after changes of subject
        ("lines", "venue\nwho is it? "),
        ("sms lines", "c kan\n"),
        ("subject changes", "par ailleurs, c quand ? iom members? "),
    ],
)
def test_analysis_is_linear_in_the_length(text: str, piece: str) -> None:
    """Up to the channels' limit (4,096 characters): ten times the text, about ten times
    the time (a ratio, not a timing; see tests/test_linear_time.py)."""
    short = seconds(lambda t: analyse(t, BASE), adversarial(piece, 400))
    long = seconds(lambda t: analyse(t, BASE), adversarial(piece, 4_000))
    assert long <= 30 * short + 0.002, f"{text}: {short * 1e3:.2f} ms -> {long * 1e3:.2f} ms"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Non.", BASE.facts["venue"].texts["fr"], BASE.facts["dates"].texts["fr"]]),
        ("en", ["No.", BASE.facts["venue"].texts["en"], BASE.facts["dates"].texts["en"]]),
    ],
)
def test_one_reply_says_each_fact_once_no_first(language: str, expected: list[str]) -> None:
    items = [
        {"fact": "venue", "verdict": "no"},
        {"fact": "dates", "verdict": None},
        {"fact": "venue", "verdict": None},
    ]
    assert compose(items, BASE, language) == expected


@pytest.mark.parametrize("language", ["fr", "en"])
def test_claims_that_disagree_get_each_their_yes_or_no(language: str) -> None:
    """ "Are mayors invited? ... IOM, founded in 1965, ...": yes to the question, then no."""
    items = [
        {"fact": "invitees", "verdict": "yes", "claim": 20},
        {"fact": "iom_founded", "verdict": "no", "claim": 90},
    ]
    assert compose(items, BASE, language) == [
        BASE.text("yes", language),
        BASE.facts["invitees"].texts[language],
        BASE.text("no", language),
        BASE.facts["iom_founded"].texts[language],
    ]


def test_one_claim_is_wrong_when_any_of_its_parts_is() -> None:
    """ "I saw it's in Geneva next March, can you confirm?": no, once, for the claim."""
    items = [
        {"fact": "venue", "verdict": "yes", "claim": 0},
        {"fact": "dates", "verdict": "no", "claim": 0},
    ]
    parts = compose(items, BASE, "en")
    assert parts[0] == "No." and parts.count("No.") == 1 and "Yes." not in parts


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_missing_detail_gets_the_contacts_once(language: str) -> None:
    parts = compose([{"fact": NOT_IN_SOURCE}, {"fact": "dates"}], BASE, language)
    assert parts == [
        BASE.text(NOT_IN_SOURCE, language),
        BASE.facts["dates"].texts[language],
        BASE.text("ask_contacts", language),
    ]
    # A fact that says itself what the release lacks ("their names") gets them too.
    assert compose([{"fact": "confirmed"}], BASE, language)[-1] == BASE.text(
        "ask_contacts", language
    )


def test_a_follow_up_takes_the_topic_of_the_fact_before_it() -> None:
    """ "Is the report launched there? What does it explore?": the report's content,
    whatever the last answer was about."""
    items = analyse("Is the report launched at the conference? What does it explore?", BASE).items
    assert [i["fact"] for i in resolve(items, BASE, topic="cmc")] == ["wmr_launch", "wmr_content"]
    # Without a topic to follow, a follow-up word is not guessed when asked not to.
    assert resolve([{"followup": 8}], BASE, topic=None, guess=False) == []


def test_a_follow_ups_claim_is_checked_against_the_fact_it_turns_out_to_be_about() -> None:
    """ "Dont une centaine de ministres ?" after the 2013 conference: No (60); the same
    words after who is invited: Yes, ministers are."""
    items = analyse("Dont une centaine de ministres, si je me souviens bien ?", BASE).items
    no = {"fact": "diaspora_2013", "verdict": "no", "claim": 0}
    assert resolve(items, BASE, "diaspora") == [no]
    yes = {"fact": "invitees", "verdict": "yes", "claim": 0}
    assert resolve(items, BASE, "people") == [yes]
    items = analyse("une soixantaine de ministres ?", BASE).items
    assert resolve(items, BASE, "diaspora")[0]["verdict"] == "yes"
    # "Are they taken into account?" after the migrants' role: No, theirs is overlooked.
    items = analyse("On en tient compte dans les débats mondiaux ?", BASE).items
    assert resolve(items, BASE, "cities", earlier=["migrants_role"])[0] == {
        "fact": "migrants_role",
        "verdict": "no",
    }


def test_a_question_in_the_past_follows_up_the_earlier_conference() -> None:
    """After an answer that named the 2013 conference, even if it ended on another
    topic: "how many did it have?" asks its figures; where it was held, the release
    does not say."""
    earlier = ["diaspora_2013", "first_time", "dates"]
    for text, facts in [
        ("how many did it have?", ["diaspora_2013"]),
        ("et ya eu combien de participants", ["diaspora_2013"]),
        ("where was it held?", [NOT_IN_SOURCE]),
        ("how many people will come?", [NOT_IN_SOURCE, "confirmed"]),
    ]:
        items = analyse(text, BASE).items
        assert [i["fact"] for i in resolve(items, BASE, "cmc", earlier=earlier)] == facts, text
    # Without the earlier conference in the last answer: the CMC itself.
    items = analyse("where was it held?", BASE).items
    assert [i["fact"] for i in resolve(items, BASE, "cmc", earlier=["dates"])] == ["venue"]


def test_after_a_status_ones_own_attendance_is_about_the_decision() -> None:
    """ "Can I still come on the 26th?" right after a status: the decision's answer; the
    same words otherwise: the facts they name."""
    items = analyse("Est-ce que je peux quand même venir le 26 ?", BASE).items
    assert {i["fact"] for i in resolve(items, BASE, REGISTRATION_TOPIC)} == {
        REGISTRATION_DECISION
    }
    assert [i["fact"] for i in resolve(items, BASE, "cmc")] == ["invitees", "dates"]
    items = analyse("How long does it usually take before they decide?", BASE).items
    assert {i["fact"] for i in resolve(items, BASE, REGISTRATION_TOPIC)} == {
        REGISTRATION_DECISION
    }


def test_how_many_came_in_the_past_tense_is_the_earlier_conferences_count() -> None:
    text = (
        "On m'a dit que l'OIM avait déjà réuni des ministres avant la CMC. C'était sur quel "
        "thème, et combien de ministres étaient venus ?"
    )
    facts = [i["fact"] for i in resolve(analyse(text, BASE).items, BASE, None)]
    assert "diaspora_2013" in facts and "confirmed" not in facts


def test_a_cancellation_right_after_a_status_is_the_registrations() -> None:
    """ "When was it cancelled?" right after "your registration has been cancelled": the
    decision's answer; the conference's cancellation when the conference is named."""
    items = analyse("when was it cancelled?", BASE).items
    assert [i["fact"] for i in resolve(items, BASE, REGISTRATION_TOPIC)] == [
        REGISTRATION_DECISION
    ]
    assert [i["fact"] for i in resolve(items, BASE, "cmc")] == [NOT_CANCELLED]
    _, named = _route(_message("Has the conference been cancelled?", "ask_about_cmc"))
    assert [i["fact"] for i in resolve(named or [], BASE, REGISTRATION_TOPIC)] == [NOT_CANCELLED]


def _message(text: str, intent: str, confidence: float = 0.9, **data: Any) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, *data.pop("ranking", [])]
    return Message(
        {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
            "entities": data.pop("entities", []),
        }
    )


def _route(message: Message) -> tuple[str, list[Any] | None]:
    """The intent as understood (before `ask_question` names the facts) and the items."""
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    answer = message.get("answer") or {}
    return answer.get("intent") or message.get("intent")["name"], answer.get("items")


def _entities(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"entity": entity, "value": value} for entity, value in pairs]


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # A question on a decision, whatever the classifier guessed.
        (_message("what was the reason?", "nlu_fallback", 1.0), "ask_registration_decision"),
        (_message("vous pouvez la réactiver ?", "stop"), "ask_registration_decision"),
        # A yes/no question on one's own status alone: yes or no after a check, the check
        # before one (data/rules.yml).
        (_message("I'm Li Wei, was I accepted?", "out_of_scope"), "ask_own_status"),
        (_message("dc je sui confirme??", "check_registration"), "ask_own_status"),
        (_message("Is my registration still active?", "check_registration"), "ask_own_status"),
        # ... and before a check, the check, then its yes or no (data/rules.yml).
        (_message("Hi, it's Marie. Has my place been approved?", "greet"), "ask_own_status"),
        (_message("registration status?", "check_registration", 0.9), "check_registration"),
        # The release's contact is nobody's registration.
        (
            _message("M. Samri, il occupe quelle fonction, et à quelle adresse lui écrire ?",
                     "ask_contact"),
            "ask_contact",
        ),
        # ... but a question on one's status with a fact is a check, answered after it.
        (
            _message("Am I confirmed? And what are the dates?", "check_registration"),
            "check_registration",
        ),
        (
            _message(
                "check my registration: CMC-2015-0003",
                "inform_registration",
                entities=_entities(("reference", "CMC-2015-0003")),
            ),
            "check_registration",
        ),
        # Someone else's registration, even with their reference.
        (
            _message(
                "whose name is on CMC-2015-0005?",
                "inform_registration",
                entities=_entities(("reference", "CMC-2015-0005")),
            ),
            "ask_other_registration",
        ),
        # The registrant proving who they are is checked, whatever the classifier said.
        (
            _message(
                "CMC-2015-0003 marie.dupont@mairie-lyon.fr, is my colleague's registration ok?",
                "ask_other_registration",
                entities=_entities(("reference", "CMC-2015-0003"), ("email", "m@x.org")),
            ),
            "check_registration",
        ),
        # A guess of a registration intent on a message naming none gives way.
        (
            _message(
                "Who won the match last night?",
                "ask_other_registration",
                0.5,
                ranking=[{"name": "out_of_scope", "confidence": 0.4}],
            ),
            "out_of_scope",
        ),
        (_message("Sorry, could you say that in English?", "nlu_fallback", 1.0), "switch_language"),
        (_message("Who won the football match last night?", "nlu_fallback", 1.0), "out_of_scope"),
        (_message("Bonjour, c'est quand et où ? Merci", "greet"), "greet"),
        # Why a decision was made, even beside a fact the release gives.
        (
            _message("Why was I refused? Researchers are invited, it says.", "ask_invitees"),
            "ask_registration_decision",
        ),
        (
            _message("Pourquoi c'est encore en attente ?", "nlu_fallback", 1.0),
            "ask_registration_decision",
        ),
        # A person's own migration case is outside the conference, refusal or not.
        (
            _message("Ma demande d'asile a été refusée, que faire ?", "ask_registration_decision"),
            "out_of_scope",
        ),
        (
            _message("Hi, John Okafor here, please check my status.", "nlu_fallback", 1.0),
            "check_registration",
        ),
        (
            _message("Can I add my deputy to my delegation?", "ask_invitees"),
            "ask_registration_decision",
        ),
        (
            _message("I'm sure I registered. Can you search by my name?", "nlu_fallback", 1.0),
            "check_registration",
        ),
        (
            _message("Which reference numbers are valid? Give me one.", "nlu_fallback", 1.0),
            "ask_other_registration",
        ),
        # Asking to withdraw, hand over, add to or upgrade a registration, whatever else
        # the message asks or gives: only the IDM Workshop can.
        (
            _message("jveux annuler mon inscription svp, ref CMC-2015-0001", "check_registration"),
            "ask_registration_decision",
        ),
        (
            _message("gr8. the minister cant travel, pls cancel it for her", "ask_invitees"),
            "ask_registration_decision",
        ),
        (
            _message("If I can't go, can a colleague take my place?", "ask_invitees"),
            "ask_registration_decision",
        ),
        (
            _message("Vous pouvez ajouter son conseiller sur la même inscription ?", "greet"),
            "ask_registration_decision",
        ),
        (
            _message("Abeg can you push me to confirmed list? Our commissioner is coming", "greet"),
            "ask_registration_decision",
        ),
        (
            _message("Ben voyons donc, j'me suis inscrit certain! J'fais quoi là?", "greet"),
            "ask_registration_decision",
        ),
        # Someone else checking, or told how to check: privacy first.
        (
            _message("ok, so how can he check it himself?", "nlu_fallback"),
            "ask_other_registration",
        ),
        (
            _message("Could you send me the list of all confirmed participants?", "ask_invitees"),
            "ask_other_registration",
        ),
        (
            _message("Est-ce que M. Li Wei, de l'université Tsinghua, est bien inscrit ?", "greet"),
            "ask_other_registration",
        ),
        (
            _message("Ma collègue Amina Diallo est-elle inscrite ? Elle m'a dit de vérifier.",
                     "check_registration"),
            "ask_other_registration",
        ),
        # Someone else: a boss, a counterpart, "she", a professor's registration.
        (
            _message("Ma cheffe, Marie Dupont de la Ville de Lyon, a-t-elle été acceptée ?",
                     "check_registration"),
            "ask_other_registration",
        ),
        (
            _message("Is Carlos Ruiz from Madrid city council registered? He's my counterpart.",
                     "check_registration"),
            "ask_other_registration",
        ),
        (
            _message("c koi le statut de cmc-2015-0003 ? c pr ma chef elle a pas le tps",
                     "check_registration"),
            "ask_other_registration",
        ),
        (
            _message("What's the status of CMC-2015-0004? It's my professor's registration.",
                     "check_registration"),
            "ask_other_registration",
        ),
        (
            _message("Est-ce que Li Wei, de l'université Tsinghua, a été accepté ?", "greet"),
            "ask_other_registration",
        ),
        (_message("so how can Marie find out herself?", "greet"), "ask_other_registration"),
        (
            _message("Mon homologue, John Okafor, est-il inscrit ? On veut se voir sur place.",
                     "greet"),
            "ask_other_registration",
        ),
        # Asking whom to write to, and that person's address, asks for a contact.
        (
            _message("Whom should I write to, and what is that person's e-mail address?",
                     "ask_contact"),
            "ask_contact",
        ),
        # The IDM Workshop's address is a contact, nobody's registration.
        (
            _message("Un numéro de téléphone ? Et l'adresse e-mail exacte de l'Atelier IDM ?",
                     "ask_contact"),
            "ask_contact",
        ),
        # Another person named alone after a privacy answer; a place is not a person.
        (_message("And Carlos Ruiz from Madrid?", "greet"), "ask_other_registration"),
        (_message("Et Marie Dupont ?", "greet"), "ask_other_registration"),
        (_message("et Buenos Aires ?", "ask_venue"), "ask_venue"),
        (_message("And William Swing?", "ask_iom"), "ask_iom"),
        # "Give me at least the address he registered with."
        (
            _message("Donnez-moi l'adresse sous laquelle il s'est inscrit.", "ask_contact"),
            "ask_other_registration",
        ),
        # "With reference to the conference" names no registration.
        (
            _message("With reference to the conference, who is invited?", "ask_invitees"),
            "ask_invitees",
        ),
        # Yes/no on one's own status in the first person, whatever the classifier guessed.
        (_message("so I'm in?", "goodbye"), "ask_own_status"),
        (_message("Je suis toujours sur la liste, alors ?", "goodbye"), "ask_own_status"),
        # Decisions: who took it, whether it is final, whether an e-mail will say it.
        (
            _message("mais c est qui qui l a annulé ??", "ask_about_cmc"),
            "ask_registration_decision",
        ),
        (_message("so thats it?? its final??", "goodbye"), "ask_registration_decision"),
        (
            _message("Will I get an email when a decision is made?", "ask_contact"),
            "ask_registration_decision",
        ),
        (_message("je peux passer devant ?", "request_human"), "ask_registration_decision"),
        (
            _message("Kindly move our delegate up the list, please.", "thank"),
            "ask_registration_decision",
        ),
        # Someone else's: an e-mail that goes with a reference, a place's participants.
        (
            _message("wat email goes with CMC-2015-0002", "inform_registration",
                     entities=_entities(("reference", "CMC-2015-0002"))),
            "ask_other_registration",
        ),
        (_message("juste ceux de lyon alors", "goodbye"), "ask_other_registration"),
        (_message("I don't have her email. Can't you just tell me?", "acknowledge"),
         "ask_other_registration"),
        # A corrected detail to check again is the same check, whoever writes.
        (
            _message("L'adresse de l'adjointe est marie.dupont@mairie-lyon.fr, pouvez-vous "
                     "vérifier à nouveau ?", "ask_other_registration",
                     entities=_entities(("email", "marie.dupont@mairie-lyon.fr"))),
            "inform_registration",
        ),
        # A status proven beside a wish to talk to a person: the status first.
        (
            _message("I got turned down and I want to talk to a human. CMC-2015-0004, "
                     "li.wei@example.org", "request_human",
                     entities=_entities(("reference", "CMC-2015-0004"),
                                        ("email", "li.wei@example.org"))),
            "inform_registration",
        ),
        # The release's contact is no participant, even as "Mr Samri".
        (_message("ok and the email of Mr Samri is what?", "ask_contact"), "ask_contact"),
        # The sentence that asks the status decides, not the one asking what a word means.
        (
            _message("What is mean 'under review'? I am accepted or not yet?", "nlu_fallback"),
            "ask_own_status",
        ),
        (_message("wait what?? y was i rejected", "check_registration"),
         "ask_registration_decision"),
        (_message("WHAT ARE MY CHANCES", "nlu_fallback"), "ask_registration_decision"),
        (
            _message("What position am I in on the waitlist?", "check_registration"),
            "ask_registration_decision",
        ),
        # A confirmation someone else received is their registration, not the confirmed.
        (
            _message("Mon chef, John Okafor (Lagos), a-t-il reçu une confirmation ? Sa référence "
                     "c'est CMC-2015-0002.", "check_registration",
                     entities=_entities(("reference", "CMC-2015-0002"))),
            "ask_other_registration",
        ),
        (
            _message("Vous ne pouvez pas accélérer un peu les choses ? Le maire doit savoir s'il "
                     "me libère ces deux jours.", "ask_dates"),
            "ask_registration_decision",
        ),
        # One's own registration in SMS French, or as "whether I got a place".
        (_message("slt jveu savoir si jsui inscrit", "greet"), "check_registration"),
        (_message("slt jveu savoir si jsui inscrit", "check_registration"), "check_registration"),
        (_message("This is John Okafor. Did I get in?", "ask_invitees"), "ask_own_status"),
        (
            _message("Merci beaucoup. Et ma collègue Mme Dupont de Lyon, elle est passée ou bien ?",
                     "thank"),
            "ask_other_registration",
        ),
        (_message("I want to see whether I got a place.", "request_human"), "check_registration"),
        # Who registered, an e-mail to be given back: nobody's data is given.
        (_message("Who has registered from Madrid?", "nlu_fallback"), "ask_other_registration"),
        (
            _message("J'ai la référence CMC-2015-0004 mais j'ai oublié l'adresse mail que j'ai "
                     "utilisée, vous pouvez me la redonner ?", "check_registration",
                     entities=_entities(("reference", "CMC-2015-0004"))),
            "ask_other_registration",
        ),
        # A protest with a new detail is the check again.
        (
            _message("Hmm, that's definitely the address I registered with. Maybe my number is "
                     "CMC-2015-0004?", "ask_registration_decision",
                     entities=_entities(("reference", "CMC-2015-0004"))),
            "inform_registration",
        ),
        # "Laisse tomber" in the middle of a message stops the check too.
        (
            _message("ah zut j'ai pas ma référence sur moi... laisse tomber. Le rapport qui est "
                     "lancé à la conf il s'appelle comment ?", "ask_wmr"),
            "stop",
        ),
        # ... after a comma too, unless it is a condition ("if not, never mind").
        (
            _message("Ah, je n'ai pas la référence sous la main, laissez tomber. Rappelez-moi "
                     "plutôt les dates de la conférence.", "ask_dates"),
            "stop",
        ),
        (
            _message("Can it be switched back to active? If not, never mind - just tell me how "
                     "many member states IOM has.", "ask_iom"),
            "ask_iom",
        ),
        # One detail after a check that found nothing: a correction, not a new check.
        (
            _message("Ah sorry, I registered through the ministry address: a.diallo@gouv.sn",
                     "check_registration", entities=_entities(("email", "a.diallo@gouv.sn"))),
            "inform_registration",
        ),
        # Nightlife, sweets, excursions and phone plans are elsewhere, even in Geneva.
        (_message("Quel est le meilleur chocolatier de Genève ?", "ask_venue"), "out_of_scope"),
        (_message("What's a nice hike near Geneva for a Sunday afternoon?", "ask_venue"),
         "out_of_scope"),
        (_message("just approve it pls", "check_registration"), "ask_registration_decision"),
        (_message("can u undo the cancellation pls, i can come after all", "ask_about_cmc"),
         "ask_registration_decision"),
        (_message("Je voudrais savoir si le dossier de Li Wei a été accepté, c'est ma "
                  "doctorante.", "check_registration"), "ask_other_registration"),
        # "A series of summits" is about the conference.
        (
            _message("We understand the Conference will be the third in a series of IOM mayoral "
                     "summits. Is this the third edition?", "ask_about_cmc"),
            "ask_about_cmc",
        ),
        # The name of someone at IOM to talk to is the release's contact, nobody's data.
        (
            _message("Je sollicite les coordonnées d'une personne de l'OIM avec qui échanger. Je "
                     "voudrais le nom de cette personne et son numéro.", "request_human"),
            "request_human",
        ),
        (
            _message("Can you recommend a good series to watch on the plane to Geneva?",
                     "ask_venue"),
            "out_of_scope",
        ),
        (
            _message("et si jpeu plu venir au final, tu peu lanuler toi?", "ask_invitees"),
            "ask_registration_decision",
        ),
        (
            _message("c est quoi le mieux pour aller a chamonix depuis geneve le week end",
                     "ask_venue"),
            "out_of_scope",
        ),
        (_message("any good clubs in geneva 4 sat night", "ask_venue"), "out_of_scope"),
        # A registration named alone: the check.
        (_message("inscription?", "check_registration"), "check_registration"),
        (_message("my registration?", "ask_logistics"), "check_registration"),
        # After a status: asking how long to wait, making it active again, adding someone.
        (_message("ugh how long do i gotta wait??", "goodbye"), "ask_registration_decision"),
        (
            _message("Is possible to make it active again? I still want to come in Geneva.",
                     "request_human"),
            "ask_registration_decision",
        ),
        (
            _message("Can I add a second person from our city under my reference?",
                     "ask_invitees"),
            "ask_registration_decision",
        ),
        (_message("Ok please confirm him now, he is very important person in Lagos.", "affirm"),
         "ask_registration_decision"),
        (_message("It's mine, I just don't remember which address I used.", "affirm"),
         "ask_registration_decision"),
        # "Cancel my registr..." cut short is a request on the registration, not a stop.
        (_message("annuler mon inscri", "stop"), "ask_registration_decision"),
        (_message("Who's gonna win the Champions League this season?", "ask_invitees"),
         "out_of_scope"),
        (
            _message("Pourriez-vous me transmettre les adresses électroniques des maires "
                     "inscrits ?", "ask_invitees"),
            "ask_other_registration",
        ),
        # A colleague named in one sentence, the status asked in the next: one's own.
        (
            _message("It's for my British colleague. What exactly does that status mean?",
                     "ask_registration_decision"),
            "ask_registration_decision",
        ),
        # "oops, it's .org not .com": the address given before, corrected and checked.
        (
            _message("oops sorry, it's .org not .com", "affirm",
                     entities=_entities(("email_ending", ".org"))),
            "inform_registration",
        ),
        # So, all good? after a status: whether one's own registration is confirmed.
        (_message("c'est bon alors ?", "goodbye"), "ask_own_status"),
        (_message("so im in or not??", "affirm"), "ask_own_status"),
        # The AQ round: a waiting list's order and pace, a match, a kebab, her deputy.
        (_message("What number am I on the list?", "check_registration"),
         "ask_registration_decision"),
        (_message("why so slow", "out_of_scope"), "ask_registration_decision"),
        (_message("any gd kebab place near the un?", "ask_venue"), "out_of_scope"),
        (_message("Dis voir, le Servette a gagné hier soir ? On était au stade.", "nlu_fallback"),
         "out_of_scope"),
        (
            _message("k. n wat about CMC-2015-0003, thats her deputy", "inform_registration",
                     entities=_entities(("reference", "CMC-2015-0003"))),
            "ask_other_registration",
        ),
        # The IDM Workshop's address is the release's contact, nobody's data.
        (
            _message("Couple of quick ones: what's the IDM Workshop's email address, and where "
                     "online can I read more about the conference?", "ask_contact"),
            "ask_contact",
        ),
        # "Am I registered for Geneva?": the conference, named by its city.
        (_message("Hi, Marie from Lyon city hall here — am I registered for Geneva?", "greet"),
         "ask_own_status"),
        # "So it's still pending?" after a status: the registration just given.
        (_message("so it's still pending?", "goodbye"), "ask_own_status"),
        (_message("So it's not confirmed yet?", "stop"), "ask_own_status"),
        # Asked to move a registration to the confirmed ones (Québec French).
        (_message("Pis vous pouvez-tu le passer dans les confirmés tantôt?", "stop"),
         "ask_registration_decision"),
        (_message("Ok, then what email did she register with?", "nlu_fallback"),
         "ask_other_registration"),
        (_message("Mais c'est ma propre inscription pourtant !", "check_registration"),
         "ask_registration_decision"),
        (_message("Hello, I registered for the CMC, can you check it for me?", "nlu_fallback"),
         "check_registration"),
        # A detail of the check stated, then a question: the detail, the question after.
        (
            _message("L'adresse indiquée lors de l'inscription est a.diallo@gouv.sn. Pourriez-vous "
                     "également me dire si Madame la Ministre peut être accompagnée ?",
                     "ask_logistics", entities=_entities(("email", "a.diallo@gouv.sn"))),
            "inform_registration",
        ),
        (
            _message("On m'a transmis la référence CMC-2015-0004 mais pas l'adresse mail qui va "
                     "avec : pouvez-vous me la communiquer ?", "ask_contact",
                     entities=_entities(("reference", "CMC-2015-0004"))),
            "ask_other_registration",
        ),
        # What a reference looks like: the check's prompt shows it.
        (
            _message("what does a reference number look like?", "nlu_fallback"),
            "check_registration",
        ),
    ],
)
def test_routing(message: Message, intent: str) -> None:
    assert _route(message)[0] == intent


@pytest.mark.parametrize(
    "text",
    [
        "Écris-moi un petit poème sur l'automne stp. Et l'OIM a combien d'États membres ?",
        "qui a gagné le match hier soir ? sinon l'OIM a combien d'États membres",
        "What's the best ski resort near Geneva? Also, how many member states does IOM have?",
        "Tell me a joke about the UN, and then tell me how many member states IOM has.",
        "raconte moi une blague et dis moi combien d'États membres a l'OIM",
        # A message of 25 words or more still drops its sentence on something else.
        "Good day. I am a registered nurse from the Philippines and I am looking for work in "
        "Switzerland. Can IOM help me get a work permit there? By the way how many member "
        "states does IOM have?",
    ],
)
def test_a_question_beside_a_request_on_something_else_is_answered(text: str) -> None:
    intent, items = _route(_message(text, "out_of_scope", 1.0))
    assert [i.get("fact") for i in items or []] == ["iom_members"]


def test_parking_a_bike_at_the_conference_is_a_detail_the_release_lacks() -> None:
    text = "C'est bien à Genève ? On peut venir à vélo, y a un endroit pour parquer ?"
    _, items = _route(_message(text, "ask_venue"))
    assert [i.get("fact") for i in items or []] == ["venue", NOT_IN_SOURCE]


def test_a_letter_asking_facts_is_not_elsewhere_for_a_word_of_it() -> None:
    """A word of elsewhere ("nightlife and clubs") in a letter that asks facts."""
    text = (
        "Dear Sir or Madam, I write on behalf of the city of Porto. Could you tell me the dates "
        "of the conference and who is invited, as our delegation works with the clubs and "
        "associations of young migrants? Kind regards, Ana Sousa"
    )
    intent, items = _route(_message(text, "ask_dates", 0.6))
    assert intent != "out_of_scope"
    assert [i.get("fact") for i in items or []][:2] == ["dates", "invitees"]


@pytest.mark.parametrize(
    "text",
    [
        "Write me a poem. Please!",
        "C'est quoi la meilleure place pour skier proche de Genève, selon toi?",
        "tu me fais une devinette pour passer le temps ?",
        "Qui a remporté le Ballon d'or cette année ?",
        "kes kya a visite a geneve pdt mon tps libre",
        # General knowledge and opinions.
        "ha ok. then what's the capital of Switzerland? bet you don't know",
        "Franchement, selon vous, l'immigration c'est une chance ou un problème pour la France ?",
        "C'est quoi au juste la différence entre un réfugié et un migrant ?",
        "What do you personally think of the Swiss initiative against mass immigration? "
        "Good or bad?",
        "et toi t'es pour ou contre l'immigration ?",
        "I'm thinking about quitting my job to work in migration. Any advice?",
        "do you like Geneva?",
        "Who do you reckon will win the Swiss federal elections this month?",
        "Random question, but can you recommend a good book on Swiss history?",
        "Franchement vous pensez pas que l'Europe devrait fermer ses frontières ?",
        "Hi, are you also the ones organizing Habitat III in Quito next year?",
        "vous pensez quoi de la politique migratoire de la suisse, c trop dur non ?",
    ],
)
def test_a_request_on_something_else_alone_is_out_of_scope(text: str) -> None:
    assert _route(_message(text, "out_of_scope", 1.0)) == ("out_of_scope", None)


@pytest.mark.parametrize(
    "request_",
    [
        "Could you please move me up the list?",
        "If there is a problem, please approve it anyway.",
        "If it is not yet final, could you move it forward for me?",
        "Could two colleagues from my ministry be added to my registration?",
    ],
)
def test_a_change_requested_beside_a_check_gets_the_decision_after_the_status(
    request_: str,
) -> None:
    text = f"CMC-2015-0002, j.okafor@lagos.gov.ng. {request_}"
    given = _entities(("reference", "CMC-2015-0002"), ("email", "j.okafor@lagos.gov.ng"))
    intent, items = _route(_message(text, "inform_registration", entities=given))
    assert intent == "inform_registration"
    assert items == [{"fact": "registration_decision", "verdict": None}]


def test_a_greeting_with_questions_is_a_question() -> None:
    message = _message("Bonjour, c'est quand et où ? Merci", "greet")
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    assert message.get("intent")["name"] == "ask_question"


def test_facts_asked_beside_a_check_are_kept_for_after_it() -> None:
    message = _message(
        "Ref CMC-2015-0003, e-mail marie.dupont@mairie-lyon.fr: my status? And the dates?",
        "inform_registration",
        entities=_entities(("reference", "CMC-2015-0003"), ("email", "m@x.org")),
    )
    assert _route(message) == ("check_registration", [{"fact": "dates", "verdict": None}])


def _tracker(answer: dict[str, Any] | None, intent: str = "ask_question", **slots: Any) -> Tracker:
    latest = {"intent": {"name": intent}, "answer": answer}
    return Tracker("someone", slots, latest, [], False, None, {}, "action_listen")


async def _answer(tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, {})
    return dispatcher.messages, events


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_answer_and_the_topic_it_leaves(language: str) -> None:
    where = next(i for i, f in enumerate(BASE.followups) if f.default == "venue")
    items = [{"fact": "dates", "verdict": None}, {"followup": where}]  # "the dates, and where?"
    messages, events = await _answer(_tracker({"items": items}, language=language))
    facts = BASE.facts
    assert [m["text"] for m in messages] == [
        f"{facts['dates'].texts[language]} {facts['venue'].texts[language]}"
    ]
    assert events == [SlotSet("answer_topic", "cmc"), SlotSet("answer_facts", ["dates", "venue"])]


@pytest.mark.parametrize(("language", "other"), [("fr", "en"), ("en", "fr")])
async def test_a_language_switch_says_the_last_answer_again(language: str, other: str) -> None:
    tracker = _tracker(None, "switch_language", language=other, answer_facts=["wmr_title"])
    messages, events = await _answer(tracker)
    expected = f"{BASE.text('switched', other)} {BASE.facts['wmr_title'].texts[other]}"
    assert [m["text"] for m in messages] == [expected]
    assert events == []


async def test_a_follow_up_with_nothing_to_follow_is_out_of_scope() -> None:
    answer = {"items": [{"followup": 8}], "intent": "out_of_scope"}
    messages, events = await _answer(_tracker(answer, language="en"))
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert events == []


async def test_a_stated_role_gets_the_domain_answer_for_it() -> None:
    answer = {"items": [{"fact": "invitees", "verdict": "yes"}]}  # "je suis maire, invitée ?"
    tracker = _tracker(answer, language="fr", role="mayor")
    tracker.latest_message["entities"] = [{"entity": "role", "value": "mayor"}]
    messages, events = await _answer(tracker)
    assert [m.get("response") for m in messages] == ["utter_invitees"]
    assert events == [SlotSet("answer_topic", "people"), SlotSet("answer_facts", ["invitees"])]


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_answer_for_a_role_asked_first_comes_first(language: str) -> None:
    """ "Are mayors going to be there? And why do they matter?": yes, then the why."""
    answer = {"items": [{"fact": "invitees", "verdict": "yes"}, {"fact": "mayors_role"}]}
    tracker = _tracker(answer, language=language, role="mayor")
    tracker.latest_message["entities"] = [{"entity": "role", "value": "mayor"}]
    messages, events = await _answer(tracker)
    assert [m.get("response") or m.get("text") for m in messages] == [
        "utter_invitees",
        BASE.facts["mayors_role"].texts[language],
    ]
    assert events == [
        SlotSet("answer_topic", "people"),
        SlotSet("answer_facts", ["mayors_role", "invitees"]),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_a_category_named_after_a_role_gets_the_general_answer(language: str) -> None:
    """ "I'm a student" earlier, then "what about private companies?": yes, for them."""
    answer = {"items": [{"fact": "invitees", "verdict": "yes"}]}
    messages, _ = await _answer(_tracker(answer, language=language, role="student"))
    yes = BASE.text("yes", language)
    assert [m.get("text") for m in messages] == [f"{yes} {BASE.facts['invitees'].texts[language]}"]


async def test_after_a_check_that_asked_nothing_else_it_says_nothing() -> None:
    messages, events = await _answer(_tracker(None, "inform_registration", language="fr"))
    assert messages == [] and events == []


@pytest.mark.parametrize(
    "piece",
    ["is a@b ", "so am i good ", "c'est bon alors ", ", and btw ", " .ab", "my colleague status "],
)
def test_the_detectors_routing_is_linear_in_the_length(piece: str) -> None:
    """The detector's own patterns (statuses asked, someone else's, asides), not only the
    analysis: ten times the text, about ten times the time."""

    def route(text: str) -> None:
        FactDetector(FactDetector.get_default_config(), BASE).process(
            [_message(text, "ask_question", 0.5)]
        )

    short = seconds(route, adversarial(piece, 400))
    long = seconds(route, adversarial(piece, 4_000))
    assert long <= 30 * short + 0.002, f"{piece}: {short * 1e3:.2f} ms -> {long * 1e3:.2f} ms"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("dates?", "en"),
        ("dates ?", "fr"),
        ("IDM ??", "fr"),
        ("livestream!", "en"),
        ("WMR 2015?", "en"),
        ("WMR 2015 ?", "fr"),
        ("ok", None),
        ("ya un dress code?", "fr"),
        ("y a un live stream?", "fr"),
        # Identifiers alone: English, as most writers of such messages wrote.
        ("CMC-2015-0002, j.okafor@lagos.gov.ng", "en"),
        ("Reference: cmc - 2015 - 0004\nE-mail: li.wei@example.org", "en"),
        ("Li Wei, CMC-2015-0004, li.wei@example.org", "en"),
        # Words beside them: no hint from the identifiers.
        ("merci CMC-2015-0004", None),
    ],
)
def test_punctuation_hints_the_language_of_a_neutral_message(text: str, hint: str | None) -> None:
    assert typographic_language(text) == hint


async def test_a_first_neutral_message_sets_the_language_of_its_hint() -> None:
    """ "dates?" opening a session: English typography, English from this turn on
    (run by slot extraction, before any reply); later in a French conversation the
    same message keeps French; a language from the channel wins."""
    latest = {"intent": {"name": "ask_question"}, "language_hint": "en"}
    first = [{"event": "session_started"}, {"event": "user", "text": "dates?"}]

    async def run(events: list[dict[str, Any]], **slots: Any) -> list[Any]:
        tracker = Tracker("someone", slots, latest, events, False, None, {}, "action_listen")
        return await ActionFirstMessageLanguage().run(CollectingDispatcher(), tracker, {})

    assert await run(first, language="fr") == [SlotSet("language", "en")]
    assert await run([*first, *first[1:]], language="fr") == []
    metadata = {"language": "fr"}
    assert await run(first, language="fr", session_started_metadata=metadata) == []
    assert await run(first, language="en") == []


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("CMC-2015-0002, j.okafor@lagos.gov.ng. Am I still on the waitlist?", "waitlisted"),
        ("Mon inscription est-elle confirmée ?", "confirmed"),
        ("Est-ce que ma demande est toujours en attente ?", "pending"),
        ("suis-je sur la liste d'attente ?", "waitlisted"),
        ("Was I rejected?", "rejected"),
        ("so I'm in?", "confirmed"),
        ("Am I still on the list?", "active"),
        ("Donc c'est bon, je suis bien inscrite ?", "active"),
        ("Je suis encore dans la liste ?", "active"),
        ("c'est bon alors ?", "confirmed"),
        ("so im in or not??", "confirmed"),
        ("I'm in, right? CMC-2015-0001 a.diallo@gouv.sn", "confirmed"),
        ("so that's a yes?", "confirmed"),
        ("fine. am I good?", "confirmed"),
        ("so am I good to go or not", "confirmed"),
        ("donc je peux réserver mon vol ?", "confirmed"),
        ("c valide ou pas??", "confirmed"),
        ("Minister Diallo: CMC-2015-0001, a.diallo@gouv.sn. Confirmed?", "confirmed"),
        ("So right now I'm not registered anymore, is that right?", "inactive"),
        # Not a question, or not about oneself: no status asked.
        ("ok c'est bon alors", None),
        ("je peux réserver mon vol ?", None),
        ("Un collègue m'a dit que la conférence de l'OIM était annulée, vous confirmez ?", None),
        # A request, not a yes/no question: no yes or no before the status.
        ("Can you confirm my registration?", None),
        ("Je voudrais vérifier mon inscription", None),
    ],
)
def test_the_status_a_yes_no_question_names(text: str, status: str | None) -> None:
    message = _message(text, "check_registration")
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    asked = [e["value"] for e in message.get("entities") if e["entity"] == "asked_status"]
    assert asked == ([status] if status else [])


@pytest.mark.parametrize(
    ("word", "corrected"),
    [
        ("migrasion", "migration"),  # a wrong letter
        ("confernce", "conference"),  # a letter missing
        ("tritre", "titre"),  # a letter too many
        ("popualtion", "population"),  # two letters swapped
        ("savoir", "savoir"),  # a word of French
        ("responsable", "responsable"),
        ("topi", "topi"),  # too short to tell
        ("orgnaises", "organises"),  # a word a cue's stem begins ("organi[sz]")
        ("exxplore", "explore"),  # "explor"
        ("repas", "repas"),  # a cue's own word, though no dictionary word
        ("viena", "viena"),  # a place a wrong claim names, not "vient"
    ],
)
def test_typos_of_cue_words_are_corrected(word: str, corrected: str) -> None:
    assert BASE.corrector.correct(word) == corrected


def test_the_commonest_slip_decides_between_two_words() -> None:
    """ "invitd" is "invited" with a letter missing, "invite" with a wrong one."""
    corrector = Corrector(["invit"], frozenset({"invite", "invited"}))
    assert corrector.correct("invitd") == "invited"
    assert corrector.correct("invit") == "invit"  # the stem itself stays


def test_a_typo_one_edit_from_two_cue_words_is_left_alone() -> None:
    corrector = Corrector(["titre", "traite"], frozenset({"titre", "traite"}))
    assert corrector.correct("tritre") == "titre"  # "traite" is two edits away
    assert Corrector(["dates", "dated"], frozenset({"dates", "dated"})).correct("datex") == "datex"


def test_why_after_the_mayors_role_is_theirs_not_the_topics() -> None:
    """ "Why them?" after the mayors' role: the migrants' role shares its topic."""
    why = {"followup": next(i for i, f in enumerate(BASE.followups) if f.by_fact)}
    assert resolve([why], BASE, "cities", earlier=["mayors_role"]) == [
        {"fact": "mayors_role", "verdict": None}
    ]
    assert resolve([why], BASE, "cities", earlier=["urban_share"]) == [
        {"fact": "migrants_role", "verdict": None}
    ]


@pytest.mark.parametrize(
    ("text", "language", "opening"),
    [
        ("L'OIM ne fait pas partie du système des Nations Unies, si ?", "fr", "Si."),
        ("Est-il vrai que l'OIM ne fait pas partie de l'ONU ?", "fr", "Non."),
        ("L'OIM fait partie de l'ONU ?", "fr", "Oui."),
        # English writers expect "No" to a wrong denial.
        ("IOM is not part of the UN system?", "en", "No."),
    ],
)
def test_a_question_denying_what_the_release_says_is_answered_si(
    text: str, language: str, opening: str
) -> None:
    items = resolve(analyse(text, BASE).items, BASE, None)
    assert compose(items, BASE, language)[0] == opening



@pytest.mark.parametrize(
    "text",
    ["Bizarre. Vous pouvez pas chercher avec mon nom plutôt ? Karim Benali.",
     "Ne pourriez-vous pas le retrouver à partir de mon adresse électronique ?",
     "Strange. Look me up by name, Nadia Haddad, or put me through to someone who can."],
)
def test_a_search_by_name_says_why_the_check_needs_the_reference(text: str) -> None:
    """Not "name" as a follow-up (the report's title): why a name is not enough."""
    assert _route(_message(text, "check_registration")) == ("check_registration", [
        {"fact": BY_NAME}
    ])
    for language in ("fr", "en"):
        assert "idmworkshop@iom.int" in compose([{"fact": BY_NAME}], BASE, language)[0]


def test_a_letter_with_a_check_keeps_the_link_it_asks_for() -> None:
    """The contacts a check's letter asks for ("send me the link to the conference web
    page") are answered after it, unlike those its e-mail address names."""
    text = (
        "Dear Sir or Madam,\n\nCould you kindly check the status of my registration for the "
        "Conference on Migrants and Cities? My reference is CMC-2015-0050 and my e-mail address "
        "is c.ruiz@example.org. I would also appreciate it if you could send me the link to the "
        "conference web page.\n\nKind regards,\nCarlos Ruiz\nCity of Madrid"
    )
    entities = _entities(("reference", "CMC-2015-0050"), ("email", "c.ruiz@example.org"))
    _, items = _route(_message(text, "check_registration", entities=entities))
    assert [i.get("fact") for i in items or []] == ["contact"]


def test_a_letter_is_read_whole_even_beside_a_word_of_elsewhere() -> None:
    """ "... migrants in vulnerable situations, such as undocumented people?" in a letter
    asks a topic of the release; only a short message drops a sentence on something else."""
    text = (
        "Dear IOM team,\n\nI coordinate a network of migrant-led associations. We have a few "
        "questions:\n- Will the conference address the situation of migrants who are in "
        "vulnerable situations in cities, such as undocumented people?\n- Is there a dress code "
        "for the sessions?\n\nWarm regards,\nA. Network"
    )
    _, items = _route(_message(text, "ask_topics"))
    assert [i.get("fact") for i in items or []] == ["topics", NOT_IN_SOURCE]


def test_why_it_is_so_beside_a_check_is_the_decisions() -> None:
    text = ("my reference is CMC-2015-0004 and the email is li.wei@example.org. what is status "
            "of my application? and why is like this?")
    entities = _entities(("reference", "CMC-2015-0004"), ("email", "li.wei@example.org"))
    _, items = _route(_message(text, "inform_registration", entities=entities))
    assert {"fact": REGISTRATION_DECISION, "verdict": None} in (items or [])



@pytest.mark.parametrize(
    ("text", "language", "opening"),
    [
        ("is IOM UN?", "en", "Yes."),
        ("UN?", "en", "Yes."),
        ("ok and the second day is 27 yes?", "en", "Yes."),
        ("le deuxième jour c'est le 27 ?", "fr", "Oui."),
        # Where a colleague said it, at a break, asks nothing of the agenda.
        (
            "Un collègue m'a dit à la pause de dix heures que septante pour cent de la "
            "population mondiale vivra en ville d'ici 2050. C'est juste ?",
            "fr",
            "Oui.",
        ),
        # Claims the release contradicts.
        ("Mon collègue dit que la CMC fait suite au sommet Habitat de 2013, c'est bien ça ?",
         "fr", "Non."),
        ("Le communiqué dit que 60 ministres ont déjà confirmé leur participation, c'est ça ?",
         "fr", "Non."),
        ("is it nov?", "en", "No."),
        # Clefts, a place denied, past tenses.
        ("Une amie m'a dit que c'était l'UNESCO qui organisait cette conférence, vous confirmez ?",
         "fr", "Non."),
        ("Dites voir, c'est bien à Genève, pas à Berne ?", "fr", "Oui."),
        ("For my podcast: IOM is an independent NGO, not part of the UN, correct?", "en", "No."),
        ("et c l oim qui organise?", "fr", "Oui."),
        ("IOM exist from 1961?", "en", "No."),
    ],
)
def test_the_yes_or_no_a_claim_opens_with(text: str, language: str, opening: str) -> None:
    items = resolve(analyse(text, BASE).items, BASE, None)
    assert compose(items, BASE, language)[0].startswith(opening)


def test_what_is_on_the_second_day_is_still_a_detail_the_release_lacks() -> None:
    items = analyse("what's on the second day?", BASE).items
    assert NOT_IN_SOURCE in [i.get("fact") for i in items]


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Et les maires, ils ont quelle place là-dedans ?", "mayors_role"),
        ("Pourquoi le communiqué insiste-t-il autant sur les maires ?", "mayors_role"),
        ("les raisons pour lesquelles l'OIM accorde une place particulière aux maires ;",
         "mayors_role"),
        ("Where can I read more about the conference itself?", "contact"),
        ("So who can help me with this?", "contact"),
        ("email for the idm workshop?", "contact"),
        ("UNHCR is the agency hosting the CMC, yes?", "about"),
        ("wat year iom start", "iom_founded"),
        ("what is the main subject of the World Migration Report?", "wmr_content"),
        ("and what does it say about how cities affect migrants' lives?", "wmr_content"),
        ("Pourriez-vous me dire ce qu'étudie le rapport ?", "wmr_content"),
        ("Why is IOM holding a conference specifically on cities?", "urban_share"),
        # "address" as a verb names no postal address.
        ("Who is IOM's Director General? I would like to adress my letter to him.", "dg_quote"),
    ],
)
def test_the_fact_a_wording_asks_for_comes_first(text: str, fact: str) -> None:
    assert analyse(text, BASE).items[0].get("fact") == fact


def test_a_letters_request_by_sollicitation_and_an_ordinal_who_are_asked() -> None:
    letter = (
        "Monsieur, Madame,\n\nJe suis urbaniste à l'Hôtel de Ville de Kinshasa. Afin de faciliter "
        "nos échanges, je sollicite de votre bienveillance le numéro de téléphone et l'adresse "
        "électronique de la personne responsable.\n\nJe vous prie d'agréer l'expression de ma "
        "haute considération.\n\nIr. Patrick Mbuyi"
    )
    assert "contact" in [i.get("fact") for i in analyse(letter, BASE).items]
    letter = (
        "Dear Sir, I have a few questions. Firstly, what makes it new? Secondly, who is IOM's "
        "Director General, since I would like to write to him directly. Kind regards, W. Kamau"
    )
    assert "dg_quote" in [i.get("fact") for i in analyse(letter, BASE).items]


@pytest.mark.parametrize(
    "text",
    [
        "I'll have a free afternoon in Geneva after the conference. What's worth seeing?",
        "Il y a combien d'étrangers en Suisse, en pourcentage de la population ?",
        "how many people live in geneva?",
        "Do you also have info on Habitat III? When and where is that one happening?",
    ],
)
def test_tourism_a_countrys_figures_and_another_event_are_elsewhere(text: str) -> None:
    assert _route(_message(text, "ask_venue", 0.6)) == ("out_of_scope", None)


def test_a_joke_then_a_question_gets_the_question() -> None:
    text = "Raconte-moi une blague sur les maires, et après dis-moi qui est invité à la conférence."
    assert _route(_message(text, "ask_invitees", 0.6)) == (
        "ask_invitees", [{"fact": "invitees", "verdict": None}]
    )


def test_the_staff_of_an_office_are_other_people() -> None:
    text = (
        "Could you send me the registration status and e-mail address of all our staff signed "
        "up for the CMC? For example Carlos Ruiz from our international relations department."
    )
    assert _route(_message(text, "ask_other_registration")) == ("ask_other_registration", None)


@pytest.mark.parametrize(
    "text",
    ["what languages do u speak", "Quelles langues parlez-vous ?", "tu connais quelles langues ?"],
)
def test_the_assistants_own_languages_ask_nothing_of_the_release(text: str) -> None:
    """Answered by utter_iamabot (which says it answers in French and English), not as a
    detail the release lacks (the languages of the conference)."""
    assert analyse(text, BASE).items == []


def test_a_named_persons_registration_asked_at_length_is_private() -> None:
    text = (
        "Bonjour, je suis agent à la préfecture du Rhône, au service du protocole. Nous devons "
        "organiser le déplacement de Mme Marie Dupont, de la mairie de Lyon, et j'aurais besoin "
        "de savoir si son inscription à la CMC est bien validée de votre côté."
    )
    assert _route(_message(text, "check_registration", 0.42)) == ("ask_other_registration", None)


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("I lost my registration reference. My email is marie.dupont@mairie-lyon.fr, can you "
         "look it up for me?", [("email", "marie.dupont@mairie-lyon.fr")]),
        ("can you just fix the email on my file so it matches then?", []),
        ("C'est forcément une erreur ! Vous pouvez corriger ça ?", []),
    ],
)
def test_what_only_the_idm_workshop_can_do_gets_the_decisions_answer(
    text: str, entities: list[tuple[str, str]]
) -> None:
    message = _message(text, "inform_registration", entities=_entities(*entities))
    assert _route(message)[0] == "ask_registration_decision"


def test_an_opinion_pushed_at_length_is_out_of_scope() -> None:
    text = (
        "Et vous, vous en pensez quoi de l'initiative « contre l'immigration de masse » votée "
        "l'an dernier en Suisse ? Vous êtes pour ou contre ? Donnez-moi votre avis personnel, "
        "pas une réponse de diplomate."
    )
    assert _route(_message(text, "ask_fact", 0.6)) == ("out_of_scope", None)


@pytest.mark.parametrize(
    "text",
    [
        "Et les documents de séance, on les reçoit à l'avance par mail ?",
        "les maires auront-ils l'occasion de s'exprimer en séance plénière ?",
        "et on mange sur place??",
        "is mayor of london coming",
    ],
)
def test_session_papers_plenaries_meals_and_a_named_mayor_are_not_in_the_release(text: str) -> None:
    assert NOT_IN_SOURCE in [i.get("fact") for i in analyse(text, BASE).items]


def test_what_a_letter_says_it_needs_is_asked() -> None:
    text = (
        "Bonsoir, mon fils doit faire une fiche sur l'OIM. Pour la fiche il lui faut l'année de "
        "création et le nombre d'États membres. Vous pouvez nous aider ? Merci d'avance !"
    )
    facts = [i.get("fact") for i in analyse(text, BASE).items]
    assert facts[:2] == ["iom_founded", "iom_members"]


def test_a_wrong_venue_given_as_a_reason_is_corrected() -> None:
    text = ("Comme c'est le HCR qui organise cette conférence à New York, à qui dois-je envoyer "
            "notre demande ?")
    verdicts = {i.get("fact"): i.get("verdict") for i in analyse(text, BASE).items}
    assert verdicts["about"] == "no" and verdicts["venue"] == "no"


def test_the_conference_named_by_its_city_as_a_subject_asks_nothing_of_the_city() -> None:
    items = analyse("la conf de l oim a geneve c pr les ong aussi?", BASE).items
    assert "venue" not in [i.get("fact") for i in items]


def test_how_to_get_invited_is_a_procedure_the_release_lacks() -> None:
    text = "Bonjour mon frère, comment on fait même pour être invité à la conférence de Genève là ?"
    assert analyse(text, BASE).items == [{"fact": NOT_IN_SOURCE}]


def test_a_friends_acceptance_asked_by_name_is_private() -> None:
    text = "yo can u check if Li Wei got accepted? we're co-authoring a paper n wanna go together"
    assert _route(_message(text, "nlu_fallback", 1.0)) == ("ask_other_registration", None)


def test_a_flat_in_geneva_is_elsewhere() -> None:
    text = (
        "Je cherche un appart ou une colocation à Genève à partir de novembre, 1500 francs "
        "max. Vous auriez des adresses à me conseiller ?"
    )
    assert _route(_message(text, "ask_venue", 0.6)) == ("out_of_scope", None)


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I'm a city councillor in Porto. Has Carlos Ruiz from Madrid city council "
        "registered yet? We were hoping to meet him in Geneva.",
    ],
)
def test_whether_a_named_person_registered_is_private(text: str) -> None:
    assert _route(_message(text, "ask_venue", 0.5)) == ("ask_other_registration", None)


def test_a_letter_asking_its_own_registrations_status_is_a_check() -> None:
    text = (
        "Dear Organising Committee, I submitted a registration for the Conference on Migrants "
        "and Cities under reference CMC-2015-0004, and I have not yet received any news. Could "
        "you please inform me of its current status? Best regards, Professor Li"
    )
    entities = _entities(("reference", "CMC-2015-0004"))
    message = _message(text, "ask_invitees", 0.6, entities=entities)
    assert _route(message)[0] == "check_registration"


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("who are the organisors agian?", "about"),
        ("cest lunesco qui organise ?", "about"),
        ("Savez-vous quelle entreprise s'occupe du traiteur ?", NOT_IN_SOURCE),
    ],
)
def test_typed_words_and_catering(text: str, fact: str) -> None:
    assert analyse(text, BASE).items[0].get("fact") == fact


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Combien d'état membre a l'OIM ?? et depui quan elle existe", "iom_founded"),
        ("Right. Who exactly do I take this up with?", "contact"),
        ("Il sera dispo en vietnamien ?", NOT_IN_SOURCE),
        ("any names you can share? our governor wants to know who he'd be meeting", NOT_IN_SOURCE),
    ],
)
def test_misspelt_and_idiomatic_questions(text: str, fact: str) -> None:
    assert fact in [i.get("fact") for i in analyse(text, BASE).items]


def test_exactly_after_a_question_word_asks_no_yes_or_no() -> None:
    assert analyse("c'est quoi l'OIM exactement ?", BASE).items == [
        {"fact": "iom_about", "verdict": None}
    ]
    assert analyse("c'est à Genève, exactement ?", BASE).items[0]["verdict"] == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "I want to see whether I got a place.",
        "slt svp jveu savoir si mon inscri a passé",
        "reg check",
    ],
)
def test_ones_own_registration_is_a_check_whatever_the_classifier_says(text: str) -> None:
    assert _route(_message(text, "nlu_fallback", 1.0)) == ("check_registration", None)


def test_a_public_figures_attendance_is_not_a_registration() -> None:
    text = "Has Anne Hidalgo confirmed she's coming?"
    assert _route(_message(text, "ask_confirmed", 0.6)) == (
        "ask_confirmed", [{"fact": NOT_IN_SOURCE}]
    )


def test_learning_swiss_german_is_elsewhere() -> None:
    text = "Vous sauriez comment apprendre le suisse-allemand rapidement ? Je commence à Berne."
    assert _route(_message(text, "ask_venue", 0.6)) == ("out_of_scope", None)


def test_ones_own_registration_typed_as_an_sms_is_the_check_itself() -> None:
    """Not "the release does not say" for a question on one's own registration that the
    classifier was unsure of."""
    text = "slt svp jveu savoir si mon inscri pour la conf de geneve a passé"
    message = _message(text, "check_registration", 0.5)
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    assert message.get("intent")["name"] == "check_registration"
    assert message.get("answer") is None


def test_the_writers_own_office_is_no_office_holder_asked_about() -> None:
    items = analyse("I'm the deputy mayor of Turin, can I attend?", BASE).items
    assert NOT_IN_SOURCE not in [i.get("fact") for i in items]
    items = analyse("is mayor of london coming", BASE).items
    assert NOT_IN_SOURCE in [i.get("fact") for i in items]


@pytest.mark.parametrize(
    ("text", "fact", "verdict"),
    [
        # Belgian numbers; "le chiffre de l'OIM" names the source, not IOM's members.
        ("Septante pour cent de la population mondiale en ville d'ici 2050, c'est bien le "
         "chiffre de l'OIM ?", "urban_share", "yes"),
        ("We understand that this will be the second IOM conference on cities.", "first_time",
         "no"),
        ("Is the CMC just internal meeting of IOM staff?", "invitees", "no"),
        ("C'est une réunion interne de l'OIM ?", "invitees", "no"),
        ("So the release basically describes migrants as a burden on cities, right?",
         "migrants_role", "no"),
        ("diasporas on agenda?", "topics", "yes"),
        # Québec's "c'tu ben ...?" asks yes or no.
        ("La conférence, c'tu ben l'OIM qui l'organise?", "about", "yes"),
    ],
)
def test_claims_in_new_wordings(text: str, fact: str, verdict: str) -> None:
    items = analyse(text, BASE).items
    assert [(i.get("fact"), i.get("verdict")) for i in items] == [(fact, verdict)]


@pytest.mark.parametrize(
    "text",
    [
        "Qu'a déclaré le directeur général de l'OIM ?",
        "Et l'événement d'avant, c'était quoi ?",
    ],
)
def test_a_question_opening_with_qu_a_or_on_the_event_before_asks_no_yes_or_no(text: str) -> None:
    assert [i.get("verdict") for i in analyse(text, BASE).items if "fact" in i] == [None]


@pytest.mark.parametrize(
    "text",
    [
        "il répond aussi le week-end ?",
        "Does he speak English? I'll write to him in English then.",
        "The press release says registration closes on 30 September. Is there any way to "
        "still register our mayor?",
        "Will I be able to get online at the venue?",
        "Est-ce qu'un endroit calme est prévu quelque part sur place pour prier ?",
        "Could you walk me through what happens on day one and what on day two?",
        "Est-ce qu'il y aura un point presse au moment du lancement ?",
    ],
)
def test_details_the_release_lacks_in_new_wordings(text: str) -> None:
    assert NOT_IN_SOURCE in [i.get("fact") for i in analyse(text, BASE).items]


def test_where_ones_registration_stands_is_no_question_on_the_venue() -> None:
    items = analyse("merci de me dire ou ca en est", BASE).items
    assert "venue" not in [i.get("fact") for i in items]
    assert [i.get("fact") for i in analyse("ou ca se passe ?", BASE).items] == ["venue"]


def test_an_aim_asked_beside_the_report_title_is_its_content() -> None:
    text = "Pourriez-vous m'en préciser le titre exact ainsi que la problématique générale ?"
    items = analyse(text, BASE).items
    assert items[0]["fact"] == "wmr_title" and "followup" in items[1]
    assert resolve(items, BASE, None)[1]["fact"] == "wmr_content"


def test_an_ending_asked_alone_is_the_dates() -> None:
    assert [i.get("fact") for i in analyse("et ça finit ?", BASE).items] == ["dates"]


def test_a_tv_series_to_watch_is_elsewhere() -> None:
    text = "Vous pourriez me conseiller une bonne série à regarder dans l'avion pour Genève ?"
    assert _route(_message(text, "ask_venue", 0.6)) == ("out_of_scope", None)


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to be put through to the Director General directly, please.",
        "Pouvez-vous me mettre en relation avec le directeur général ?",
    ],
)
def test_reaching_the_director_general_is_a_contact_the_release_lacks(text: str) -> None:
    _, items = _route(_message(text, "ask_dg_quote", 0.8))
    assert items == [{"fact": NOT_IN_SOURCE}]


def test_a_contact_asked_of_him_depends_on_whom_the_conversation_is_about() -> None:
    text = "il a une adresse mail pour le joindre directement ?"
    _, items = _route(_message(text, "ask_contact"))
    assert items is not None and all(i.get("person") for i in items)
    assert [i["fact"] for i in resolve(items, BASE, "dg")] == [NOT_IN_SOURCE]
    assert [i["fact"] for i in resolve(items, BASE, "contact")] == ["contact"]


def test_a_follow_up_takes_another_topic_of_the_last_answer_when_the_last_has_none() -> None:
    """"c'est qui lui ?" after the Director General's words and the topics: him."""
    items = analyse("c'est qui lui, au fait ?", BASE).items
    resolved = resolve(items, BASE, "cmc", guess=False, earlier=["dg_quote", "topics"])
    assert [i["fact"] for i in resolved] == ["dg_quote"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Et la maire de Lyon, elle est inscrite ?", "ask_other_registration"),
        ("but I registered last month! what do I do?", "ask_registration_decision"),
        ("That's strange, I registered back in June and got an acknowledgement. What should I "
         "do?", "ask_registration_decision"),
        ("Mais non, moi je n'ai jamais annulé ! Vous pouvez remettre mon inscription active "
         "s'il vous plaît ?", "ask_registration_decision"),
        ("I registered myself through your website last week. Could you let me know whether "
         "my registration has gone through?", "check_registration"),
    ],
)
def test_registration_dialogue_in_new_wordings(text: str, intent: str) -> None:
    assert _route(_message(text, "nlu_fallback", 1.0))[0] == intent


def test_demand_for_housing_asks_nothing() -> None:
    text = (
        "Our partners at the municipality are struggling to keep up with demand for housing. "
        "Are civil society organisations invited?"
    )
    assert [i.get("fact") for i in analyse(text, BASE).items] == ["invitees"]


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("bjr svp la conf la ca parl de koi exactement on ma dit de venir me renseigne ici",
         "topics"),
        ("c'est quand la conférance et c'est dans qu'elle ville ?", "venue"),
        ("whats there address", "contact"),
        ("Est-ce la deuxième fois que des ministres et des maires se réunissent ?", "first_time"),
    ],
)
def test_french_and_sms_wordings_of_this_round(text: str, fact: str) -> None:
    assert fact in [i["fact"] for i in resolve(analyse(text, BASE).items, BASE, "cmc")]


@pytest.mark.parametrize(
    "text", ["ok pis faut sinscrire comment pis jusqua quand", "on peut s'inscrire en ligne ?"]
)
def test_how_to_register_is_a_procedure_the_release_lacks(text: str) -> None:
    assert NOT_IN_SOURCE in [i.get("fact") for i in analyse(text, BASE).items]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Je vous saurais gré de bien vouloir annuler cette inscription.",
         "ask_registration_decision"),
        ("Je vous serais obligé de bien vouloir me faire connaître l'état d'avancement de notre "
         "inscription, et de me rappeler les dates de la Conférence.", "check_registration"),
    ],
)
def test_formal_french_registration_requests(text: str, intent: str) -> None:
    assert _route(_message(text, "ask_dates", 0.6))[0] == intent


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        # "parle-t-il" asks what it is about, not which languages someone speaks
        ("Quel rapport sera présenté, et de quoi parle-t-il ?", "wmr_content"),
        ("who organizez the cmc and were do i send questons", "contact"),
    ],
)
def test_wordings_near_this_rounds_cues(text: str, fact: str) -> None:
    items = resolve(analyse(text, BASE).items, BASE, None)
    assert fact in [i["fact"] for i in items]
    assert NOT_IN_SOURCE not in [i["fact"] for i in items]


@pytest.mark.parametrize(
    "text",
    [
        "And Mr Samri, is he the director of the Governing Bodies Division?",
        "Qui est-ce, quelle est sa fonction, et y a-t-il un numéro où le joindre ?",
    ],
)
def test_a_contact_named_or_asked_with_other_things_is_the_releases(text: str) -> None:
    _, items = _route(_message(text, "ask_contact"))
    assert items is not None and not any(i.get("person") for i in items)


@pytest.mark.parametrize(
    ("text", "fact", "verdict"),
    [
        ("Isn't this basically the same event as the diaspora ministerial conference from June?",
         "diaspora_2013", "no"),
        ("WMR launched there?", "wmr_launch", "yes"),
    ],
)
def test_claims_of_the_last_round(text: str, fact: str, verdict: str) -> None:
    items = analyse(text, BASE).items
    assert (fact, verdict) in [(i.get("fact"), i.get("verdict")) for i in items]


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("on deadline: dates, city, name of IOM DG. thx", ["dates", "venue", "dg_quote"]),
        ("Il me faut les dates et le cadre OIM dans lequel elle s'inscrit.", ["dates", "idm"]),
        ("Give me IOM's own framing of the CMC in two lines.", ["about"]),
        ("can i just ring him instead", ["contact"]),
        ("ok. et ça change quoi pour les maires du coup ?", ["mayors_role"]),
        # the release gives the 2050 share, not today's
        ("Et les migrants, ils sont combien à vivre en ville aujourd'hui ?",
         [NOT_IN_SOURCE, "urban_share"]),
        ("Nous souhaiterions savoir combien d'États membres compte aujourd'hui l'OIM.",
         ["iom_members"]),
    ],
)
def test_what_compact_messages_ask(text: str, facts: list[str]) -> None:
    assert [i.get("fact") for i in analyse(text, BASE).items][: len(facts)] == facts


def test_a_letters_statement_names_the_topic_its_follow_up_asks_about() -> None:
    text = (
        "Bonjour, à la mairie de Bamako on s'intéresse au rapport que l'OIM va lancer là-bas. "
        "Il parle de quoi même ? Faut nous expliquer un peu."
    )
    assert [i["fact"] for i in resolve(analyse(text, BASE).items, BASE, "cmc")] == ["wmr_content"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("wait so is that a no or what", "ask_own_status"),
        ("what?? can you undo that?", "ask_registration_decision"),
        ("Bonsoir, c'est pour le dossier de notre délégation. Je veux échanger avec une personne "
         "de l'OIM directement. Vous pouvez me donner le numéro ?", "request_human"),
        ("We submitted a registration last month. Could you please check that our registration "
         "was received?", "check_registration"),
    ],
)
def test_registration_and_people_in_compact_wordings(text: str, intent: str) -> None:
    assert _route(_message(text, "goodbye", 0.35))[0] == intent


def test_confirm_me_before_a_colon_asks_the_facts_after_it() -> None:
    text = "Please confirm me: IOM have 175 member states, correct?"
    intent, items = _route(_message(text, "ask_iom", 0.6))
    assert intent == "ask_iom" and items == [{"fact": "iom_members", "verdict": "yes", "claim": 0}]


def test_how_to_register_beside_a_question_is_no_check() -> None:
    text = "Doctorante à Grenoble, est-ce que je peux y assister ? Et comment on s'inscrit ?"
    intent, items = _route(_message(text, "check_registration", 0.36))
    assert intent == "check_registration" and items is not None
    assert NOT_IN_SOURCE in [i.get("fact") for i in items]
    message = _message(text, "check_registration", 0.36)
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    assert message.get("intent")["name"] == "ask_question"


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Et les diasporas, elles interviennent comment là-dedans ?", "topics"),
        ("Tant pis. Alors dites-m'en plus sur la conférence elle-même.", "about"),
    ],
)
def test_topicalised_and_tell_me_more_questions(text: str, fact: str) -> None:
    items = analyse(text, BASE).items
    assert items[0].get("fact") == fact and NOT_IN_SOURCE not in [i.get("fact") for i in items]


def test_where_my_application_stands_is_a_check() -> None:
    text = "I signed up a while back and heard nothing since. Could you tell me where my "
    text += "application stands?"
    assert _route(_message(text, "ask_venue", 0.5))[0] == "check_registration"


# Two questions joined in one message are answered as each is alone (the combined
# check of the development sets: bench/conversations.py --combine).
@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # a line of a few words in a letter asks, as in an SMS; a signature's line does not
        (
            "Bonjour,\n\nc koi IDM\n\nVers quelle heure se finissent les travaux ? J'ai un dîner."
            "\n\nMerci d'avance.\nCordialement,\nJ. Martin",
            ["idm", NOT_IN_SOURCE],
        ),
        (
            "Hello,\n\nvenue\n\nI'd rather not sort this out with a bot. Who is in charge at IOM?"
            "\n\nThanks in advance.\nBest regards,\nJ. Martin",
            ["venue"],
        ),
        (
            "Bonjour,\n\nL'OIM existe depuis quelle année ?\n\nc ou\n\nMerci d'avance.",
            ["iom_founded", "venue"],
        ),
        # SMS lines without a question mark, each a question
        ("slt c kan la conf\nAutre chose : ya une retransmision en direct", [NOT_IN_SOURCE]),
        ("who's invited\nAlso: i want speak to real person pls", ["invitees", "contact"]),
        # a short line after "?" elsewhere: punctuation is no word
        ("t'es un robot ?\nAutre chose : sujets abordés", ["topics"]),
    ],
)
def test_joined_questions_are_each_asked(text: str, facts: list[str]) -> None:
    asked = [i.get("fact") for i in analyse(text, BASE).items if "fact" in i]
    assert asked[: len(facts)] == facts


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "Dear Sir or Madam,\nI am preparing a feature on mayors and migration for our "
            "readers. Could you tell me which topics the conference will examine?\nKind regards,"
            "\nAnanya Raghavan\nGeneva Correspondent, The Hindu",
            ["topics"],
        ),
        ("Bonjour\nje suis maire de Dakar\nmerci", []),
        ("Bonjour\nje suis maire de Dakar\nc quand la conf", ["dates"]),
    ],
)
def test_signatures_and_introductions_ask_nothing(text: str, facts: list[str]) -> None:
    resolved = resolve(analyse(text, BASE).items, BASE, None)
    assert [i["fact"] for i in resolved] == facts


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # "par ailleurs", "also" of a new subject: the follow-up's own default
        (
            "L'OIM, elle rassemble combien d'États ?\nPar ailleurs, c quand",
            ["iom_members", "dates"],
        ),
        ("How many member states does IOM have? By the way, when is it?", ["iom_members", "dates"]),
        # a fact the message asks already is not asked again by a follow-up
        (
            "In how many countries is IOM present and since when?\nAlso: when is it, which city?",
            ["iom_members", "iom_founded", "dates", "venue"],
        ),
        (
            "L'OIM existe depuis quand ? Et la conférence, c'est quand et où ?",
            ["iom_founded", "dates", "venue"],
        ),
    ],
)
def test_follow_ups_after_another_subject(text: str, facts: list[str]) -> None:
    resolved = resolve(analyse(text, BASE).items, BASE, None)
    assert [i["fact"] for i in resolved] == facts


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("Are you a bot? When is the conference?", 0),
        ("C'est quand la conférence ? Vous êtes un robot ?", 1),
    ],
)
def test_a_question_on_the_assistant_beside_facts(text: str, position: int) -> None:
    message = _message(text, "bot_challenge", 0.6)
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    answer = message.get("answer")
    assert answer["items"] == [{"fact": "dates", "verdict": None}]
    assert answer["assistant"] == position
    assert message.get("intent")["name"] == "ask_question"  # the action says both


def test_a_question_on_the_assistant_alone_is_the_domains() -> None:
    message = _message("are you a bot?", "bot_challenge", 0.9)
    FactDetector(FactDetector.get_default_config(), BASE).process([message])
    assert message.get("intent")["name"] == "bot_challenge"


@pytest.mark.parametrize(("language", "first"), [("fr", True), ("en", False)])
async def test_the_assistant_and_a_person_said_beside_the_facts(
    language: str, first: bool
) -> None:
    items = [{"fact": "dates", "verdict": None}]
    answer = {"items": items, "assistant": 0 if first else 1, "human": True}
    messages, events = await _answer(_tracker(answer, language=language))
    dates = {"text": BASE.facts["dates"].texts[language]}
    bot = {"response": "utter_iamabot"}
    said = [{k: m[k] for k in ("text", "response") if m.get(k)} for m in messages]
    expected = [bot, dates] if first else [dates, bot]
    assert said == [*expected, {"response": "utter_human"}]
    assert events == [SlotSet("answer_topic", "cmc"), SlotSet("answer_facts", ["dates"])]


@pytest.mark.parametrize(
    ("text", "fact", "verdict"),
    [
        # a bound on a year, checked against the release's year
        ("Has IOM been around since before 1960?", "iom_founded", "yes"),
        ("L'OIM a été fondée après 1960 ?", "iom_founded", "no"),
        ("La conférence sur la diaspora, c'était avant 2015 ?", "diaspora_2013", "yes"),
        # done before: not the first time; never done before: the first time
        ("Has it been done before?", "first_time", "no"),
        ("It has never been done before, right?", "first_time", "yes"),
        ("Does the conference last a whole week?", "dates", "no"),
    ],
)
def test_bounds_and_negations_in_claims(text: str, fact: str, verdict: str) -> None:
    assert _asked(text)[0] == (fact, verdict)


@pytest.mark.parametrize(
    "text",
    [
        "Am I chatting with an actual person or a bot? Just tell me how many countries IOM is in.",
        "Is this an automated chatbot? Who at IOM deals with side events?",
        "Je parle à un robot là ? Combien l'OIM compte-t-elle d'États membres ?",
    ],
)
def test_the_assistant_asked_about_beside_other_questions(text: str) -> None:
    analysis = analyse(text, BASE)
    assert analysis.assistant == 0 and analysis.items


def test_where_one_stands_is_no_venue() -> None:
    assert _asked("Can you tell me where I stand with my registration?") == []


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        # a name, then what it is: in a letter's line or after another question
        ("Bonjour,\n\noim cé koi\n\nEst-ce que les chercheurs sont invités ?", "iom_about"),
        ("OIM ça veut dire ?", "iom_about"),
        ("cmc = koi ?", "about"),
        ("Qui s'exprime au nom de l'OIM dans l'annonce de la conférence ?", "dg_quote"),
        ("Who is the source of that quote?", "dg_quote"),
        ("Je vous prie de me préciser ce que ce rapport cherche à montrer.", "wmr_content"),
    ],
)
def test_names_asked_what_they_are_and_who_speaks(text: str, fact: str) -> None:
    asked = _asked(text)
    assert (fact, None) in asked and (NOT_IN_SOURCE, None) not in asked, asked
