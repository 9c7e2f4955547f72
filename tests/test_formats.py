"""The one home of the formats (bot/nlu/formats.py), at both edges: what is just
accepted and what is just refused, for references, e-mail addresses and phone numbers."""

from __future__ import annotations

import pytest

from bot.nlu.formats import (
    EMAIL_RE,
    EXAMPLE_REFERENCE,
    PHONE_RE,
    REFERENCE_RE,
    corrected_email,
    is_assignable,
    normalise_email,
    normalise_reference,
)


@pytest.mark.parametrize(
    "text",
    [
        "CMC-2015-0002",
        "cmc 2015 0002",
        "CMC20150002",  # no separator
        "cmc/2015/0002",
        "cmc_2015_0002",
        "CMC - 2015 - 0002",  # three separator characters, the most
        "CMC – 2015 – 0002",  # en dashes
        "(CMC-2015-0002).",
        "ma référence est cmc-2015-0002 merci",
    ],
)
def test_references_as_people_type_them(text: str) -> None:
    assert normalise_reference(text) == "CMC-2015-0002"


@pytest.mark.parametrize(
    "text",
    [
        "CMC----2015-0002",  # four separator characters
        "CMC.2015.0002",  # not a separator
        "xCMC-2015-0002",  # inside a word
        "CMC-2015-00021",  # five digits
        "CMC-2015-0002x",
        "CMC-015-0002",
        "2015-0002",
        "",
    ],
)
def test_near_references_are_not_references(text: str) -> None:
    assert normalise_reference(text) is None


def test_the_example_reference_is_a_reference_that_no_one_has() -> None:
    assert normalise_reference(EXAMPLE_REFERENCE) == EXAMPLE_REFERENCE
    assert not is_assignable(EXAMPLE_REFERENCE)
    assert is_assignable("CMC-2015-0001")


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("écrivez à J.Okafor@Lagos.GOV.ng.", "j.okafor@lagos.gov.ng"),  # trailing full stop
        ("  a@b.co ", "a@b.co"),
        ("o'brien+cmc/x@city.example.org", "o'brien+cmc/x@city.example.org"),  # RFC 5322 atext
        ("CMC-2015-0003/MARIE.DUPONT@MAIRIE-LYON.FR", "marie.dupont@mairie-lyon.fr"),
        ("cmc 2015 0003//m@x.org", "m@x.org"),  # a reference and slashes before it
        ("x" * 64 + "@example.org", "x" * 64 + "@example.org"),  # local part at its limit
        ("a@" + "b" * 63 + ".org", "a@" + "b" * 63 + ".org"),  # label at its limit
        ("ref=CMC-2015-0002 ; mail=j.okafor@lagos.gov.ng", "j.okafor@lagos.gov.ng"),  # a label
        ("E-mail=A@B.org", "a@b.org"),
        ("a=b@c.org", "a=b@c.org"),  # "=" is atext: only a label before it is left out
    ],
)
def test_email_addresses_are_found_and_normalised(text: str, email: str) -> None:
    assert normalise_email(text) == email


@pytest.mark.parametrize(
    "text",
    [
        "x" * 65 + "@example.org",  # local part over 64: no match in its middle either
        "a@" + "b" * 64 + ".org",  # label over 63
        "a@localhost",  # no dot in the domain
        "a@@b.org",
        "no address here",
        "",
    ],
)
def test_near_email_addresses_are_not_addresses(text: str) -> None:
    assert EMAIL_RE.search(text) is None
    assert normalise_email(text) is None


def test_the_release_contacts_in_a_forwarded_message_are_not_the_delegate_address() -> None:
    text = "From: IDM Workshop <idmworkshop@iom.int>\nTo: John Okafor <j.okafor@lagos.gov.ng>"
    assert normalise_email(text) == "j.okafor@lagos.gov.ng"
    assert normalise_email("Write to ASAMRI@iom.int") is None
    # Quoted wrong, a contact is still a contact: "the press contact is samri@iom.int?"
    assert normalise_email("I take it the press contact is samri@iom.int") is None
    assert normalise_email("idm.workshop@iom.int") is None


def test_a_reference_and_a_slash_are_no_address() -> None:
    assert normalise_email("CMC-2015-0003/@x.org") is None


def test_a_csv_cell_is_a_reference_or_an_email_only_as_a_whole() -> None:
    assert REFERENCE_RE.fullmatch("CMC-2015-0002")
    assert not REFERENCE_RE.fullmatch("CMC-2015-0002 ")
    assert EMAIL_RE.fullmatch("a.diallo@gouv.sn")
    assert not EMAIL_RE.fullmatch("a.diallo@gouv.sn, b@gouv.sn")


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("+41 22 717 91 11", "+41 22 717 91 11"),
        ("+4122717", "+4122717"),  # country code and seven digits, the fewest
        ("0041227179111", "0041227179111"),
        ("whatsapp:+33612345678", "+33612345678"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("06.12.34.56.78", "06.12.34.56.78"),
    ],
)
def test_phone_numbers(text: str, phone: str) -> None:
    match = PHONE_RE.search(text)
    assert match and match.group(0) == phone


