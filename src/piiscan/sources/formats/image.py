"""Scans and photos (passports, permits, signed forms) read through OCR.

Every frame of a multi-page TIFF (a faxed or scanned file) is a page; other
formats are read as one picture (the first frame of an animated GIF).
"""

from __future__ import annotations

import struct
import warnings
from typing import Any, Iterator

from ... import sniff
from ...lazyimport import lazy_module
from ...model import (
    CorruptError,
    Item,
    Pointer,
    ScanError,
    Segment,
    SkippedError,
    TooLargeError,
)
from . import ocr
from .docparts import opened, text_segments

Image = lazy_module("PIL.Image")  # imported at the first picture read, not with the reader


def _pixels_ok(image: Image.Image) -> bool:
    limit = Image.MAX_IMAGE_PIXELS
    return limit is None or image.width * image.height <= limit


class ImageReader:
    """OCR of PNG, JPEG, TIFF, GIF, BMP and WebP, in the languages of the scan options."""

    name = "image"
    media_types = (sniff.PNG, sniff.JPEG, sniff.TIFF, sniff.GIF, sniff.BMP, sniff.WEBP)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | ScanError]:
        if not ctx.options.ocr:
            raise SkippedError("OCR disabled")
        try:
            ocr.languages(ctx.options.ocr_languages)
        except ocr.OcrUnavailable as exc:
            ctx.count("ocr_skipped")
            raise SkippedError(str(exc)) from None
        with opened(item, ctx) as fh:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", Image.DecompressionBombWarning)
                    image = Image.open(fh)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise TooLargeError("image has more pixels than the decompression-bomb limit") from None
            except Image.UnidentifiedImageError:
                raise CorruptError("not a readable image") from None
            except (OSError, EOFError, SyntaxError, ValueError, struct.error):
                # a damaged header ("Truncated File Read"): not an I/O error of the share
                raise CorruptError("truncated or damaged image") from None
            with image:
                multi = image.format == "TIFF"  # a scanned or faxed file: every page
                frames = getattr(image, "n_frames", 1) if multi else 1
                for index in range(frames):
                    ctx.check_time()
                    page = index + 1
                    try:
                        image.seek(index)
                        if not _pixels_ok(image):
                            raise TooLargeError("frame over the decompression-bomb limit")
                        image.load()
                    except (OSError, EOFError, SyntaxError, ValueError):
                        if index == 0:
                            raise CorruptError("truncated or damaged image") from None
                        yield ScanError(item.location, "corrupt", f"page {page}: damaged frame")
                        continue
                    if ocr.too_small(image):
                        ctx.count("ocr_too_small")
                        continue
                    try:
                        text = ocr.recognize(image, ctx)
                    except ocr.OcrUnavailable as exc:  # vanished since the check above
                        ctx.count("ocr_skipped")
                        raise SkippedError(str(exc)) from None
                    ctx.count("ocr_pages")
                    if frames > 1:
                        yield from text_segments(text, item.location, Pointer(page=page),
                                                 record=f"page:{page}")
                    else:
                        yield from text_segments(text, item.location, Pointer())
