"""What a user sees of a detector: which values it reports, and how sure it is."""

from __future__ import annotations

from piiscan.detectors.base import Detector
from piiscan.model import EntityType, Match, Segment

HIGH, MEDIUM = "high", "medium"
MIN_SCORE = 0.5  # the engine's default --min-score


def band(score: float) -> str:
    return HIGH if score >= 0.85 else MEDIUM if score >= MIN_SCORE else "hidden"


def reported(det: Detector, text: str, field: str | None = None,
             language: str | None = None) -> list[Match]:
    """The matches the engine would report (default threshold), checked for sane spans."""
    seg = Segment(text, "test.txt", field=field, language=language)
    out = []
    for m in det.detect(seg):
        assert m.detector == det.name
        assert m.entity_type in det.entities
        assert 0 <= m.start < m.end <= len(text)
        if m.score >= MIN_SCORE:
            out.append(m)
    return out


def hits(det: Detector, text: str, field: str | None = None, language: str | None = None,
         entity: EntityType | None = None) -> list[tuple[str, str]]:
    """(span text, score band) of each reported match, spans taken from the text itself."""
    return [(text[m.start:m.end], band(m.score))
            for m in reported(det, text, field, language)
            if entity is None or m.entity_type is entity]
