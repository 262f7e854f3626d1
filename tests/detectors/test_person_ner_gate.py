"""spaCy reads only the stretches of text where a name can still be found.

The rules (titles, labels, name columns) settle most names cheaply; NER is
the expensive signal and runs on windows around capitalised words nothing
settled. These tests watch what reaches spaCy (the real pipeline, recorded
on the way) and check the names are still found.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import pytest

from piiscan import nlp
from piiscan.detectors import person
from piiscan.detectors.person import PersonDetector
from piiscan.model import Segment


@pytest.fixture(scope="module")
def det() -> PersonDetector:
    d = PersonDetector()
    d.warm_up()
    return d


@pytest.fixture
def ner_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = nlp.ner

    def recording(texts: Sequence[str], language: str, batch_size: int = nlp.BATCH_SIZE
                  ) -> Iterator[list[nlp.NerSpan]]:
        seen.extend(texts)
        return real(texts, language, batch_size)

    monkeypatch.setattr(person.nlp, "ner", recording)
    return seen


def names(det: PersonDetector, text: str, language: str = "en") -> list[str]:
    (matches,) = det.detect_many([Segment(text, "t.txt", language=language)])
    return [m.text for m in matches if m.score >= 0.5]


def test_paragraphs_without_a_capitalised_word_never_reach_spacy(det: PersonDetector,
                                                                  ner_texts: list[str]) -> None:
    text = ("the meeting was moved to the afternoon because of the snow.\n\n"
            "Please call Hodan Abdi Warsame about the renewal of her permit.")
    assert names(det, text) == ["Hodan Abdi Warsame"]
    assert ner_texts and all("meeting" not in t for t in ner_texts)
    assert any("Hodan Abdi Warsame" in t for t in ner_texts)


@pytest.mark.parametrize("text,language", [
    ("Mme Nguyễn Thị Lan a appelé ce matin.", "fr"),  # a title settles the name
    ("Client : Dariush Tehrani", "en"),  # so does a label
    ("Facture INV-2024-0042 payée le 3 mars.", "fr"),  # a code is not a name
    ("Yesterday the office was closed.", "en"),  # a dictionary word opening a sentence
])
def test_text_the_rules_settle_costs_no_ner(det: PersonDetector, ner_texts: list[str],
                                            text: str, language: str) -> None:
    names(det, text, language)
    assert ner_texts == []


def test_a_long_line_is_read_around_the_name_only(det: PersonDetector,
                                                  ner_texts: list[str]) -> None:
    filler = "and then the group went over the budget lines for the coming year " * 4
    text = filler + "with Yonas Tesfay Gebremedhin " + filler
    assert "Yonas Tesfay Gebremedhin" in names(det, text)
    assert sum(map(len, ner_texts)) < len(text) / 3


def test_all_caps_names_get_a_recased_pass_on_their_paragraph_only(det: PersonDetector,
                                                                    ner_texts: list[str]) -> None:
    text = "Thank you for your gift to the food bank.\n\nMARIE-ÈVE TREMBLAY\n514-555-0134"
    assert "MARIE-ÈVE TREMBLAY" in names(det, text)
    assert "Marie-Ève Tremblay" in ner_texts
    assert not any("gift" in t for t in ner_texts)


@pytest.mark.parametrize("text,expected", [
    ("Tesfay called.", True),  # not a dictionary word: may be a name
    ("Program starts Monday.", False),
    ("The file of INV-2024 was closed.", False),
    ("the Director met Senthil", True),
])
def test_which_capitalised_words_open_a_window(text: str, expected: bool) -> None:
    assert bool(person._ner_windows(text, [])) is expected


@pytest.mark.parametrize("text,language,expected", [
    ("Mr. Siamak Sazad\n8301 rue Notre-Dame\nMississauga, ON G4V 5K1", "en", ["Siamak Sazad"]),
    ("Adresse : 9201 boulevard\nRené-Lévesque, Brossard M8T 1S8.", "fr", []),
    ("offerts par Commission scolaire\nMarguerite-Bourgeoys. Un rendez-vous est prévu avec "
     "Ayaan Dualeh.", "fr", ["Ayaan Dualeh"]),
])
def test_a_window_keeps_the_lines_around_it_so_places_stay_places(det: PersonDetector, text: str,
                                                                   language: str,
                                                                   expected: list[str]) -> None:
    assert names(det, text, language) == expected
