"""Precision, recall and F1 per entity type, and hard negatives reported.

Matching rules (benchmarks/README.md says the same):
- A prediction can only match a gold label of the same entity type in the
  same location (file, or archive member); each gold label matches at most
  one prediction, so a value written twice must be found twice.
- Values are compared normalised: digits and letters only, upper-cased,
  accents removed (phone numbers: digits, without a leading country code 1;
  emails: lower-cased).
- A match is an equal normalised value, or one containing the other when
  the shorter is at least 80 % of the longer ("SIN 130692544" for
  "130692544"). PASSPORT: a prediction containing the number also matches
  (an MRZ line holds it).
- PERSON: the folded token sets ("TREMBLAY, Marie" → {marie, tremblay})
  have a Jaccard similarity of at least 0.5 ("Marie Tremblay" matches
  "Tremblay, Marie"; "Marie" alone does not match "Marie-Ève Tremblay Roy").
- A prediction that matches no gold label is a false positive of its type.
  If it also covers a hard negative in that location (same digits, or
  token-set containment for names of organisations, streets and places),
  that hard negative counts as reported. Predictions of types outside the
  gold types are not scored, but still count against hard negatives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from benchmarks.corpus import Label

HARD_NEGATIVE = "HARD_NEGATIVE"
# Presidio types that name what a hard negative *is* (a place, an organisation):
# reporting them is not a false alarm of personal information.
DESCRIPTIVE = frozenset({"LOCATION", "ORGANIZATION", "NRP", "URL"})


@dataclass(frozen=True, slots=True)
class Prediction:
    location: str
    entity_type: str
    value: str


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def norm(entity: str, value: str) -> str:
    if entity == "EMAIL_ADDRESS":
        return value.strip().lower()
    if entity == "PHONE_NUMBER":
        d = re.sub(r"\D", "", value)
        return d[1:] if len(d) == 11 and d.startswith("1") else d
    return re.sub(r"[^0-9a-z]", "", fold(value)).upper()


def tokens(value: str) -> frozenset[str]:
    return frozenset(t for t in re.split(r"[\s,;:()<]+", fold(value)) if t and t not in {".", "-"})


def same_value(entity: str, pred: str, gold: str) -> bool:
    if entity == "PERSON":
        a, b = tokens(pred), tokens(gold)
        return bool(a and b) and len(a & b) / len(a | b) >= 0.5
    p, g = norm(entity, pred), norm(entity, gold)
    if not p or not g:
        return False
    if p == g:
        return True
    if entity == "PASSPORT" and g in p:
        return True
    short, long_ = sorted((p, g), key=len)
    return short in long_ and len(short) >= 0.8 * len(long_)


def covers_negative(pred: str, negative: str) -> bool:
    pd, nd = re.sub(r"\D", "", pred), re.sub(r"\D", "", negative)
    if len(nd) >= 6 and len(pd) >= 6 and (pd in nd or nd in pd):
        return True
    if any(c.isalpha() for c in negative) and not nd:
        a, b = tokens(pred), tokens(negative)
        return bool(a and b) and (a <= b or b <= a)
    return False


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Score:
    per_type: dict[str, Counts]
    hard_negatives: dict[str, int]  # category -> how many were reported
    hard_negative_total: dict[str, int]
    false_positives: list[tuple[str, str, str]]  # (location, type, value) for inspection
    false_negatives: list[tuple[str, str, str]]

    def as_dict(self) -> dict[str, object]:
        return {"per_type": {k: v.as_dict() for k, v in sorted(self.per_type.items())},
                "hard_negatives_reported": dict(sorted(self.hard_negatives.items())),
                "hard_negatives_total": dict(sorted(self.hard_negative_total.items()))}


def languages_of(gold: Iterable[Label]) -> dict[str, str]:
    """Each location's main language, to file a false positive under PERSON_en or _fr."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for lab in gold:
        votes[lab.location][lab.language] += 1
    return {loc: c.most_common(1)[0][0] for loc, c in votes.items()}


def score(gold: Iterable[Label], predictions: Iterable[Prediction],
          split_language: tuple[str, ...] = ("PERSON",)) -> Score:
    """Match predictions to gold labels; PERSON is also scored per language."""
    gold = list(gold)
    lang_of = languages_of(gold)
    types = {g.entity_type for g in gold if g.entity_type != HARD_NEGATIVE}
    by_key: dict[tuple[str, str], list[Label]] = defaultdict(list)
    negatives: dict[str, list[Label]] = defaultdict(list)
    for g in gold:
        if g.entity_type == HARD_NEGATIVE:
            negatives[g.location].append(g)
        else:
            by_key[(g.location, g.entity_type)].append(g)
    preds_by_key: dict[tuple[str, str], list[Prediction]] = defaultdict(list)
    for p in predictions:
        preds_by_key[(p.location, p.entity_type)].append(p)

    counts: dict[str, Counts] = defaultdict(Counts)
    fps: list[tuple[str, str, str]] = []
    fns: list[tuple[str, str, str]] = []
    reported: set[int] = set()

    def bucket(entity: str, lang: str) -> list[str]:
        return [entity, f"{entity}_{lang}"] if entity in split_language else [entity]

    for key in set(by_key) | set(preds_by_key):
        location, entity = key
        golds, preds = by_key.get(key, []), preds_by_key.get(key, [])
        used = [False] * len(golds)
        unmatched: list[Prediction] = []
        # Exact normalised matches first, so a loose match cannot steal a label.
        for exact in (True, False):
            left = []
            for p in (preds if exact else unmatched):
                pn = norm(entity, p.value)
                hit = next((i for i, g in enumerate(golds) if not used[i] and (
                    pn == norm(entity, g.value) if exact
                    else same_value(entity, p.value, g.value))), None)
                if hit is None:
                    left.append(p)
                else:
                    used[hit] = True
                    for b in bucket(entity, golds[hit].language):
                        counts[b].tp += 1
            unmatched = left
        for i, g in enumerate(golds):
            if not used[i]:
                for b in bucket(entity, g.language):
                    counts[b].fn += 1
                fns.append((location, entity, g.value))
        for p in unmatched:
            if entity in types:
                for b in bucket(entity, lang_of.get(location, "en")):
                    counts[b].fp += 1
                fps.append((location, entity, p.value))
            if entity in DESCRIPTIVE:
                continue
            for neg in negatives.get(location, ()):
                if covers_negative(p.value, neg.value):
                    reported.add(id(neg))
    for t in types:
        counts.setdefault(t, Counts())
        for lang in ("en", "fr"):
            if t in split_language:
                counts.setdefault(f"{t}_{lang}", Counts())
    hit_by_cat: Counter[str] = Counter()
    total_by_cat: Counter[str] = Counter()
    for negs in negatives.values():
        for n in negs:
            total_by_cat[n.kind] += 1
            if id(n) in reported:
                hit_by_cat[n.kind] += 1
    return Score(dict(counts), {k: hit_by_cat.get(k, 0) for k in total_by_cat},
                 dict(total_by_cat), fps, fns)


def summarize(rows: Mapping[str, Score]) -> dict[str, object]:
    return {name: s.as_dict() for name, s in rows.items()}
