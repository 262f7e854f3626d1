"""Names of people, in English and French, of every origin.

Signals, strongest first:
- a name column ("nom", "prénom", "donor", "bénéficiaire"…): a cell shaped
  like a name is a name, without NER, which is weakest on isolated cells;
- a label in text ("Client : …", "Parent or guardian: …") or a title
  (M., Mme, Dr, Mr, Ms, Me…) before name-shaped words;
- "TREMBLAY, Marie" (surname first, in capitals);
- spaCy NER (PERSON/PER) on prose, batched per language, per paragraph for
  bilingual documents, and on a title-cased copy of ALL-CAPS stretches,
  where the models see nothing.
No list of first or last names is used anywhere: a name is recognised by
its shape and its context, so "Nguyễn Thị Lan" and "Abdirahman Warsame"
count as much as "Marie Tremblay".

Known false positives: organisations and places named after people
("Fondation Marie-Vincent", "boulevard René-Lévesque") are rejected by
cue words (fondation, boulevard, centre, inc…) before or inside the span;
one without a cue ("Bombardier" in a donor column) is reported. Numbers and
codes never are: a name has letters only.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from .. import nlp
from ..language import language_runs
from ..model import EntityType, Match, Segment
from .base import fold
from ..lexicon import Lexicon

SCORE_FIELD = 0.9  # a name-shaped cell under a name column
SCORE_TITLE = 0.9
SCORE_LABEL = 0.85
SCORE_NER = 0.85
SCORE_NER_CONTEXT = 0.95
SCORE_SURNAME_FIRST = 0.8
SCORE_CAPS_NER = 0.75
SCORE_MENTION = 0.7
SCORE_GUESS = 0.6

MIN_SPLIT_CHARS = 200  # shorter texts are judged in one language

# -- vocabularies (folded: lower case, no accents) -----------------------------

# Words a person-name column or label is made of.
_PERSON_FIELD = frozenset("""
name names fullname firstname lastname givenname givennames surname surnames familyname
middlename nom noms prenom prenoms nomcomplet nomdefamille full first last given family
beneficiaire beneficiaires beneficiary beneficiaries donateur donatrice donateurs donor donors
participant participante participants client cliente clients employee employees employe
employee employes salarie salariee candidat candidate candidats applicant applicants patient
patiente patients member membre membres student etudiant etudiante eleve volunteer benevole
benevoles caseworker intervenant intervenante worker contact parent parents guardian tuteur
tutrice mother father mere pere spouse conjoint conjointe child enfant enfants signataire
signatory recipient representative representant representante responsable supervisor
superviseur superviseure referent person personne individu requerant requerante demandeur
demanderesse titulaire holder cardholder author auteur redacteur coordonnateur coordonnatrice
manager gestionnaire agent agente counsellor conseiller conseillere doctor medecin author
emergency urgence witness temoin tenant locataire owner proprietaire
""".split())
# Words that make a column or label about something else than a person's name.
_NOT_PERSON_FIELD = frozenset("""
organisation organization org organisme organism company compagnie entreprise employer
employeur business societe street rue city ville file fichier user username utilisateur login
product produit project projet event evenement program programme school ecole bank banque
account compte host hostname domain server serveur table column field champ type status statut
role poste title titre department service email courriel mail phone telephone tel cell mobile
fax address adresse country pays province region language langue code id number numero no num
date birth naissance dob age amount montant sin nas card carte passport passeport postal zip
gender sexe genre note notes comment comments commentaire commentaires description
""".split())
# Labels in running text that announce a person (memo headers, letters).
_LINE_LABEL = frozenset("from to de a cc attn attention signed signe signee par by".split())

# Titles before a name; matching is on the raw text (case matters: "Me" not "me").
_TITLE = re.compile(
    r"(?<![\w.])(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Dre?\.?|Mrs?\.?|Ms\.?|Mx\.?|Me|Pr\.?|Prof\.?|"
    r"Miss|Madame|Monsieur|Mademoiselle|Docteure?|Ma[iî]tre|Professeure?|Sister|Soeur|Sœur|"
    r"Father|P[eè]re|Rabbi|Imam|Pasteure?|Pastor)(?=\s)")

# Words marking an organisation, a place or a street: a span holding one of
# them, or preceded by one, is not a person ("rue Saint-Denis").
_ORG_PLACE = frozenset("""
ville city town municipalite municipality village arrondissement borough quartier region
comte county province gouvernement government ministere ministry minister departement department
agence agency bureau office conseil council commission comite committee regie authority
banque bank caisse credit assurance assurances insurance financial financiere finance capital
trust fiducie services service centre center centres clinique clinic clsc chsld cisss ciusss
hopital hospital pavillon universite university college cegep ecole school academy academie
institut institute institution bibliotheque library musee museum eglise church paroisse parish
mosquee mosque temple synagogue fondation foundation association societe society federation
coop cooperative club rotary lions groupe group compagnie company corporation corp inc ltd ltee
llc enr senc cie co limited limitee holdings industries entreprises enterprises communications
technologies systems systemes solutions consultants conseils media foods aliments pharmacie
pharmacy pharmaprix restaurant hotel auberge magasin store marche market depanneur garage
cabinet clinic rue street st avenue av ave boulevard boul blvd chemin ch road rd route autoroute
highway place square parc park drive lane crescent croissant terrasse terrace allee impasse
montee rang pont bridge lac lake riviere river mont mount mountain ile island baie bay
plage beach station metro gare airport aeroport terminal canada quebec montreal ontario
toronto ottawa gatineau laval longueuil sherbrooke vancouver calgary edmonton winnipeg
halifax manitoba alberta saskatchewan brunswick nouveau-brunswick scotia nouvelle-ecosse
labrador terre-neuve newfoundland nunavut yukon territoires territories red croix-rouge
croix cross united way centraide trillium army armee salut salvation aid aide legal juridique
housing logement habitation sante health social sociaux communautaire community scolaire
jeunesse youth famille family families programme program projet project ressources resources
humaines human nations tribunal court cour police surete revenue revenu immigration
refugees refugies citizenship citoyennete
""".split())
# Street and place types, written in lower case in French addresses.
_STREET = frozenset("""
rue street st avenue av ave boulevard boul blvd chemin ch road rd route autoroute highway
place square parc park drive lane crescent croissant terrasse terrace allee impasse montee rang
pont bridge lac lake riviere river mont mount ile island baie bay quai promenade ruelle
""".split())
# Capitalised words that start sentences, headings and sign-offs, never names.
_NOT_NAME = frozenset("""
the a an and or of to in on at by for with from re subject objet note notes total merci
thanks thank dear cher chere bonjour hello hi bonsoir madame monsieur mademoiselle sincerely
cordialement regards salutations yesterday today tomorrow hier aujourd aujourdhui demain ce
cette le la les un une des du de et ou en au aux pour par avec sans sur dans chez mr mrs ms
mme mlle dr dre me pr client cliente participant participante donor donateur date
january february march april may june july august september october november december
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre monday
tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi
dimanche please veuillez attention urgent confidentiel confidential important name nom
prenom phone telephone email courriel address adresse tel file dossier case cas memo
note objet type status statut programme program allergies aucune none yes no oui non
docteur docteure maitre professeur professeure sister soeur father pere rabbi imam pasteur
pasteure pastor miss mx mlles mmes prof m mm given surname names surnames prenoms
""".split())
# Lower-case words allowed inside a name: "María José de la Cruz", "Ahmad bin Said".
_PARTICLES = frozenset("de del della der den di da das do dos du des la le van von ter ten "
                       "bin bint ibn al el ben abu ould y e dela st".split())



@functools.cache
def _stop_words() -> frozenset[str]:
    """English and French stop words, loaded on first use: importing spaCy's French
    package compiles its tokenizer's regexes (seconds), which a command that reads
    nothing (an unchanged rescan) should not pay."""
    for language in nlp.PIPELINES:
        nlp.preload_patterns(language)
    try:
        from spacy.lang.en.stop_words import STOP_WORDS as en
        from spacy.lang.fr.stop_words import STOP_WORDS as fr
    except ImportError:  # spaCy missing: nlp.pipeline() says how to install it
        return frozenset()
    return frozenset(en | fr) - _PARTICLES


def _per_word(func):  # type: ignore[no-untyped-def]
    """Memoised for strings of up to 32 characters (as `fold`): the rules ask the same
    questions of the same words in every text; a long run of letters (a dump) is not
    kept, so the caches stay small."""
    cached = functools.lru_cache(maxsize=1 << 16)(func)

    @functools.wraps(func)
    def wrapper(word: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        return (cached if len(word) <= 32 else func)(word, *args, **kwargs)
    return wrapper


_WORD = re.compile(r"[^\W\d_]+(?:['’\-.][^\W\d_]+)*\.?")
_DIGIT = re.compile(r"\d")
_SURNAME_FIRST = re.compile(
    r"(?<![^\W\d_])((?:[^\W\d_a-zß-ÿ]{2,}(?:['’\-][^\W\d_a-zß-ÿ]+)*[ \t]?){1,3}),[ \t]+"
    r"([^\W\d_][^\W\d_'’\-]*(?:[ \t\-][^\W\d_][^\W\d_'’\-]*){0,2})")
_GREETING = re.compile(r"(?<![\w])(?:Dear|Hello|Hi|Bonjour|Bonsoir|Cher|Ch[eè]re|Salut)(?=[ \t])")
_COLON = re.compile(r"[ \t]*[:：][ \t]*(?=\S)")
_LABEL_START = re.compile(r"(?:^|[\n.;!?|•])[ \t]*(?=[^\n.;!?|•:]*$)")
_CAPS_LABELLED = re.compile(r"(?m)^[ \t]*([^\W\d][^\n]{0,40}?)[ \t]+([^\W\d_][^\W\d_'’\- ]+)$")
_VALUE_END = re.compile(r"[,;(\[|/•·]|\s[-–—]\s|\s{3,}")


def _labelled_values(text: str) -> Iterator[tuple[int, str]]:
    """(offset, rest of line) after a person label: "Client : …", "Emergency contact: …",
    "Surname/Nom TREMBLAY" (a form without colons, value in capitals)."""
    for m in _COLON.finditer(text):
        head = text[max(0, m.start() - 50):m.start()]
        at = _LABEL_START.search(head)
        label = head[at.end():] if at else head
        if not label.strip() or not (is_name_field(label) or _is_line_label(label)):
            continue
        line_end = text.find("\n", m.end())
        yield m.end(), text[m.end():line_end if line_end >= 0 else len(text)]
    for m in _CAPS_LABELLED.finditer(text):
        if m.group(2).isupper() and is_name_field(m.group(1)):
            yield m.start(2), m.group(2)


_LETTERS = re.compile(r"[^\W\d_]+")
_FIELD_PATH = re.compile(r"[./\\\]\[$]+")  # "donor.name", "rows[0]/nom"
_CAMEL = re.compile(r"([a-z])([A-Z])")


def _words(text: str) -> list[str]:
    return [fold(w) for w in _LETTERS.findall(text)]


@functools.lru_cache(maxsize=4096)  # asked for every cell of a table: headers repeat
def is_name_field(field: str | None) -> bool:
    """Whether a column header, key or label names people ("Nom de famille", "donor.name")."""
    if not field:
        return False
    last = _FIELD_PATH.split(field.strip())[-1] or field
    last = _CAMEL.sub(r"\1 \2", last)  # firstName → first Name
    words = _words(last)
    if not words or len(words) > 6:
        return False
    if any(w in _NOT_PERSON_FIELD for w in words):
        return False
    joined = "".join(words)
    return any(w in _PERSON_FIELD for w in words) or joined in _PERSON_FIELD


@_per_word  # the same few words before every colon
def _is_line_label(label: str) -> bool:
    words = _words(label)
    return 0 < len(words) <= 2 and all(w in _LINE_LABEL for w in words)


@_per_word
def _is_name_word(word: str, first: bool) -> bool:
    """A capitalised word that may be part of a name (particles only inside)."""
    f = fold(word.rstrip("."))
    if f in _PARTICLES and not first:
        return True
    if not word[:1].isupper():
        return False
    if f in _NOT_NAME or _is_cue(word.rstrip(".")):
        return False
    return True


@_per_word  # the same names come back in every row and mention
def looks_like_name(text: str, max_words: int = 5) -> bool:
    """1–5 capitalised words of letters (apostrophes, hyphens, initials), no digits, no org/place cue."""
    if _DIGIT.search(text) or any(c in text for c in "@#/_=+*<>{}[]|\\%$€&"):
        return False
    words = _WORD.findall(text.replace(",", " "))
    if not words or len(words) > max_words:
        return False
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or letters < 0.75 * len(text.replace(" ", "").replace(",", "")):
        return False
    if any(_is_cue(w.strip(".")) for w in words):
        return False
    capitalised = [w for w in words if w[:1].isupper()]
    if not capitalised or any(not w[:1].isupper() and fold(w) not in _PARTICLES for w in words):
        return False
    if all(fold(w.strip(".")) in _NOT_NAME for w in capitalised):
        return False
    # at least one real word, not only initials
    return any(len(w.strip(".")) >= 2 for w in capitalised)


# Cues whose accent-free form is a common surname ("côte" hill, Côté).
_ACCENTED_CUES = frozenset({"côte", "côtes"})


@_per_word
def _is_cue(word: str) -> bool:
    return fold(word) in _ORG_PLACE or word.lower() in _ACCENTED_CUES


_CLAUSE_BREAK = re.compile(r"[\n,;:()\[\]\"«»!?]|\.\s")


def _org_before(text: str, start: int) -> bool:
    """An org/place cue among the (up to 3) words just before, on the same line, no
    punctuation between: "Fondation Marie-Vincent", "rue Saint-Denis". Cues other than
    street types count only capitalised ("par le groupe" is not "Groupe").""" 
    before = text[max(0, start - 60):start]
    before = _CLAUSE_BREAK.split(before)[-1]
    for w in _LETTERS.findall(before)[-3:]:
        f = fold(w)
        if f in _STREET or w.lower() in _ACCENTED_CUES or (f in _ORG_PLACE and w[:1].isupper()):
            return True
    return False


def _veto(label: str, value: str) -> bool:
    """Whether NER calling `value` a `label` outweighs its name shape.

    Places are trusted ("Sri Lanka"). ORG and FAC are what the small models
    call names they never saw ("Hoàng Đức Anh" → FAC): trusted only when a
    word of the span is a dictionary word ("Maple Leaf").
    """
    if label in ("GPE", "LOC"):
        return True
    return any(_is_common(w) for w in _WORD.findall(value))


def _org_after(text: str, end: int) -> bool:
    """An org/place cue right after the span: "Harbourfront Centre", "Jean-Talon Street"."""
    m = _WORD_AFTER.match(text, end, end + 30)
    return bool(m) and _is_cue(m.group(1))


_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_]+)")


_DATE_AFTER = re.compile(r",?[ \t]+(?:le[ \t]+)?(?:\d|(?:%s)\b)" % "|".join(
    "january february march april may june july august september october november december "
    "janvier fevrier février mars avril mai juin juillet aout août septembre octobre novembre "
    "decembre décembre".split()), re.I)


def _dateline(text: str, start: int, end: int) -> bool:
    """'Hamilton, March 3, 2025' or 'Laval, le 3 mars': the place a letter is written from."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and bool(_DATE_AFTER.match(text, end))


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    score: float
    strong: bool  # came from a field, title or label: NER's other labels don't veto it


