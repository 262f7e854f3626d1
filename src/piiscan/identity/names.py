"""Person names as keys: folded, reordered, stripped of titles, and compared.

"TREMBLAY, Marie", "Marie Tremblay" and "Mme Tremblay" must be recognised
as forms of one name, yet "Marie Tremblay" and "Marie-Ève Tremblay" must
not: a hyphenated given name is another name. Matching is by tokens, so it
works for names of every origin without any list of names.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Sequence

# Courtesy and professional titles, folded, without their dot. Stripped only
# in front of a name ("M. Tremblay"), never inside one.
TITLES = frozenset("""
m mm mme mmes mlle mlles mr mrs ms mx dr dre me pr prof madame monsieur mademoiselle miss
sir docteur docteure maitre professeur professeure sister soeur father pere rabbi imam
pasteur pasteure pastor
""".split())

_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[^\w'’-]+|[^\w'’-]+$")

Tokens = tuple[str, ...]


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Hélène Côté' → 'helene cote'."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=1 << 16)
def name_tokens(name: str) -> Tokens:
    """The words of a name in reading order, titles dropped, 'FAMILY, Given' turned round."""
    text = fold(name).replace("’", "'")
    if text.count(",") == 1:
        family, given = text.split(",")
        text = f"{given} {family}"
    words = [_EDGE.sub("", w) for w in _SPACE.split(text.replace(",", " "))]
    words = [w for w in words if w]
    while words and words[0].rstrip(".") in TITLES and len(words) > 1:
        words.pop(0)
    return tuple(w.rstrip(".") for w in words if w.rstrip("."))


def is_initial(token: str) -> bool:
    return len(token) == 1


def is_full(tokens: Tokens) -> bool:
    """A given and a family name at least: enough to tell people apart with a date of birth."""
    return sum(not is_initial(t) for t in tokens) >= 2


def full_key(tokens: Tokens) -> Tokens:
    """Order-free key, so 'Tremblay Marie' and 'Marie Tremblay' are one name."""
    return tuple(sorted(tokens))


def compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two names can be the same person's: the shorter is part of the longer.

    Each word of the shorter must match its own word of the longer, an
    initial matching a word it starts; at least one full word must agree.
    'Tremblay' ~ 'Marie Tremblay' ~ 'M Tremblay'; 'Marie Tremblay' ≁
    'Marie-Eve Tremblay'; 'Jean Tremblay' ≁ 'Marie Tremblay'.
    """
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return False
    pool = list(long_)
    agreed = False
    for word in sorted(short, key=is_initial):  # full words claim their match first
        for i, other in enumerate(pool):
            if word == other:
                agreed = agreed or not is_initial(word)
                break
            if is_initial(word) and other.startswith(word) or is_initial(other) and word.startswith(other):
                break
        else:
            return False
        pool.pop(i)
    return agreed


# -- column headers -----------------------------------------------------------

GIVEN, FAMILY, NOM, FULL = "given", "family", "nom", "full"

_GIVEN_WORDS = frozenset("prenom prenoms first given forename forenames firstname givenname "
                         "givennames".split())
_FAMILY_WORDS = frozenset("last surname surnames lastname familyname nomdefamille nomfamille".split())
_PERSON_WORDS = frozenset("""
name names nom noms fullname nomcomplet client cliente participant participante beneficiaire
beneficiary donor donateur donatrice employee employe employee salarie patient patiente member
membre student etudiant etudiante candidate candidat candidate applicant demandeur person
personne contact parent guardian tuteur tutrice child enfant spouse conjoint conjointe
titulaire holder cardholder
""".split())
_NOT_NAME_WORDS = frozenset("""
email courriel mail phone telephone tel cell mobile fax id no num number numero date birth
naissance dob address adresse rue street city ville organisation organization organisme
company compagnie entreprise employer employeur user username utilisateur login file fichier
code type status statut notes note comment commentaire commentaires description sin nas
""".split())
_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def field_words(field: str) -> list[str]:
    return [w for w in _SPLIT.split(fold(_CAMEL.sub(" ", field))) if w]


@functools.lru_cache(maxsize=4096)
def field_role(field: str | None) -> str | None:
    """What part of a name a column holds: given, family, 'nom' (family or full), full, or None."""
    if not field:
        return None
    words = field_words(field)
    joined = "".join(words)
    if not words or set(words) & _NOT_NAME_WORDS:
        return None
    if joined in _GIVEN_WORDS or set(words) & _GIVEN_WORDS:
        return GIVEN
    if joined in _FAMILY_WORDS or set(words) & _FAMILY_WORDS or joined == "family":
        return FAMILY
    if joined in ("nom", "name"):
        return NOM
    if joined in _PERSON_WORDS or set(words) & _PERSON_WORDS:
        return FULL
    return None
