from datetime import date

from shared.documents.pdf import FONT_DIR, FONT_FILES, SANS, fit_text, new_document, uk_date, warm_fonts


def test_the_fonts_and_their_licence_ship_inside_the_package():
    assert FONT_DIR.parent.name == "documents"
    for filename in FONT_FILES.values():
        assert (FONT_DIR / filename).stat().st_size > 100_000
    assert "Bitstream Vera Fonts Copyright" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")


def test_dates_are_written_the_uk_way_whatever_the_locale():
    assert uk_date(date(2026, 3, 3)) == "3 March 2026"
    assert uk_date(date(2025, 12, 31)) == "31 December 2025"
    assert uk_date(date(2027, 1, 1)) == "1 January 2027"


def test_text_that_fits_keeps_its_largest_size():
    pdf = new_document("portrait", title="t", subject="s")
    assert fit_text(pdf, "Zoë", SANS, "B", 100, 40, 10).size == 40


def test_text_too_wide_shrinks_until_it_fits():
    pdf = new_document("portrait", title="t", subject="s")
    fit = fit_text(pdf, "Siobhán Ní Bhriain-Featherstonehaugh", SANS, "B", 100, 40, 10)
    assert 10 <= fit.size < 40
    assert fit.text == "Siobhán Ní Bhriain-Featherstonehaugh"
    assert pdf.get_string_width(fit.text) <= 100


def test_text_too_wide_even_at_the_smallest_size_is_cut_with_an_ellipsis():
    pdf = new_document("portrait", title="t", subject="s")
    fit = fit_text(pdf, "x" * 500, SANS, "", 50, 12, 8)
    assert fit.size == 8
    assert fit.text.endswith("…")
    assert pdf.get_string_width(fit.text) <= 50


def test_fonts_can_be_warmed_ahead_of_the_first_document():
    warm_fonts()
