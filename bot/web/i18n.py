"""The page's own words, in both languages. The facts come from domain.yml's responses."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"  # the language of the source

# Sections of the page: (id, response in domain.yml whose text is shown).
# The page's sections: the facts of bot/nlu/facts.yml each one shows, in order.
SECTIONS: Final = (
    ("about", ("about",)),
    ("when-where", ("dates", "venue")),
    ("topics", ("topics",)),
    ("invitees", ("invitees",)),
    ("idm", ("idm",)),
    ("report", ("wmr_launch", "wmr_content")),
    ("contact", ("contact",)),
)

STRINGS: Final[dict[str, dict[str, str]]] = {
    "fr": {
        "title": "Conférence sur les migrants et les villes (CMC)",
        "subtitle": "Genève, 26 et 27 octobre 2015 · Dialogue international sur la migration (OIM)",
        "skip": "Aller à l'assistant",
        "switch_label": "Langue",
        "section_about": "La conférence",
        "section_when-where": "Dates et lieu",
        "section_topics": "Thèmes",
        "section_invitees": "Qui est invité ?",
        "section_idm": "Le Dialogue international sur la migration",
        "section_report": "Rapport État de la migration dans le monde 2015",
        "section_contact": "Contacts",
        "source": "Source : communiqué de presse de l'OIM.",
        "chat_title": "CMC Assistant",
        "chat_intro": "Posez vos questions sur la conférence, en français ou en anglais.",
        "chat_log": "Conversation avec l'assistant",
        "chat_input": "Votre message",
        "chat_placeholder": "Par exemple : quelles sont les dates ?",
        "chat_send": "Envoyer",
        "chat_you": "Vous",
        "chat_bot": "Assistant",
        "chat_suggestions": "Suggestions",
        "chat_connecting": "Connexion à l'assistant…",
        "chat_ready": "L'assistant est prêt.",
        "chat_offline": "Connexion perdue. Nouvelle tentative…",
        "chat_typing": "L'assistant écrit…",
        "chat_new": "Nouvelle conversation",
        "chat_new_hint": "Efface cette conversation de ce navigateur (ordinateur partagé).",
        "chat_noscript": (
            "L'assistant a besoin de JavaScript. Vous pouvez aussi écrire à idmworkshop@iom.int."
        ),
        "not_found_title": "Page introuvable",
        "not_found": "Cette page n'existe pas.",
        "error_title": "Erreur",
        "error": "Une erreur s'est produite. Veuillez réessayer plus tard.",
        "home": "Retour à l'accueil",
    },
    "en": {
        "title": "Conference on Migrants and Cities (CMC)",
        "subtitle": "Geneva, 26–27 October 2015 · International Dialogue on Migration (IOM)",
        "skip": "Skip to the assistant",
        "switch_label": "Language",
        "section_about": "The conference",
        "section_when-where": "Dates and venue",
        "section_topics": "Topics",
        "section_invitees": "Who is invited?",
        "section_idm": "The International Dialogue on Migration",
        "section_report": "World Migration Report 2015",
        "section_contact": "Contacts",
        "source": "Source: IOM press release.",
        "chat_title": "CMC Assistant",
        "chat_intro": "Ask your questions about the conference, in English or French.",
        "chat_log": "Conversation with the assistant",
        "chat_input": "Your message",
        "chat_placeholder": "For example: when is the conference?",
        "chat_send": "Send",
        "chat_you": "You",
        "chat_bot": "Assistant",
        "chat_suggestions": "Suggestions",
        "chat_connecting": "Connecting to the assistant…",
        "chat_ready": "The assistant is ready.",
        "chat_offline": "Connection lost. Trying again…",
        "chat_typing": "The assistant is typing…",
        "chat_new": "New conversation",
        "chat_new_hint": "Forgets this conversation in this browser (shared computer).",
        "chat_noscript": (
            "The assistant needs JavaScript. You can also write to idmworkshop@iom.int."
        ),
        "not_found_title": "Page not found",
        "not_found": "This page does not exist.",
        "error_title": "Error",
        "error": "Something went wrong. Please try again later.",
        "home": "Back to the home page",
    },
}