class PersonDetector:
    """Person names: name columns, labels, titles, surname-first, spaCy NER (en, fr)."""

    name = "person"
    entity = EntityType.PERSON
    entities = (EntityType.PERSON,)
    keywords: tuple[str, ...] = ()  # runs its own prefilter: any capitalised word
    wants_prior_matches = True
    context = ("name", "nom", "prénom", "client", "cliente", "participant", "donor",
               "donateur", "bénéficiaire", "employee", "employé", "candidat", "contact",
               "dear", "cher", "chère", "bonjour", "signed", "signé", "née", "born")
    examples = {
        "Rencontre avec Mme Nguyễn Thị Lan ce matin.": True,
        "Client: TREMBLAY, Marie-Ève": True,
        "Dear Mr. Abdirahman Warsame,": True,
        "Yonas Tesfay Gebremedhin met the caseworker on Monday.": True,
        "MARIE-ÈVE TREMBLAY\n514-555-0134": True,
        "Invoice INV-2024-00123, reference 046454286.": False,
        "Le dossier a été transmis à la Ville de Montréal.": False,
        "Banque Nationale, 600 rue Saint-Denis, Montréal": False,
        "Services Québec": False,
    }

    def __init__(self, batch_size: int = nlp.BATCH_SIZE):
        self.batch_size = batch_size

    def warm_up(self) -> None:
        """Load the spaCy pipelines and word lists now (seconds each), not on the first name.

        A process pool calls this before it forks, so its workers share one copy.
        """
        for language in nlp.PIPELINES:
            try:
                nlp.pipeline(language)
            except nlp.PipelineMissing:
                pass  # reported when a text in that language needs it
        nlp.common_words()

    # -- the detector protocol ------------------------------------------------
    def detect(self, segment: Segment) -> Iterator[Match]:
        for matches in self.detect_many([segment]):
            yield from matches

    def detect_many(self, segments: Sequence[Segment],
                    prior: Sequence[Sequence[Match]] | None = None) -> Iterator[list[Match]]:
        """One list of matches per segment; NER runs once per language over the batch."""
        candidates: list[list[_Candidate]] = [[] for _ in segments]
        pieces: dict[str, list[tuple[int, int, str, bool]]] = {}  # lang -> (seg, offset, text, caps)
        for i, seg in enumerate(segments):
            text = seg.text
            if not _may_hold_name(text):
                continue
            if is_name_field(seg.field):
                candidates[i].extend(self._field_cell(text))
                continue
            if _is_non_person_field(seg.field):
                continue
            rules = list(self._rules(text))
            candidates[i].extend(rules)
            settled = [(c.start, c.end) for c in rules if c.strong]
            windows = _ner_windows(text, settled)
            if not windows and not _has_caps_word(text):
                continue  # nothing NER could add: no language to guess either
            for offset, piece, lang in _pieces(text, seg.language):
                # windows never cross a paragraph break, so each lies in one piece
                for s, e in windows:
                    if offset <= s < offset + len(piece):
                        pieces.setdefault(lang, []).append((i, s, text[s:e], False))
                for s, recased in _caps_windows(piece):
                    pieces.setdefault(lang, []).append((i, offset + s, recased, True))
        vetoes: list[list[tuple[int, int, str]]] = [[] for _ in segments]
        for lang, items in pieces.items():
            texts = [t for _, _, t, _ in items]
            for (i, offset, piece, caps), spans in zip(items, nlp.ner(texts, lang, self.batch_size)):
                for sp in spans:
                    start, end = offset + sp.start, offset + sp.end
                    if sp.label in nlp.LABELS:
                        nlp.entity_for(sp.label)  # loud if the mapping ever changes
                        if caps and not _in_caps(segments[i].text, start, end):
                            continue
                        candidates[i].extend(self._from_ner(segments[i].text, start, end, caps))
                    elif (sp.label in nlp.NOT_PERSON_LABELS and not caps
                          and not _in_caps(segments[i].text, start, end)):
                        vetoes[i].append((start, end, sp.label))
        for i, seg in enumerate(segments):
            if not candidates[i]:  # no name to resolve (most table cells): no mention of one either
                yield []
                continue
            taken = [(m.start, m.end) for m in (prior[i] if prior else ())
                     if m.entity_type is not EntityType.PERSON]
            yield self._resolve(seg.text, candidates[i], vetoes[i], taken)

    # -- signals ----------------------------------------------------------------
    def _field_cell(self, text: str) -> Iterator[_Candidate]:
        stripped = text.strip()
        start = text.find(stripped)
        if looks_like_name(stripped, max_words=6):
            yield _Candidate(start, start + len(stripped), SCORE_FIELD, True)
            return
        # "TREMBLAY, Marie; GAGNON, Luc": several people in one cell
        for m in _SURNAME_FIRST.finditer(text):
            if looks_like_name(m.group(0)):
                yield _Candidate(m.start(), m.end(), SCORE_FIELD, True)

    def _rules(self, text: str) -> Iterator[_Candidate]:
        for m in _TITLE.finditer(text):
            span = _name_after(text, m.end())
            if span:
                yield _Candidate(*span, SCORE_TITLE, True)
        for m in _GREETING.finditer(text):
            span = _name_after(text, m.end())
            if span:
                several = " " in text[span[0]:span[1]].strip()
                yield _Candidate(*span, SCORE_LABEL if several else SCORE_GUESS, several)
        for m in _SURNAME_FIRST.finditer(text):
            value = m.group(0)
            if (m.group(1).isupper() and looks_like_name(value) and fold(m.group(2).split()[0]) not in _NOT_NAME
                    and not _org_before(text, m.start())):
                yield _Candidate(m.start(), m.end(), SCORE_SURNAME_FIRST, False)
        for start, value in _labelled_values(text):
            surname_first = _SURNAME_FIRST.match(value)
            if surname_first and looks_like_name(surname_first.group(0)):
                yield _Candidate(start, start + surname_first.end(), SCORE_LABEL, True)
                continue
            cut = _VALUE_END.search(value)
            value = (value[:cut.start()] if cut else value).rstrip(" .\t")
            if looks_like_name(value, max_words=5):
                yield _Candidate(start, start + len(value), SCORE_LABEL, True)
        yield from _unknown_capitalised(text)

    def _from_ner(self, text: str, start: int, end: int, caps: bool) -> Iterator[_Candidate]:
        # spaCy spans may run over a line break ("Marie Tremblay\nDirectrice"):
        # keep the line with the most words, the first on a tie.
        parts = list(_split_lines(text, start, end))
        if len(parts) > 1:
            parts = [max(parts, key=lambda p: (len(text[p[0]:p[1]].split()), -p[0]))]
        for part_start, part_end in parts:
            span = _trim(text, part_start, part_end)
            if span is None:
                continue
            s, e, titled = span
            s, e = _extend(text, s, e)
            score = SCORE_CAPS_NER if caps else (SCORE_NER_CONTEXT if titled else SCORE_NER)
            yield _Candidate(s, e, score, titled)

    # -- resolution -------------------------------------------------------------
    def _resolve(self, text: str, cands: list[_Candidate], vetoes: list[tuple[int, int, str]],
                 taken: list[tuple[int, int]]) -> list[Match]:
        matches = list(self._accept(text, cands, vetoes, taken))
        spans = [(m.start, m.end) for m in matches]
        again = list(_mentions(text, spans))
        if again:
            matches.extend(self._accept(text, again, vetoes, taken + spans))
            matches.sort(key=lambda m: m.start)
        return matches

    def _accept(self, text: str, cands: list[_Candidate], vetoes: list[tuple[int, int, str]],
                taken: list[tuple[int, int]]) -> Iterator[Match]:
        merged: list[list[float]] = []  # [start, end, score, strong]
        for c in sorted(cands, key=lambda c: (c.start, -c.end)):
            if merged and c.start < merged[-1][1]:
                last = merged[-1]
                last[1] = max(last[1], c.end)
                last[2] = max(last[2], c.score)
                last[3] = max(last[3], float(c.strong))
            else:
                merged.append([c.start, c.end, c.score, float(c.strong)])
        for s_f, e_f, score, strong in merged:
            s, e = int(s_f), int(e_f)
            while e - s > 2 and text[e - 1] == "." and text[e - 3:e - 1].isalpha():
                e -= 1  # a sentence-final period, not an initial's
            value = text[s:e]
            if not looks_like_name(value, max_words=6):
                continue
            if any(s < te and ts < e for ts, te in taken):
                continue
            if (s and (text[s - 1].isalnum() or text[s - 1] == "<")) or (
                    e < len(text) and (text[e].isalnum() or text[e] == "<")):
                continue  # part of a code ("BX123456") or of a passport's MRZ
            if (_CODE_EDGE_AFTER.match(text, e, e + 2)
                    or (s >= 2 and _CODE_EDGE_BEFORE.match(text, s - 2, s))):
                continue  # "FAC-2023-0742"
            if _org_after(text, e) or _dateline(text, s, e):
                continue
            if not strong:
                if _org_before(text, s):
                    continue
                if " " not in value.strip() and _is_common(value):
                    continue  # "Trésorier", "EDUCATION": one dictionary word alone
                if any(2 * (min(e, ve) - max(s, vs)) >= e - s and _veto(label, value)
                       for vs, ve, label in vetoes):
                    continue
            yield Match(EntityType.PERSON, s, e, score, self.name, value)


