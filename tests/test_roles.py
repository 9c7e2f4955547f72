"""Roles stated in eligibility questions, in both languages."""

from __future__ import annotations

import pytest

from bot.nlu.roles import RoleLexicon, default_lexicon


@pytest.mark.parametrize(
    ("text", "role", "span"),
    [
        ("I'm the deputy mayor of Turin, can I attend?", "mayor", "deputy mayor"),
        ("Je suis maire adjointe de Lyon", "mayor", "maire adjointe"),
        ("en tant que ministre des affaires urbaines", "minister", "ministre"),
        ("Conseillère municipale à Montréal", "local_authority", "Conseillère municipale"),
        ("I work for UNHCR", "international_organisation", "UNHCR"),
        ("je travaille pour une ONG", "civil_society", "ONG"),
        ("je suis chercheuse en sociologie", "academic", "chercheuse"),
        ("private sector representative here", "private_sector", "private sector"),
        ("Je suis journaliste", "media", "journaliste"),
        ("I'm a student", "student", "student"),
        ("simple citoyen, puis-je venir ?", "public", "simple citoyen"),
        ("ambassadeur du Sénégal", "government", "ambassadeur"),
        ("Je suis députée à Dakar, suis-je invitée ?", "parliamentarian", "députée"),
        ("I'm an MP from Ghana", "parliamentarian", "MP"),
        ("me migrant, can i come?", "migrant", "migrant"),
        ("Je suis réfugiée à Genève, puis-je venir ?", "migrant", "réfugiée"),
    ],
)
def test_roles_are_found_with_their_span(text: str, role: str, span: str) -> None:
    match = default_lexicon().find(text)
    assert match is not None
    assert (match.role, text[match.start : match.end]) == (role, span)


@pytest.mark.parametrize(
    "text",
    [
        "who is invited?",
        "qui est invité ?",
        "can I come",
        "the mayoral election",
        "ONGoing",
        "who is invited to the Conference on Migrants and Cities?",
    ],
)
def test_no_role_without_a_role_word(text: str) -> None:
    assert default_lexicon().find(text) is None


def test_longest_phrase_wins_and_offsets_survive_ligatures() -> None:
    lexicon = RoleLexicon(
        {"mayor": ["maire"], "local_authority": ["conseil municipal"], "x": ["cœur"]}
    )
    assert lexicon.find("le conseil municipal")
    match = lexicon.find("mon cœur de maire")
    assert match and match.role == "x" and "mon cœur de maire"[match.start : match.end] == "cœur"


@pytest.mark.parametrize(
    "text",
    [
        "Are high-level government representatives and local authorities invited?",
        "Les maires et les ONG sont-ils invités ?",
        "I work for the Governor. Are mayors, NGOs or researchers invited?",
    ],
)
def test_a_list_of_roles_asks_of_the_categories_not_of_one_role(text: str) -> None:
    assert default_lexicon().find(text) is None


def test_a_role_and_a_question_on_another_are_not_a_list() -> None:
    match = default_lexicon().find("Are mayors invited and can NGOs come?")
    assert match and match.role == "mayor"
