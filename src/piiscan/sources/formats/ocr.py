"""Text from pictures through Tesseract, shared by the image and PDF readers.

Tesseract is a system program: it may be missing, or miss a language pack.
Both are told apart from a bad image, so a scan without OCR says what to
install instead of failing every scanned page.

Line breaks are kept: a passport's machine-readable zone is two lines of
44 characters and the MRZ detector reads them as such. A second pass with
a character whitelist (A–Z, 0–9, "<") was tried on rendered passports and
did worse than the default model (it dropped runs of "<"), so the only help
given to the MRZ is a clean-up of lines that already look like one.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import time
from typing import Any

from ...lazyimport import lazy_module
from ...model import ItemError

# Pillow is imported at the first picture read, not with the readers
Image = lazy_module("PIL.Image")
ImageOps = lazy_module("PIL.ImageOps")

INSTALL_HINT = "install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra"
MAX_OCR_PIXELS = 60_000_000  # a 300 dpi A1 poster; larger renders are scaled down
MIN_SIDE = 16  # icons and spacer GIFs hold no readable text

_MRZ_CHARS = re.compile(r"[A-Z0-9<«‹ ]{28,60}")


class OcrUnavailable(Exception):
    """Tesseract or the requested language packs are not installed."""


@functools.lru_cache(maxsize=8)
def _installed_languages(binary: str) -> frozenset[str]:
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return frozenset()


def languages(requested: str) -> str:
    """The requested "eng+fra" narrowed to installed packs; raises if OCR can't run."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(f"OCR unavailable: {INSTALL_HINT}")
    have = _installed_languages(binary)
    wanted = [lang for lang in requested.split("+") if lang]
    usable = [lang for lang in wanted if lang in have] if have else wanted
    if not usable:
        raise OcrUnavailable(f"OCR unavailable: no language pack for {requested}: {INSTALL_HINT}")
    return "+".join(usable)


def prepare(image: Image.Image) -> Image.Image:
    """Upright, grey on white, at most MAX_OCR_PIXELS: what Tesseract reads best and fastest."""
    image = ImageOps.exif_transpose(image)  # phone photos are stored sideways, with a tag
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        image = Image.alpha_composite(white, rgba)
    image = image.convert("L")
    pixels = image.width * image.height
    if pixels > MAX_OCR_PIXELS:
        factor = (MAX_OCR_PIXELS / pixels) ** 0.5
        image = image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))))
    return image


def too_small(image: Image.Image) -> bool:
    return min(image.size) < MIN_SIDE


def recognize(image: Image.Image, ctx: Any) -> str:
    """The text of one picture, lines kept. Raises OcrUnavailable."""
    import pytesseract

    lang = languages(ctx.options.ocr_languages)
    # Tesseract's OpenMP threads spin against each other and against the scan's own
    # workers: on two busy cores, one thread read a letter page 5× faster (4.3 s
    # against 21.7 s). The scan parallelises over files; a user's own setting wins.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    timeout = 300.0
    if ctx.deadline is not None:
        timeout = max(1.0, min(timeout, ctx.deadline - time.monotonic()))
    try:
        text = pytesseract.image_to_string(prepare(image), lang=lang, timeout=timeout)
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable(f"OCR unavailable: {INSTALL_HINT}") from None
    except pytesseract.TesseractError as exc:
        raise ItemError(f"OCR failed (tesseract status {exc.status})", reason="unreadable") from None
    except RuntimeError as exc:  # pytesseract's own timeout
        if "timeout" in str(exc).lower():
            raise ItemError("OCR took too long", reason="timeout") from None
        raise
    return tidy_mrz(text)


def _mrz_like(line: str) -> bool:
    stripped = line.strip()
    return bool(_MRZ_CHARS.fullmatch(stripped)) and stripped.count("<") + stripped.count("«") >= 3


def tidy_mrz(text: str) -> str:
    """Undo Tesseract's usual slips on MRZ lines: inserted spaces, "«" for "<<", and
    the blank line it puts between the two lines of a zone."""
    out: list[str] = []
    for line in text.splitlines():
        if _mrz_like(line):
            line = line.strip().replace(" ", "").replace("«", "<<").replace("‹", "<")
            last = len(out)
            while last and not out[last - 1].strip():
                last -= 1
            if last and len(out) - last <= 2 and _mrz_like(out[last - 1]):
                del out[last:]
        out.append(line)
    return "\n".join(out)