_CODE_EDGE_AFTER = re.compile(r"[-/]\d")
_CODE_EDGE_BEFORE = re.compile(r"\d[-/]")


# -- helpers ----------------------------------------------------------------------

def _is_common(word: str) -> bool:
    """A dictionary word of English or French (every part of a hyphenated one)."""
    return _common_in(word, nlp.common_words())


@_per_word  # keyed by the lexicon too; a lookup hashes each part with blake2b
def _common_in(word: str, words: Lexicon) -> bool:
    parts = [p for p in _WORD_PARTS.split(word.lower().rstrip(".")) if p]
    return bool(parts) and all(_in_lexicon(p, words) for p in parts)


_WORD_PARTS = re.compile(r"['’\-]")


def _in_lexicon(w: str, words: Lexicon) -> bool:
    return (w in words or (w.endswith("s") and w[:-1] in words)
            or (w.endswith("es") and w[:-2] in words) or (w.endswith("e") and w[:-1] in words))


def _unknown_capitalised(text: str) -> Iterator[_Candidate]:
    """Runs of 2–4 capitalised words, one of them not a dictionary word: names NER
    missed ("led by Hoàng Đức Anh"). Weak: NER's ORG/LOC and cue words veto them."""
    if not nlp.common_words():
        return
    run: list[re.Match[str]] = []

    def flush() -> Iterator[_Candidate]:
        while run and fold(run[-1].group()) in _PARTICLES:
            run.pop()
        names = [w for w in run if fold(w.group()) not in _PARTICLES]
        if 2 <= len(names) <= 4 and not all(_is_common(w.group()) for w in names):
            yield _Candidate(run[0].start(), run[-1].end(), SCORE_GUESS, False)

    prev_end = -1
    for m in _WORD.finditer(text):
        word = m.group()
        inside, first, restart = _run_word(word)
        joined = prev_end >= 0 and text[prev_end:m.start()] in (" ", "\t")
        ok = inside if run else first
        if ok and (joined or not run) and not (word.endswith(".") and len(word) > 2 and run == []):
            run.append(m)
        else:
            if run:  # flush() of no run yields nothing
                yield from flush()
            run = [m] if restart else []
        prev_end = m.end()
        if word.endswith(".") and len(word) > 2:  # a sentence ends
            if run:
                yield from flush()
            run, prev_end = [], -1
    yield from flush()


