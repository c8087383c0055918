from devhost.demo import PUPIL_PASSWORD, STAFF_PASSWORD, seed_demo
from shared.identity.service import login
from shared.identity.tokens import verify_access_token
from shared.learning.models import RedemptionIn
from shared.learning.redemption import redeem


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
