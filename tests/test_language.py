"""Language per segment and per paragraph: French text must reach the French pipeline."""

from __future__ import annotations

import pytest

from piiscan import language
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


# -- the language model kept in the cache directory ------------------------------------

SAMPLES = [
    "Le client a été rencontré hier au bureau de l'organisme pour son dossier d'immigration.",
    "The client was met yesterday at the office about her work permit renewal.",
    "Suivi prévu la semaine prochaine", "Follow-up call scheduled next week",
    "Réunion du comité — committee meeting", "NOTE DE SERVICE — RESSOURCES HUMAINES",
    "Dons reçus en 2025 / Donations received in 2025", "ok", "",
]


def _scores(ident) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    return [ident.classify(t) for t in SAMPLES]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIISCAN_CACHE", str(tmp_path / "cache"))
    language._identifier.cache_clear()
    yield tmp_path / "cache"
    language._identifier.cache_clear()


def test_the_cached_model_classifies_exactly_as_the_packaged_one(fresh_cache, monkeypatch) -> None:
    from py3langid.langid import LanguageIdentifier

    packaged = _scores(language._identifier())  # unpacks the model and caches it
    saved = list(fresh_cache.glob("langid-*.npz"))
    assert len(saved) == 1 and saved[0].stat().st_mode & 0o777 == 0o600
    assert fresh_cache.stat().st_mode & 0o777 == 0o700

    def unpack(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("the model was unpacked again instead of read from the cache")

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", unpack)
    language._identifier.cache_clear()
    assert _scores(language._identifier()) == packaged  # same language, same confidence
    assert [language._guess(t) for t in SAMPLES[:3]] == ["fr", "en", "fr"]


@pytest.mark.parametrize("damage", ["truncate", "junk", "other-languages"])
def test_a_damaged_cache_falls_back_to_the_packaged_model(fresh_cache, damage: str) -> None:
    packaged = _scores(language._identifier())
    saved = next(fresh_cache.glob("langid-*.npz"))
    if damage == "truncate":
        saved.write_bytes(saved.read_bytes()[:100_000])
    elif damage == "junk":
        saved.write_bytes(b"\x00junk" * 1000)
    else:
        import numpy

        with numpy.load(saved) as data:
            arrays = {k: data[k] for k in data.files}
        arrays["classes"] = numpy.array(["de", "it"])
        with saved.open("wb") as fh:
            numpy.savez(fh, **arrays)
    language._identifier.cache_clear()
    assert _scores(language._identifier()) == packaged


def test_one_cached_model_whatever_the_install(fresh_cache) -> None:
    """Keyed by the model's content, not its file's time: a new virtualenv reuses the cache,
    and a model of another version replaces the old file instead of piling up 40 MB more."""
    stale = fresh_cache / "langid-0123456789abcdef.npz"
    fresh_cache.mkdir(mode=0o700)
    stale.write_bytes(b"another py3langid's tables")
    language._identifier()
    kept = sorted(p.name for p in fresh_cache.glob("langid-*.npz"))
    assert len(kept) == 1 and stale.name not in kept
    assert language._model_path().name == kept[0]