@_per_word
def _run_word(word: str) -> tuple[bool, bool, bool]:
    """For `_unknown_capitalised`: whether `word` may go on a run, start one, and start
    one after a break (there the stop word test takes the word with its period)."""
    stop = _stop_words()
    bare = word.lower().rstrip(".") not in stop
    return (_is_name_word(word, first=False) and bare, _is_name_word(word, first=True) and bare,
            _is_name_word(word, first=True) and word.lower() not in stop)


def _mentions(text: str, found: list[tuple[int, int]]) -> Iterator[_Candidate]:
    """Later mentions of part of a name found in the same text ("Mounir" after "Mounir Boubou")."""
    if not found:
        return
    covered = list(found)
    for full in {text[s:e] for s, e in found if " " in text[s:e]}:
        at = text.find(full)
        while at >= 0:  # not re.finditer(re.escape(full)): a compile per name thrashes re's cache
            end = at + len(full)
            if not any(s < end and at < e for s, e in covered):
                covered.append((at, end))
                yield _Candidate(at, end, SCORE_MENTION, False)
            at = text.find(full, end)
    found = covered
    parts: set[str] = set()
    for s, e in found:
        for w in _WORD.findall(text[s:e]):
            w = w.rstrip(".")
            if len(w) >= 3 and w[:1].isupper() and fold(w) not in _PARTICLES:
                parts.add(w)
    if not parts:
        return
    for m in _WORD.finditer(text):
        w = m.group().rstrip(".")
        if w not in parts or any(s <= m.start() < e for s, e in found):
            continue
        if _starts_sentence(text, m.start()) and _is_common(w):
            continue  # "Grâce à vous" is not Grâce Mbala
        yield _Candidate(m.start(), m.start() + len(w), SCORE_MENTION, False)


