"""What a destination may say: an organisation's details, never a person's contact details."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.destinations.schemas import DestinationIn, DestinationPatch

BASE = {"name": "Town Museum", "kind": "museum", "cost": "free", "partner_id": "prt_a"}


def _refused(**fields) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        DestinationIn(**(BASE | fields))
    return {".".join(str(p) for p in e["loc"]) for e in refused.value.errors()}


@pytest.mark.parametrize("district", ["M1", "b33", " sw1a ", "CR2", "EC1A", "LS1"])
def test_postcode_districts_are_kept_upper_case(district):
    assert DestinationIn(**(BASE | {"postcode_district": district})).postcode_district == district.strip().upper()


@pytest.mark.parametrize("district", ["SW1A 1AA", "M1 1AE", "LS11AB"])
def test_a_full_postcode_is_refused(district):
    with pytest.raises(ValidationError, match="never a full postcode"):
        DestinationIn(**(BASE | {"postcode_district": district}))


def test_a_district_that_is_not_one_is_refused():
    assert _refused(postcode_district="Leeds") == {"postcode_district"}


@pytest.mark.parametrize("text", ["Ask for jo.bloggs@example.org", "Call 07911 123456", "Ring +44 113 496 0000"])
def test_personal_contact_details_are_refused_in_names_and_notes(text):
    assert _refused(name=text) == {"name"}
    assert _refused(accessibility=text) == {"accessibility"}


def test_ordinary_access_notes_and_opening_times_pass():
    ok = DestinationIn(**(BASE | {"accessibility": "Step-free entrance; quiet hour 10:00-11:00 on Sundays",
                                  "town": "  Leeds ", "web_page": "https://www.example.org.uk/visit?x=1"}))
    assert ok.town == "Leeds" and ok.web_page.endswith("?x=1")


@pytest.mark.parametrize("page", ["javascript:alert(1)", "mailto:info@example.org", "ftp://example.org",
                                  "https://user:pw@example.org", "https://localhost/x", "https://exa mple.org",
                                  "https://[::1", "https://" + "a" * 300 + ".org"])
def test_web_pages_are_public_http_addresses_only(page):
    assert _refused(web_page=page) == {"web_page"}


def test_kind_and_cost_come_from_their_lists():
    assert _refused(kind="zoo", cost="cheap") == {"kind", "cost"}


def test_blank_optional_fields_are_absent_and_a_patch_may_clear_them():
    body = DestinationIn(**(BASE | {"town": " ", "web_page": ""}))
    assert body.town is None and body.web_page is None
    patch = DestinationPatch(town=None, status="paused")
    assert patch.model_dump(exclude_unset=True) == {"town": None, "status": "paused"}
