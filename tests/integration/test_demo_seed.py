import re
from datetime import UTC, datetime

import pyotp

from devhost.demo import PUPIL_PASSWORD, STAFF_PASSWORD, seed_demo
from shared.identity.second_factor import verify
from shared.identity.service import login
from shared.identity.tokens import verify_access_token
from shared.learning.redemption import redeem
from shared.learning.schemas import RedemptionIn


def test_demo_seed_is_idempotent_and_a_demo_pupil_can_redeem_a_printed_code(azurite, storage):
    first = seed_demo(storage)
    assert seed_demo(storage) == first
    text = "\n".join(first)
    assert STAFF_PASSWORD in text and PUPIL_PASSWORD in text
    staff = login("coordinator@demo.example.org.uk", STAFF_PASSWORD, storage=storage)
    assert staff.user.role.value == "school_staff"
    pupil_line = next(line for line in first if "Maya Demo" in line)
    username = pupil_line.split()[0]
    pupil = login(username, PUPIL_PASSWORD, storage=storage)
    code_line = next(line for line in first if "Summer reading challenge" in line)
    code = " ".join(code_line.split()[:2])
    result = redeem(verify_access_token(pupil.access_token), RedemptionIn(code=code), storage=storage)
    assert result.total_hours == 30 and [a.name for a in result.new_awards] == ["Bronze Award"]


def test_the_demo_trust_admin_signs_in_with_the_printed_secret_or_recovery_code(azurite, storage):
    lines = seed_demo(storage)
    factor = next(line for line in lines if line.strip().startswith("trust_admin") and "secret" in line)
    secret, recovery = re.search(r"secret (\S+)\s+recovery code (\S+)", factor).groups()
    first = login("trust.admin@demo.example.org.uk", STAFF_PASSWORD, storage=storage)
    assert first.mfa_required and first.access_token is None
    # The seed used the current step to confirm; the next one is accepted for clock drift.
    totp = pyotp.TOTP(secret)
    code = totp.at(datetime.now(UTC), counter_offset=1)
    assert verify(first.mfa_challenge, code, storage=storage).user.role.value == "trust_admin"
    again = login("trust.admin@demo.example.org.uk", STAFF_PASSWORD, storage=storage)
    assert verify(again.mfa_challenge, recovery, storage=storage).access_token