def _may_hold_name(text: str) -> bool:
    """Cheap prefilter: a capitalised word of two letters or more."""
    return any(m.group()[0].isupper() for m in _LETTERS2.finditer(text, 0, 20000))


_LETTERS2 = re.compile(r"[^\W\d_]{2,}")


@functools.lru_cache(maxsize=4096)
def _is_non_person_field(field: str | None) -> bool:
    """Columns that hold places, contacts or identifiers: no NER there."""
    if not field:
        return False
    words = _words(_FIELD_PATH.split(field.strip())[-1] or field)
    descriptive = {"note", "notes", "comment", "comments", "commentaire", "commentaires",
                   "description", "body", "text", "texte", "message", "details", "remarques",
                   "observations", "resume", "summary"}
    if any(w in descriptive for w in words):
        return False
    return any(w in _NOT_PERSON_FIELD for w in words)


def _pieces(text: str, language: str | None) -> Iterator[tuple[int, str, str]]:
    """(offset, text, language) to run NER on: per paragraph run when the text is long."""
    lang = language if language in nlp.PIPELINES else "en"
    if len(text) < MIN_SPLIT_CHARS or "\n" not in text:
        yield 0, text, lang
        return
    for run in language_runs(text, default=lang):
        yield run.start, text[run.start:run.end], run.language