@pytest.mark.parametrize(
    "text",
    [
        "+412271",  # six digits after the country code
        "06 12 34 56 7",  # nine digits
        "a+41227179111",  # inside a word
        "2015-10-26",
        "26-27 October 2015, 600 participants",
        "CMC-2015-0002",
    ],
)
def test_near_phone_numbers_are_not_numbers(text: str) -> None:
    assert PHONE_RE.search(text) is None


def test_the_extractor_reads_a_reference_written_against_an_address() -> None:
    """ "CMC-2015-0003/MARIE.DUPONT@MAIRIE-LYON.FR": two entities, the address alone."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.registration_extractor import RegistrationEntityExtractor

    text = "CMC-2015-0003/MARIE.DUPONT@MAIRIE-LYON.FR what's the status"
    [message] = RegistrationEntityExtractor().process([Message({"text": text})])
    entities = message.get("entities")
    found = {e["entity"]: (e["value"], text[e["start"] : e["end"]]) for e in entities}
    assert found == {
        "reference": ("CMC-2015-0003", "CMC-2015-0003"),
        "email": ("marie.dupont@mairie-lyon.fr", "MARIE.DUPONT@MAIRIE-LYON.FR"),
    }


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        # A correction after a check that found nothing: the number alone, not negated.
        ("sry typo, its 0001", "CMC-2015-0001"),
        ("oops sorry, it's 0001 not 0040", "CMC-2015-0001"),
        ("not 0040 but 0002", "CMC-2015-0002"),
        # A year, a phone number, a long message: no reference.
        ("by 2050?", None),
        ("my number is 0227 179 468", None),
        (
            "Our office opens at 0900 and we would like to know the dates, the venue and "
            "whom to write to about the 0001 question",
            None,
        ),
    ],
)
def test_the_number_of_a_reference_alone_completes_it(text: str, reference: str | None) -> None:
    assert _extracted(text, "reference") == ([reference] if reference else [])


def _extracted(text: str, entity: str) -> list[str]:
    """The values of `entity` the registration extractor finds in `text`."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.registration_extractor import RegistrationEntityExtractor

    [message] = RegistrationEntityExtractor().process([Message({"text": text})])
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == entity]


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        # A correction of the address after a check that found nothing.
        ("oops sorry, it's .org not .com", ".org"),
        ("Oups, c'est .fr évidemment, pas .com !", ".fr"),
        ("not .com but .org", ".org"),
        ("sorry it's @lagos.gov.ng", "@lagos.gov.ng"),
        ("Ah non, Lyon évidemment : mairie-lyon.fr", "mairie-lyon.fr"),
        # A domain without a word of correction, the release's own: none.
        ("mairie-lyon.fr", None),
        ("non, c'est iom.int", None),
        # A whole address, a website, an ellipsis, a long message: no ending.
        ("it's li.wei@example.org", None),
        ("the site is iom.int", None),
        ("hmm... ok", None),
        (
            "We use the .org domain at our office and would like to know the dates, the "
            "venue and whom to write to",
            None,
        ),
    ],
)
def test_the_end_of_an_address_alone_corrects_it(text: str, ending: str | None) -> None:
    assert _extracted(text, "email_ending") == ([ending] if ending else [])


@pytest.mark.parametrize(
    ("email", "ending", "corrected"),
    [
        ("li.wei@example.com", ".org", "li.wei@example.org"),
        ("marie.dupont@mairie-lyon.com", ".fr", "marie.dupont@mairie-lyon.fr"),
        ("j.okafor@lagos.gov.com", ".gov.ng", "j.okafor@lagos.gov.ng"),
        ("j.okafor@lagos.ng", "@Lagos.gov.ng", "j.okafor@lagos.gov.ng"),
        ("a@sn", ".org", "a@sn.org"),
        ("marie.dupont@mairie-paris.fr", "mairie-lyon.fr", "marie.dupont@mairie-lyon.fr"),
    ],
)
def test_an_ending_replaces_the_end_of_the_address(email: str, ending: str, corrected: str) -> None:
    assert corrected_email(email, ending) == corrected


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("My reference is CMC-2015-0003, no wait, it is CMC-2015-0004", "CMC-2015-0004"),
        ("CMC-2015-0003 ou plutôt CMC-2015-0005", "CMC-2015-0005"),
        # Two references without a correction: the first, as written.
        ("CMC-2015-0003 and CMC-2015-0004", "CMC-2015-0003"),
    ],
)
def test_a_reference_corrected_in_the_same_message_is_the_later_one(
    text: str, reference: str
) -> None:
    assert _extracted(text, "reference") == [reference]
