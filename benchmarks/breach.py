"""Person-level accuracy of `piiscan breach`: linked individuals against a known truth.

    python benchmarks/breach.py [--people 300] [--seed 20261101] [--out benchmarks/out/breach.json]

1. generates a breach scope whose every value is placed for a known
   person: a participants export, a payroll export, case files in JSON
   ("TREMBLAY, Marie" with a date of birth), follow-up notes in prose
   ("Mme Tremblay (courriel) a appelé", lines naming two people, names
   alone), SIN-only tax slips, a newsletter list; households share one
   email address; some people share another's full name; a CRM export
   serves as --people;
2. scans it with the real engine and links it as `piiscan breach` does
   (piiscan.identity: scan_scope, load_people, link);
3. scores the clusters against the truth, over the findings that belong
   to a known person (a household's address in the newsletter list has
   no single owner and is left out):
   - B-cubed precision / recall / F1 (per finding: share of its cluster
     that is the same person / share of the person that is in its cluster;
     a finding left unattributed is a cluster of its own);
   - people split: persons whose findings end up in more than one cluster;
   - people merged: persons sharing a cluster with another person.
Target: B-cubed F1 ≥ 0.95 and no two people merged.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import values  # noqa: E402
from benchmarks.names import make_name  # noqa: E402

TARGET_F1 = 0.95


@dataclass
class Person:
    pid: int
    given: str
    family: str
    female: bool
    sin: str
    born: date
    phone: str
    email: str

    @property
    def full(self) -> str:
        return f"{self.given} {self.family}"


@dataclass
class Truth:
    """Who each placed value belongs to: (location, unit) → [(person, {canonical values}, name)]."""

    units: dict[tuple[str, str], list[tuple[int, set[str], str | None]]] = field(
        default_factory=lambda: defaultdict(list))
    ambiguous: set[tuple[str, str]] = field(default_factory=set)  # units with no single owner

    def add(self, location: str, unit: str, person: Person, *vals: str, name: str | None = None) -> None:
        self.units[(location, unit)].append((person.pid, {canon(v) for v in vals}, name))


def canon(value: str) -> str:
    if "@" in value:
        return value.strip().lower()
    digits = "".join(c for c in value if c.isdigit())
    return digits[-10:] if len(digits) == 11 and digits.startswith("1") else digits


def make_people(rng: random.Random, n: int) -> list[Person]:
    people = []
    for pid in range(n):
        name = make_name(rng)
        given, family = name.given, name.family
        people.append(Person(pid, given, family, name.female, values.sin(rng),
                             values.birth_date(rng), _phone(rng), values.email(rng, given, family)))
    # Households: pairs sharing a family name and one email address.
    for a, b in zip(people[0:n // 10:2], people[1:n // 10:2]):
        b.family = a.family
        a.email = b.email = f"famille.{_ascii(a.family)}.{a.pid}@example.net"
    # Namesakes: another person with the very same name, nothing else in common.
    for p in people[n // 10: n // 10 + n // 25]:
        other = people[rng.randrange(n // 5, n)]
        p.given, p.family = other.given, other.family
    return people


def _ascii(text: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum()).lower()


def _phone(rng: random.Random) -> str:
    area = rng.choice(values.AREA_CODES)
    return rng.choice((f"{area}-555-{rng.randint(100, 9999):04d}",
                       f"({area}) 555-{rng.randint(100, 9999):04d}"))


def title(p: Person) -> str:
    return "Mme" if p.female else "M."


def write_scope(root: Path, people: list[Person], rng: random.Random) -> tuple[Path, Path, Truth]:
    scope = root / "partage"
    for d in ("rh/releves", "suivi", "dossiers"):
        (scope / d).mkdir(parents=True, exist_ok=True)
    truth = Truth()

    def table(rel: str, header: list[str], rows: list[tuple[Person, list[str]]],
              kinds: list[str]) -> None:
        with open(scope / rel, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for n, (p, cells) in enumerate(rows, start=2):
                w.writerow(cells)
                ids = [c for c, k in zip(cells, kinds) if k == "id" and c]
                names = [c for c, k in zip(cells, kinds) if k == "name" and c]
                truth.add(rel, f"row:{n}", p, *ids, name=" ".join(names) or None)

    shuffled = people[:]
    rng.shuffle(shuffled)
    part = [p for p in shuffled if rng.random() < 0.6]
    table("participants.csv", ["nom", "prénom", "courriel", "nas", "date_naissance", "téléphone"],
          [(p, [p.family, p.given, p.email, p.sin, p.born.isoformat(), p.phone]) for p in part],
          ["name", "name", "id", "id", "id", "id"])
    staff = [p for p in shuffled if rng.random() < 0.3]
    table("rh/paie.csv", ["nom", "prénom", "nas", "date_naissance"],
          [(p, [p.family, p.given, p.sin, p.born.isoformat()]) for p in staff],
          ["name", "name", "id", "id"])

    # Case files: surname first, a date of birth, a phone; some with the SIN.
    cases = [p for p in shuffled if rng.random() < 0.3]
    docs = []
    for i, p in enumerate(cases):
        doc = {"client": f"{p.family.upper()}, {p.given}", "date_naissance": p.born.isoformat(),
               "téléphone": p.phone}
        ids = [p.born.isoformat(), p.phone]
        if rng.random() < 0.4:
            doc["nas"] = p.sin
            ids.append(p.sin)
        docs.append(doc)
        truth.add("dossiers/dossiers.json", f"$[{i}]", p, *ids, name=doc["client"])
    (scope / "dossiers" / "dossiers.json").write_text(json.dumps(docs, ensure_ascii=False, indent=1),
                                                      encoding="utf-8")

    # Follow-up notes: one line per person, the odd line naming two, some names alone.
    noted = [p for p in shuffled if rng.random() < 0.35]
    for f in range(0, len(noted), 12):
        rel = f"suivi/notes-{f // 12 + 1:02d}.txt"
        lines = ["Notes de suivi — équipe d'accueil", ""]
        for p in noted[f:f + 12]:
            kind = rng.random()
            if kind < 0.35:
                lines.append(f"{title(p)} {p.family} ({p.email}) a appelé au sujet de son dossier.")
                truth.add(rel, str(len(lines)), p, p.email, name=p.family)
            elif kind < 0.65:
                lines.append(f"{p.given} {p.family} — téléphone {p.phone}, rappel prévu jeudi.")
                truth.add(rel, str(len(lines)), p, p.phone, name=p.full)
            elif kind < 0.8:
                lines.append(f"{p.given} {p.family}, NAS {p.sin}, a déposé ses documents.")
                truth.add(rel, str(len(lines)), p, p.sin, name=p.full)
            elif kind < 0.9:
                lines.append(f"{p.given} {p.family} ({p.email}) a rencontré l'intervenante.")
                truth.add(rel, str(len(lines)), p, p.email, name=p.full)
                lines.append(f"Rappel : {p.given} {p.family} doit rapporter le formulaire signé.")
                truth.add(rel, str(len(lines)), p, name=p.full)  # the same person, by name alone
            else:
                q = rng.choice(noted)
                if q is p or q.full == p.full:
                    continue
                lines.append(f"Rencontre entre {p.given} {p.family} et {q.given} {q.family} hier.")
                truth.add(rel, str(len(lines)), p, name=p.full)
                truth.add(rel, str(len(lines)), q, name=q.full)
        (scope / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")

    # Tax slips that hold a SIN and nothing else.
    for p in (p for p in shuffled if rng.random() < 0.1):
        rel = f"rh/releves/releve-{p.pid:04d}.txt"
        (scope / rel).write_text(f"Relevé annuel 2025\nNAS : {p.sin}\nMontant : 12 400,00 $\n",
                                 encoding="utf-8")
        truth.add(rel, "2", p, p.sin)

    # A newsletter list: emails alone; a household's address belongs to nobody in particular.
    subscribers = [p for p in shuffled if rng.random() < 0.2]
    seen_emails: set[str] = set()
    rows = []
    for p in subscribers:
        if p.email in seen_emails:
            continue
        seen_emails.add(p.email)
        rows.append(p)
    with open(scope / "infolettre.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["courriel"])
        for n, p in enumerate(rows, start=2):
            w.writerow([p.email])
            if p.email.startswith("famille."):
                truth.ambiguous.add(("infolettre.csv", f"row:{n}"))
            else:
                truth.add("infolettre.csv", f"row:{n}", p, p.email)

    crm = root / "crm-participants.csv"
    with open(crm, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Nom", "Prénom", "Courriel", "NAS", "Date de naissance", "Téléphone"])
        for p in people:
            if rng.random() < 0.7:
                w.writerow([p.family, p.given, p.email, p.sin.replace(" ", ""), p.born.isoformat(),
                            p.phone])
    return scope, crm, truth


# -- scoring ------------------------------------------------------------------------

def unit_of(f: Any) -> str:
    if f.record and (f.pointer.row is not None or f.pointer.path is not None):
        return f.record
    return str((f.pointer.line or 1) + int(f.attributes.get("line_in_segment", "0")))


def owner(f: Any, truth: Truth) -> int | None:
    """The person a finding belongs to, or None (a detector's false positive, a household's)."""
    from piiscan.identity import names as nm
    from piiscan.model import EntityType

    key = (f.location, unit_of(f))
    if key in truth.ambiguous:
        return None
    placed = truth.units.get(key, [])
    if f.entity_type is EntityType.PERSON:
        tokens = set(nm.name_tokens(f.value or ""))
        hits = {pid for pid, _, name in placed if name and tokens and
                tokens <= set(nm.name_tokens(name)) | set(nm.name_tokens(name.replace(",", " ")))}
        if not hits:
            # "prénom" and "nom" cells: each is a part of the row's one name
            hits = {pid for pid, _, name in placed
                    if name and tokens & set(nm.name_tokens(name))}
    else:
        c = canon(f.attributes.get("raw_birth_date") or f.value or "")
        hits = {pid for pid, vals, _ in placed if c in vals}
    return next(iter(hits)) if len(hits) == 1 else None


def bcubed(pred: dict[int, Any], gold: dict[int, int]) -> dict[str, float]:
    """B-cubed over items present in both maps (item → cluster / item → person)."""
    by_pred: dict[Any, set[int]] = defaultdict(set)
    by_gold: dict[int, set[int]] = defaultdict(set)
    for item, person in gold.items():
        by_pred[pred[item]].add(item)
        by_gold[person].add(item)
    p = r = 0.0
    for item, person in gold.items():
        cluster, same = by_pred[pred[item]], by_gold[person]
        both = len(cluster & same)
        p += both / len(cluster)
        r += both / len(same)
    n = len(gold) or 1
    precision, recall = p / n, r / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    split = sum(len({pred[i] for i in items}) > 1 for items in by_gold.values())
    merged_clusters = [c for c, items in by_pred.items() if len({gold[i] for i in items}) > 1]
    merged_people = len({gold[i] for c in merged_clusters for i in by_pred[c]})
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "people": len(by_gold), "people_split": split, "people_merged": merged_people,
            "clusters_merging_people": len(merged_clusters)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=300, help="People in the generated scope.")
    ap.add_argument("--seed", type=int, default=20261101)
    ap.add_argument("--out", default="benchmarks/out/breach.json")
    ap.add_argument("--keep", help="Write the scope here and keep it (default: a temp dir).")
    args = ap.parse_args(argv)

    from piiscan.identity.link import link
    from piiscan.identity.people import load_people
    from piiscan.identity.scan import LineRedactor, breach_options, scan_scope
    from piiscan.registry import Registry

    rng = random.Random(args.seed)
    people = make_people(rng, args.people)
    with tempfile.TemporaryDirectory(prefix="piiscan-breach-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        scope, crm, truth = write_scope(root, people, rng)
        registry = Registry.from_entry_points()
        key = b"benchmark-key-not-secret-32bytes"
        options = breach_options(ocr=False)
        t0 = time.perf_counter()
        scanned = scan_scope(registry, key, options, [str(scope)])
        t1 = time.perf_counter()
        reference = load_people(crm, registry, LineRedactor(key))
        t2 = time.perf_counter()
        result = link(scanned.findings, reference)
        t3 = time.perf_counter()

    cluster_of: dict[int, Any] = {}
    for p in result.persons:
        for f in p.findings:
            cluster_of[id(f)] = p.individual_id
    gold: dict[int, int] = {}
    pred: dict[int, Any] = {}
    unowned = 0
    for f in scanned.findings:
        person = owner(f, truth)
        if person is None:
            unowned += 1
            continue
        gold[id(f)] = person
        pred[id(f)] = cluster_of.get(id(f), ("unattributed", id(f)))
    scores = bcubed(pred, gold)
    report = {
        "people_generated": args.people, "seed": args.seed,
        "people_in_scope": scores["people"], "individuals_reported": len(result.persons),
        "findings": len(scanned.findings), "findings_scored": len(gold),
        "findings_without_known_owner": unowned,
        "bcubed": scores, "target_f1": TARGET_F1,
        "meets_target": scores["f1"] >= TARGET_F1 and scores["people_merged"] == 0,
        "link_stats": vars(result.stats),
        "seconds": {"scan": round(t1 - t0, 2), "people_list": round(t2 - t1, 2),
                    "link": round(t3 - t2, 3)},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    s = scores
    print(f"breach linking, {scores['people']} people, {len(gold)} findings scored "
          f"({unowned} without a known owner)")
    print(f"  B-cubed precision {s['precision']:.4f}  recall {s['recall']:.4f}  F1 {s['f1']:.4f} "
          f"(target {TARGET_F1})")
    print(f"  people split {s['people_split']}, people merged {s['people_merged']} "
          f"({s['clusters_merging_people']} clusters)")
    print(f"  individuals reported {len(result.persons)}; scan {t1 - t0:.1f} s, "
          f"link {t3 - t2:.3f} s; written to {out}")
    return 0 if report["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