# -- where NER is worth running ------------------------------------------------------

# Words each side of an open question. The pipelines' token vectors see 4 tokens
# each side (a window-1 CNN, 4 layers deep), so 5 words read the open word and
# its neighbour (a two-word name) exactly as in the whole text. 8 cost 23% more
# NER text for the same PERSON scores on the benchmark corpora (issue 9 note).
NER_WINDOW = 5


def _is_open(text: str, start: int, end: int) -> bool:
    """A capitalised word that may belong to a name no rule has settled.

    Stop words, headings and cue words are not ("The", "Objet", "Centre"), nor
    words in capitals ("NAS", "FORMULAIRE");
    a dictionary word opening a sentence is not ("Yesterday", "Program");
    a word glued to digits is a code ("INV-2024"); one next to an organisation
    or street word is part of its name ("McGill University", "rue Saint-Denis").
    """
    word = text[start:end].rstrip(".")
    if not _open_word(word):
        return False
    if (start and text[start - 1].isdigit()) or _CODE_AFTER.match(text, end):
        return False
    if _starts_sentence(text, start) and _is_common(word):
        return False
    if _dateline(text, start, end):  # "Drummondville, le 19 janvier": where a letter is from
        return False
    # next to an organisation or street word: what is found there is rejected anyway
    return not (_org_after(text, end) or _org_before(text, start))


