"""Image reader: OCR of scans (a rendered passport with its MRZ), multi-page TIFF, limits."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from piiscan import sniff
from piiscan.checks import mrz_check_digit
from piiscan.engine import Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Pointer, Segment
from piiscan.redact import Redactor
from piiscan.sources.formats.image import ImageReader
from piiscan.sources.formats.ocr import prepare
from tests.sources.formats.document_helpers import EMAIL, item_for, registry, scan

FONTS = Path("/usr/share/fonts/truetype/dejavu")
MONO = FONTS / "DejaVuSansMono.ttf"
SANS = FONTS / "DejaVuSans.ttf"

needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr absent")
needs_fonts = pytest.mark.skipif(not MONO.exists(), reason="fonts-dejavu-core absent")


def td3(surname: str, given: str, number: str, birth: str, sex: str, expiry: str
        ) -> tuple[str, str]:
    """The two 44-character lines of a passport's MRZ, check digits computed."""
    line1 = f"P<CAN{surname}<<{given}".ljust(44, "<")
    number = number.ljust(9, "<")
    optional = "<" * 14
    fields = [number + mrz_check_digit(number), birth + mrz_check_digit(birth),
              expiry + mrz_check_digit(expiry), optional + mrz_check_digit(optional)]
    composite = mrz_check_digit("".join(fields))
    line2 = fields[0] + "CAN" + fields[1] + sex + fields[2] + fields[3] + composite
    assert len(line1) == len(line2) == 44
    return line1, line2


MRZ = td3("TREMBLAY", "MARIE", "AB123456", "870312", "F", "300115")


def passport(path: Path) -> Path:
    """A passport data page: printed fields, then the MRZ in a monospaced font."""
    img = Image.new("RGB", (1400, 800), "white")
    draw = ImageDraw.Draw(img)
    label = ImageFont.truetype(str(SANS), 30)
    for y, line in [(60, "PASSPORT / PASSEPORT  CANADA"), (130, "Surname / Nom: TREMBLAY"),
                    (180, "Given names / Prénoms: MARIE"),
                    (230, "Date of birth / Date de naissance: 12 MAR 1987")]:
        draw.text((60, y), line, font=label, fill="black")
    mono = ImageFont.truetype(str(MONO), 36)
    draw.text((60, 620), MRZ[0], font=mono, fill="black")
    draw.text((60, 680), MRZ[1], font=mono, fill="black")
    img.save(path)
    return path


def page_with(text: str, size: tuple[int, int] = (1200, 300)) -> Image.Image:
    img = Image.new("L", size, "white")
    ImageDraw.Draw(img).text((40, 100), text, font=ImageFont.truetype(str(SANS), 40), fill="black")
    return img


@pytest.fixture(scope="module")
def passport_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Segment], list[Finding]]:
    """One OCR of the passport (a second or more), shared by the tests below; the
    MRZ detector joins when it is installed."""
    if shutil.which("tesseract") is None or not MONO.exists():
        pytest.skip("tesseract-ocr or fonts-dejavu-core absent")
    path = passport(tmp_path_factory.mktemp("passport") / "passeport.png")
    reg = registry(ImageReader())
    try:
        from piiscan.detectors.mrz import MrzDetector
    except ImportError:
        pass
    else:
        reg.add_detector(MrzDetector())
    seen: list[Segment] = []
    with Scanner(reg, Redactor(b"k" * 32), ScanOptions(), observers=[seen.append]) as sc:
        events = list(sc.scan_item(item_for(path)))
    return seen, [e for e in events if isinstance(e, Finding)]


def test_passport_mrz_comes_out_as_two_exact_lines(passport_scan) -> None:
    lines = [line.strip() for s in passport_scan[0] for line in s.text.splitlines()]
    assert MRZ[0] in lines and MRZ[1] in lines
    assert lines.index(MRZ[1]) == lines.index(MRZ[0]) + 1
    assert "Prénoms: MARIE" in "\n".join(lines)  # accents read with the French pack


def test_passport_end_to_end_with_the_mrz_detector(passport_scan) -> None:
    pytest.importorskip("piiscan.detectors.mrz")
    findings = passport_scan[1]
    kinds = {f.entity_type for f in findings}
    assert {EntityType.PASSPORT, EntityType.PERSON, EntityType.DATE_OF_BIRTH} <= kinds
    assert all(f.pointer == Pointer() for f in findings)


@needs_ocr
@needs_fonts
def test_every_page_of_a_multipage_tiff_is_read(tmp_path: Path) -> None:
    path = tmp_path / "telecopie.tiff"
    first, second = page_with("Page de garde"), page_with(f"Courriel : {EMAIL}")
    first.save(path, save_all=True, append_images=[second])
    result = scan(path, ImageReader())
    assert [(f.entity_type, f.pointer, f.record) for f in result.findings] == [
        (EntityType.EMAIL_ADDRESS, Pointer(page=2), "page:2")]
    assert result.counters["ocr_pages"] == 2


def test_ocr_disabled_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    page_with("Rien").save(path)
    result = scan(path, ImageReader(), ocr=False)
    assert [(e.reason, e.detail) for e in result.errors] == [("skipped", "OCR disabled")]


def test_missing_tesseract_is_skipped_with_what_to_install(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "scan.png"
    page_with("Rien").save(path)
    monkeypatch.setenv("PATH", str(tmp_path))  # a system where tesseract is not installed
    result = scan(path, ImageReader())
    assert [(e.reason, e.detail) for e in result.errors] == [
        ("skipped", "OCR unavailable: install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra")]
    assert result.counters["ocr_skipped"] == 1


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge picture in a few bytes: a decompression bomb's signature."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + chunk(b"IEND", b"")


@needs_ocr
@pytest.mark.parametrize("name, data, reason", [
    ("bombe.png", _png_header_only(100_000, 100_000), "too large"),
    ("limite.png", _png_header_only(12_000, 8_000), "too large"),  # over 89 Mpx: still refused
    ("coupee.png", None, "corrupt"),
    ("faux.jpg", b"\xff\xd8\xff" + b"\0" * 100, "corrupt"),
    ("vide.png", b"", "corrupt"),
], ids=["bomb", "over-the-limit", "cut", "fake-jpeg", "empty"])
def test_bombs_and_damaged_images_are_recorded(tmp_path: Path, name: str, data: bytes | None,
                                               reason: str) -> None:
    path = tmp_path / name
    if data is None:
        page_with(f"Courriel : {EMAIL}").save(path)
        data = path.read_bytes()[:300]
    path.write_bytes(data)
    result = scan(path, ImageReader(), media_type=sniff.PNG if not data else None)
    assert result.reasons() == [reason]
    assert result.findings == []


@needs_ocr
def test_icons_are_not_sent_to_ocr(tmp_path: Path) -> None:
    path = tmp_path / "icone.gif"
    Image.new("P", (12, 12)).save(path)
    result = scan(path, ImageReader())
    assert result.errors == [] and result.findings == []
    assert result.counters == {"ocr_too_small": 1}


def test_phone_photo_is_turned_upright_before_ocr(tmp_path: Path) -> None:
    """A phone stores a portrait photo sideways with an EXIF orientation tag."""
    path = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    Image.new("RGB", (400, 300), "white").save(path, exif=exif)
    with Image.open(path) as photo:
        assert prepare(photo).size == (300, 400)
        assert prepare(photo).mode == "L"
