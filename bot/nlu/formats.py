"""Registration references ("CMC-2015-0002"), e-mail addresses and phone numbers as
people type them: the one home of these formats. The NLU finds them in messages (the
registration extractor, the fact analysis, language identification); the store and the
CSV import normalise and check them; the logs (bot/privacy.py), the staff console's
exports and the widget's history mask or hide them. It lives with the NLU, whose
training it shapes (bot/nlu/fingerprint.py).

Every pattern runs in linear time on adversarial input (they run on Rasa's event
loop): quantifiers are bounded, and a look-behind stops a match from starting in the
middle of a long run of characters that could belong to it, so each position of the
text is tried in constant time.
"""

from __future__ import annotations

import re

# Lower case, spaces, underscores, dashes of any kind or no separator at all: "cmc 2015
# 0002", "CMC – 2015 – 0002", "CMC20150002".
REFERENCE_RE = re.compile(
    r"\bcmc[\s_/\u2010-\u2014-]{0,3}(\d{4})[\s_/\u2010-\u2014-]{0,3}(\d{4})\b", re.IGNORECASE
)
# The reference the prompts show as an example: number 0000 is never assigned (the
# participant import refuses it), so nobody's reference is printed to everyone.
EXAMPLE_REFERENCE = "CMC-2015-0000"
_LOCAL = r"A-Za-z0-9.!#$%&'*+/=?^_`{|}~-"
# A label glued to the address ("mail=j.doe@x.org", "courriel=...") is not part of it.
_LABEL = r"(?i:e-?mail|mail|courriel)="
# RFC 5321's limits: 64 characters before the "@", labels of at most 63.
EMAIL_RE = re.compile(
    rf"(?:(?<![{_LOCAL}])|(?<=(?i:mail)=)|(?<=(?i:courriel)=))(?!{_LABEL})"
    rf"[{_LOCAL}]{{1,64}}@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}}){{1,8}}"
)
# International numbers ("+41 22 717 91 11", "0041…", "whatsapp:+33612345678") and
# French-style national ones ("06 12 34 56 78"): only for masking logs and exports.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d(?:[\s().-]{0,2}\d){6,14}|0\d(?:[\s.-]?\d\d){4})(?!\w)"
)


# The end of an address typed alone to correct the one given before ("oops, it's .org
# not .com", "c'est @mairie-lyon.fr"): an "@" and a domain, or a dot and its last labels.
EMAIL_ENDING_RE = re.compile(
    r"(?<![\w.@-])(?:@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}|"
    r"\.[A-Za-z]{2,24}(?:\.[A-Za-z]{2,24}){0,2})(?![\w@-])(?!\.\w)"
)

# A domain alone ("mairie-lyon.fr"), which corrects an address only in a message that
# says it corrects something (the registration extractor).
BARE_DOMAIN_RE = re.compile(
    r"(?<![\w.@/-])(?!www\.)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,3}\.[A-Za-z]{2,24}"
    r"(?![\w@/-])(?!\.\w)"
)


def corrected_email(email: str, ending: str) -> str:
    """`email` with the ending typed to correct it: "@x.fr" or "x.fr" replaces its domain,
    ".org" as many of its last labels ("li.wei@example.com", ".org" -> "li.wei@example.org")."""
    local, _, domain = email.rpartition("@")
    ending = ending.lower()
    if not ending.startswith("."):
        return f"{local}@{ending.lstrip('@')}"
    labels = domain.split(".")
    new = ending.lstrip(".").split(".")
    kept = labels[: max(1, len(labels) - len(new))]
    return f"{local}@{'.'.join(kept + new)}"


def normalise_reference(text: str) -> str | None:
    """The canonical "CMC-YYYY-NNNN" for the first reference in `text`, if any."""
    match = REFERENCE_RE.search(text or "")
    return f"CMC-{match.group(1)}-{match.group(2)}" if match else None


# The press release's own contacts: a forwarded acknowledgement shows them, but they are
# never the address a delegate registered with.
CONTACT_EMAILS = frozenset({"asamri@iom.int", "idmworkshop@iom.int"})
# ... and their domain, never the end of a delegate's address either.
CONTACT_DOMAINS = tuple(sorted({email.rpartition("@")[2] for email in CONTACT_EMAILS}))
# A contact's address mistyped ("samri@iom.int", "idm.workshop@iom.int"): still a contact.
_CONTACT_LOCAL_RE = re.compile(r"samri|idm", re.IGNORECASE)


def is_contact_email(address: str) -> bool:
    """The release's contacts, as typed by someone quoting them: never a registrant's."""
    local, _, domain = address.lower().rpartition("@")
    return address.lower() in CONTACT_EMAILS or (
        domain in CONTACT_DOMAINS and bool(_CONTACT_LOCAL_RE.search(local))
    )


def find_email(text: str) -> tuple[int, int] | None:
    """Where the first e-mail address of a message is, the release's contacts aside. A
    slash is atext to RFC 5322, but people write "CMC-2015-0003/me@x.org": a reference
    and the slashes after it are not part of the address."""
    masked = REFERENCE_RE.sub(lambda m: " " * len(m.group(0)), text)
    for match in EMAIL_RE.finditer(masked):
        start = match.start()
        while masked[start] == "/":  # at most 64 times: the local part's limit
            start += 1
        if masked[start] != "@" and not is_contact_email(masked[start : match.end()]):
            return start, match.end()
    return None


def normalise_email(text: str) -> str | None:
    """The first e-mail address in `text`, trimmed and lower-cased, if any."""
    span = find_email(text or "")
    return text[span[0] : span[1]].strip().lower().rstrip(".") if span else None


def is_assignable(reference: str) -> bool:
    """False for the example reference's number, which no participant may have."""
    return reference != EXAMPLE_REFERENCE
