"""Open a rendered PDF the way a viewer would (PDFium), keep a PNG of page 1 for people to look at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "documents"
A4_SHORT, A4_LONG = 210.0, 297.0
POINTS_PER_MM = 72 / 25.4


@dataclass
class OpenedPdf:
    pages: int
    page_sizes_mm: list[tuple[float, float]]
    texts: list[str]
    first_page: Image.Image


def open_pdf(data: bytes, artifact_name: str) -> OpenedPdf:
    assert data.startswith(b"%PDF-"), "not a PDF header"
    assert data.rstrip().endswith(b"%%EOF"), "no PDF trailer"
    document = pdfium.PdfDocument(data)
    try:
        sizes = [(w / POINTS_PER_MM, h / POINTS_PER_MM) for w, h in (page.get_size() for page in document)]
        texts = [page.get_textpage().get_text_range() for page in document]
        image = document[0].render(scale=110 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"{artifact_name}.png")
    return OpenedPdf(pages=len(sizes), page_sizes_mm=sizes, texts=texts, first_page=image)


def ink_share(image: Image.Image) -> float:
    """Share of pixels that are clearly not white paper."""
    grey = image.convert("L")
    histogram = grey.histogram()
    inked = sum(histogram[:235])
    return inked / (grey.width * grey.height)


def assert_a4(size_mm: tuple[float, float], *, landscape: bool) -> None:
    width, height = size_mm
    expected = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    assert abs(width - expected[0]) < 0.5 and abs(height - expected[1]) < 0.5, size_mm


def assert_image_is_a4(image: Image.Image, *, landscape: bool) -> None:
    ratio = image.width / image.height
    expected = A4_LONG / A4_SHORT if landscape else A4_SHORT / A4_LONG
    assert abs(ratio - expected) < 0.01, (image.size, expected)
