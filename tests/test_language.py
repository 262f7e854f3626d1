"""Language per segment and per paragraph: French text must reach the French pipeline."""

from __future__ import annotations

import pytest

from piiscan.language import guess_language, language_runs


@pytest.mark.parametrize("text,expected", [
    ("Le client a été rencontré hier au bureau de l'organisme.", "fr"),
    ("The client was met yesterday at the office.", "en"),
    ("Bonjour Mme Nguyen, voici votre reçu officiel pour votre don.", "fr"),
    ("Dear Ms. Nguyen, please find your official receipt attached.", "en"),
    ("NOTE DE SERVICE — RESSOURCES HUMAINES : embauche d'une conseillère", "fr"),
    ("Marie Tremblay", None),  # a name is no language
    ("130 692 544", None),
    ("", None),
    ("Total", None),
])
def test_guess_language(text: str, expected: str | None) -> None:
    assert guess_language(text) == expected


def test_bilingual_document_splits_by_paragraph() -> None:
    en = "The group session is moved to the library on Tuesday. Questions go to the front desk."
    fr = "La séance de groupe est déplacée à la bibliothèque mardi. Les questions vont à l'accueil."
    text = f"Notice / Avis\n\n{en}\n\n{fr}\n\n— Direction"
    runs = list(language_runs(text))
    assert [r.language for r in runs] == ["en", "fr"]
    assert text[runs[0].start:runs[0].end].strip().endswith("front desk.")
    assert text[runs[1].start:runs[1].end].startswith("La séance")
    assert runs[0].start == 0 and runs[-1].end == len(text)


def test_text_too_short_to_judge_keeps_the_default() -> None:
    assert [r.language for r in language_runs("Marie Tremblay", default="fr")] == ["fr"]
