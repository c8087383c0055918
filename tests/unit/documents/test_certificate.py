import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pytest

from shared.documents.certificate import PALETTES, CertificateData, palette_for, render_certificate
from shared.learning.awards import LADDER
from tests.unit.documents.rasterise import assert_a4, assert_image_is_a4, ink_share, open_pdf

GOLD = CertificateData(
    pupil_name="Łukasz Nguyễn-O’Sullivan",
    award_name="Gold Award",
    hours=100,
    total_hours=103.5,
    school_name="St Siobhán’s Primary School",
    achieved_on=date(2026, 3, 3),
    verification_code="7KQ2-M9XD-4TRB-H3WP",
    verify_url="https://cu-online.example/#/verify/7KQ2-M9XD-4TRB-H3WP",
)


def test_a_certificate_is_one_a4_landscape_page_that_opens_and_is_not_blank():
    opened = open_pdf(render_certificate(GOLD), "certificate-gold")
    assert opened.pages == 1
    assert_a4(opened.page_sizes_mm[0], landscape=True)
    assert_image_is_a4(opened.first_page, landscape=True)
    assert ink_share(opened.first_page) > 0.2


def test_a_certificate_says_who_achieved_what_where_and_when():
    text = open_pdf(render_certificate(GOLD), "certificate-gold").texts[0]
    for expected in (
        "Gold Award",
        "Łukasz Nguyễn-O’Sullivan",
        "has completed 100 hours of learning",
        "St Siobhán’s Primary School",
        "3 March 2026",
        "7KQ2-M9XD-4TRB-H3WP",
        "CHILDREN’S UNIVERSITY",
        "103.5 hours",
    ):
        assert expected in text


@pytest.mark.parametrize(
    "name",
    ["Zoë Brontë", "Siobhán Ní Bhriain", "Nguyễn Thị Minh Khai", "Дмитрий Иванов", "Αλέξανδρος Π.", "Ağca Yılmaz"],
)
def test_names_beyond_latin_1_are_written_with_real_glyphs(name, caplog):
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        text = open_pdf(render_certificate(replace(GOLD, pupil_name=name)), "certificate-name").texts[0]
    assert name in text
    assert "missing" not in caplog.text


def test_certificates_rendered_one_after_another_each_carry_their_own_name():
    first = open_pdf(render_certificate(replace(GOLD, pupil_name="Ōtā Łódź")), "certificate-first").texts[0]
    second = open_pdf(render_certificate(replace(GOLD, pupil_name="Zoë Ærø")), "certificate-second").texts[0]
    assert "Ōtā Łódź" in first and "Zoë" not in first
    assert "Zoë Ærø" in second and "Łódź" not in second


def test_a_very_long_name_is_written_in_full_on_two_lines():
    name = "Maximilian-Alexander Featherstonehaugh-Montgomery"
    data = replace(GOLD, pupil_name=name, award_name="Silver Postgraduate Masters Degree", hours=765)
    text = open_pdf(render_certificate(data), "certificate-long-name").texts[0]
    assert "Maximilian-Alexander" in text and "Featherstonehaugh-Montgomery" in text
    assert "Silver Postgraduate Masters Degree" in text
    assert "…" not in text


@pytest.mark.parametrize("award", [LADDER[0], LADDER[1], LADDER[-1]], ids=lambda a: a.key)
def test_each_medal_renders_in_its_own_colours(award):
    data = replace(GOLD, award_name=award.name, hours=award.hours, total_hours=award.hours)
    opened = open_pdf(render_certificate(data), f"certificate-{award.key}")
    assert ink_share(opened.first_page) > 0.2
    assert palette_for(award.name) is PALETTES[award.medal.lower()]


def test_an_unexpected_award_name_falls_back_to_gold():
    assert palette_for("Special Award") is PALETTES["gold"]
    assert palette_for("") is PALETTES["gold"]


def test_a_certificate_is_small_because_fonts_are_subset():
    assert len(render_certificate(GOLD)) < 100_000


def test_certificates_rendered_at_the_same_time_on_several_threads_stay_apart():
    names = [f"Pupil {letter} Ñandú" for letter in "ABCDEFGHIJKL"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        documents = list(pool.map(lambda name: render_certificate(replace(GOLD, pupil_name=name)), names))
    for name, document in zip(names, documents, strict=True):
        text = open_pdf(document, "certificate-threaded").texts[0]
        assert name in text
        assert sum(other in text for other in names) == 1


def test_a_long_school_name_is_written_in_full():
    school = "The Very Long Named Church of England Voluntary Aided Primary Academy of Saint Bartholomew"
    text = open_pdf(render_certificate(replace(GOLD, school_name=school)), "certificate-long-school").texts[0]
    assert school in " ".join(text.split())
    assert "…" not in text


def test_the_qr_code_opens_the_verify_page_for_this_certificate():
    import zxingcpp

    opened = open_pdf(render_certificate(GOLD), "certificate-qr")
    found = zxingcpp.read_barcodes(opened.first_page)
    assert [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode] == [GOLD.verify_url]


def test_a_certificate_without_a_verification_code_prints_no_code_and_no_qr():
    import zxingcpp

    bare = replace(GOLD, verification_code=None, verify_url=None)
    opened = open_pdf(render_certificate(bare), "certificate-bare")
    assert "genuine" not in opened.texts[0]
    assert zxingcpp.read_barcodes(opened.first_page) == []