@_per_word
def _open_word(word: str) -> bool:
    """`_is_open`'s test of the word alone, before its context."""
    if len(word) < 2 or not word[:1].isupper() or word.isupper():
        return False  # ALL CAPS: the models see nothing there; the recased pass reads it
    return not (word.lower() in _stop_words() or fold(word) in _NOT_NAME or _is_cue(word))


_CODE_AFTER = re.compile(r"[-/]?\d")


def _starts_sentence(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


def _windows(text: str, words: Sequence[tuple[int, int]], keys: Iterable[int],
             width: int = NER_WINDOW) -> list[tuple[int, int]]:
    """Merged stretches of `width` words each side of the words at `keys`, within their
    paragraph (an address or a wrapped line keeps the context NER needs)."""
    breaks = [m.span() for m in _PARAGRAPH_BREAK.finditer(text)]
    out: list[tuple[int, int]] = []
    for k in keys:
        s, e = words[k]
        at = bisect.bisect_left(breaks, (s, s))
        para_start = breaks[at - 1][1] if at else 0
        para_end = breaks[at][0] if at < len(breaks) else len(text)
        lo = max(words[max(0, k - width)][0], para_start)
        hi = min(words[min(len(words) - 1, k + width)][1], para_end)
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n+")  # as language.language_runs splits


def _ner_windows(text: str, settled: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of `text` NER should read: around open capitalised words outside
    the spans rules already settled (titles, labels). Most prose lines hold none."""
    words = [m.span() for m in _WORD.finditer(text)]
    keys = (k for k, (s, e) in enumerate(words)
            if text[s].isupper()  # what _is_open asks first, without a call
            and not (settled and any(a <= s < b for a, b in settled)) and _is_open(text, s, e))
    return _windows(text, words, keys)


def _has_caps_word(text: str) -> bool:
    return any(len(w) >= 2 and w.isupper() for w in _WORD.findall(text))


def _caps_windows(text: str) -> list[tuple[int, str]]:
    """(offset, title-cased copy) of the stretches around ALL-CAPS runs, for a second NER pass.

    In capitals, capitalisation says nothing: a run is read only if one of its
    words, title-cased, is open and not a dictionary word ("MARIE-ÈVE
    TREMBLAY" is; "DROP-IN CHILDCARE FORM" and "INV-2025-0042" are not).
    """
    runs = _caps_runs(text)
    recased = _recase_caps(text, runs)
    if recased is None:
        return []
    runs = runs or [(0, len(text))]
    words = [m.span() for m in _WORD.finditer(text)]
    keys = [k for k, (s, e) in enumerate(words) if any(a <= s < b for a, b in runs)
            and text[s:e].isupper() and _is_open(recased, s, e) and not _is_common(recased[s:e])]
    return [(s, recased[s:e]) for s, e in _windows(text, words, keys)]


def _caps_runs(text: str) -> list[tuple[int, int]]:
    """Stretches of two or more ALL-CAPS words ("MARIE-ÈVE TREMBLAY")."""
    runs: list[tuple[int, int]] = []
    cur: list[int] | None = None
    for m in _WORD.finditer(text):
        w = m.group().rstrip(".")
        caps = len(w) >= 2 and w.isupper()
        if caps and cur is not None and text[cur[1]:m.start()] in (" ", "\t", " - "):
            cur[1] = m.end()
            cur[2] += 1
        elif caps:
            if cur is not None and cur[2] >= 2:
                runs.append((cur[0], cur[1]))
            cur = [m.start(), m.end(), 1]
        else:
            if cur is not None and cur[2] >= 2:
                runs.append((cur[0], cur[1]))
            cur = None
    if cur is not None and cur[2] >= 2:
        runs.append((cur[0], cur[1]))
    return runs


def _recase_caps(text: str, runs: list[tuple[int, int]]) -> str | None:
    """A copy with ALL-CAPS runs (`_caps_runs(text)`) title-cased, same length, or None
    if there are none."""
    whole = text.strip()
    if not runs and not (whole.isupper() and len(whole) >= 4):
        return None
    chars = list(text)
    for s, e in runs or [(0, len(text))]:
        for m in _WORD.finditer(text, s, e):
            w = m.group()
            titled = _title_word(w)
            if len(titled) == len(w):
                chars[m.start():m.end()] = titled
    out = "".join(chars)
    return out if out != text else None


@_per_word
def _title_word(word: str) -> str:
    """An ALL-CAPS word title-cased, each part of a compound too: "MARIE-ÈVE" → "Marie-Ève"."""
    return _AFTER_JOINER.sub(lambda x: x.group(1).upper(), word[:1] + word[1:].lower())


_AFTER_JOINER = re.compile(r"(?<=['’\-])(\w)")


def _in_caps(text: str, start: int, end: int) -> bool:
    piece = text[start:end]
    letters = [c for c in piece if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_BLANKS = re.compile(r"[ \t]+")


def _name_after(text: str, pos: int) -> tuple[int, int] | None:
    """The name-shaped words right after a title, on the same line."""
    m = _BLANKS.match(text, pos)
    if not m:
        return None
    start = m.end()
    end = start
    count = 0
    for w in _WORD.finditer(text, start):
        if w.start() != end and text[end:w.start()] not in (" ", "\t"):
            break
        word = w.group()
        if not _is_name_word(word, first=count == 0):
            break
        end = w.end()
        count += 1
        if count == 4 or (word.endswith(".") and len(word) > 2):
            break  # a sentence ends here; "J." is an initial
    # trailing particles ("de") are not part of a name
    value = text[start:end]
    while count and value.split()[-1].lower() in _PARTICLES:
        value = value.rsplit(" ", 1)[0] if " " in value else ""
        end = start + len(value)
        count -= 1
    if not count:
        return None
    end = start + len(text[start:end].rstrip("."))  # sentence-final period
    if end - start < 2:
        return None
    return start, end


def _split_lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    at = text.find("\n", start, end)
    while at >= 0:
        yield pos, at
        pos = at + 1
        at = text.find("\n", pos, end)
    yield pos, end


_TITLE_BEFORE = re.compile(
    r"(?:M\.|Mme|Mlle|Dre?\.?|Mrs?\.?|Ms\.?|Me|Pr\.?|Madame|Monsieur)[ \t]+$")
_POSSESSIVE = re.compile(r"['’]s$")


def _trim(text: str, start: int, end: int) -> tuple[int, int, bool] | None:
    """Drop titles, possessives and stray words at the edges; say if a title was there."""
    titled = False
    m = _TITLE.match(text, start)
    if m and m.end() < end:
        titled = True
        start = m.end()
    else:
        before = text[max(0, start - 15):start]
        titled = bool(_TITLE_BEFORE.search(before))
    while start < end and not text[start].isalpha():
        start += 1
    span = text[start:end]
    span = _POSSESSIVE.sub("", span)  # Marie's
    span = span.rstrip(" \t.,;:'’-")
    end = start + len(span)
    words = list(_WORD.finditer(text, start, end))
    # drop leading and trailing words that cannot be part of a name
    while words and not _is_name_word(words[0].group(), first=True):
        words.pop(0)
    while words and not _is_name_word(words[-1].group(), first=False):
        words.pop()
    while words and fold(words[-1].group()) in _PARTICLES:
        words.pop()
    if not words:
        return None
    return words[0].start(), len(text[:words[-1].end()].rstrip(".")), titled


_WORD_BEFORE = re.compile(r"([^\W\d_]+(?:['’\-][^\W\d_]+)*)[ \t]$")
_NAME_WORD_AFTER = re.compile(r"[ \t]([^\W\d_]+(?:['’\-][^\W\d_]+)*)")


def _extend(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in name words NER left out next to its span ("Nguyễn" + "Thị Lan")."""
    while True:
        m = _WORD_BEFORE.search(text[max(0, start - 40):start])
        if not m:
            break
        word = m.group(1)
        w_start = start - len(m.group(0))
        if not word[:1].isupper() or not _is_name_word(word, first=True):
            break
        if _starts_sentence(text, w_start) and fold(word) in _NOT_NAME:
            break
        start = w_start
    while True:
        m = _NAME_WORD_AFTER.match(text[end:end + 40])
        if not m or not m.group(1)[:1].isupper() or not _is_name_word(m.group(1), first=False):
            break
        end += m.end()
    return start, end


def names_in(texts: Iterable[str], language: str = "en") -> list[list[str]]:
    """The person names found in each text (a convenience for notebooks and tests)."""
    det = PersonDetector()
    segs = [Segment(t, "<text>", language=language) for t in texts]
    return [[m.text for m in ms] for ms in det.detect_many(segs)]
