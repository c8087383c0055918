import pytest

from shared.security.addresses import UNKNOWN, client_address


@pytest.mark.parametrize(("forwarded", "expected"), [
    ("203.0.113.7", "203.0.113.7"),
    ("203.0.113.7:54321", "203.0.113.7"),
    # Only the last entry is the platform's; what the client wrote before it is not trusted.
    ("198.51.100.1, 203.0.113.7:443", "203.0.113.7"),
    ("[2001:db8:1:2:3::9]:443", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:3::9", "2001:db8:1:2::/64"),
    ("not an address", UNKNOWN),
    ("", UNKNOWN),
])
def test_the_client_address_is_the_last_forwarded_entry(forwarded, expected):
    assert client_address({"x-forwarded-for": forwarded} if forwarded else {}) == expected
