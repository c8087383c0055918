"""Credentials: checking a certificate's code (one point read after the throttle), signing an Open Badges
credential (p50 against raw PyJWT Ed25519 signing of the same payload), and a partner's graduation list
over 50 schools (one partition query per school)."""

from __future__ import annotations

import time

from bench.harness import BenchContext, Result, Row, benchmark, count_path, describe_kinds, percentile

SCHOOLS = 50
PUPILS_PER_SCHOOL = 4
SIGNATURES = 2_000


@benchmark("credentials", issue="credentials", title="Verification, badge signing, graduation lists")
def credentials(ctx: BenchContext) -> Result:
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from bench.fixtures import TRUST, new_partner, school_with_pupils
    from shared.achievements import badge, signing, verification
    from shared.achievements import store as verifications
    from shared.achievements.errors import VerificationCodeNotKnown
    from shared.graduation.schemas import GraduationQuery
    from shared.graduation.service import partner_graduation
    from shared.learning.activities import create_activity, create_codes
    from shared.learning.model import CertificateRef
    from shared.learning.record_store import get_award
    from shared.learning.redemption import redeem
    from shared.learning.schemas import ActivityIn, CodesIn, RedemptionIn
    from shared.security.principal import Principal, Role

    storage = ctx.storage
    partner_id = new_partner(storage, "Credentials")
    activity = create_activity(TRUST, ActivityIn(title="Summer reading", hours=30, skills=["communication"],
                                                  partner_id=partner_id), storage=storage)
    schools = []
    for n in range(SCHOOLS):
        school, pupils = school_with_pupils(storage, partner_id, PUPILS_PER_SCHOOL, seed=700 + n,
                                            label=f"Ceremony Primary {n:02d}")
        (code,) = create_codes(TRUST, activity.id, CodesIn(count=1, single_use=True), storage=storage).codes
        pupil = pupils[0]
        redeem(Principal(subject_id=pupil.id, role=Role.PUPIL, school_id=school.id, partner_id=partner_id),
               RedemptionIn(code=code.code), storage=storage)
        schools.append((school, pupils))

    # --- (a) checking a code: one point read of `verifications` (plus the per-client throttle) --------
    school, pupils = schools[0]
    award = get_award(storage, CertificateRef(school.id, pupils[0].id, 1))
    assert award is not None
    code = verification.code_for_award(storage, school, pupils[0], award)
    genuine = count_path(lambda: verification.check(code, "bench-client-1", storage=storage))
    unknown = count_path(lambda: verification.check("0000-0000-0000-0000", "bench-client-2", storage=storage),
                         expect=VerificationCodeNotKnown)
    lookups = genuine.by_kind.get("GET verifications", 0)
    assert lookups == 1, describe_kinds(genuine)

    # --- (b) signing a credential: the app's sign() against PyJWT with a bare Ed25519 key ------------
    found = verifications.get(storage, code)
    assert found is not None
    urls = badge.IssuerUrls(base="https://cu-online.example")
    claims = badge.jwt_claims(badge.open_badge_credential(urls, found, ["communication", "teamwork"], "2026-12"))
    raw_key = Ed25519PrivateKey.generate()

    def samples(fn) -> list[float]:
        out = []
        for _ in range(SIGNATURES):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
        return out

    samples(lambda: signing.sign(claims))  # warm: key derivation, PyJWT's algorithm table
    ours = samples(lambda: signing.sign(claims))
    floor = samples(lambda: jwt.encode(claims, raw_key, algorithm="EdDSA"))
    ours_p50, floor_p50 = percentile(ours, 50) * 1000, percentile(floor, 50) * 1000

    # --- (c) a graduation list over the partner's schools --------------------------------------------
    listing = count_path(lambda: partner_graduation(TRUST, partner_id, GraduationQuery(), storage=storage))
    school_queries = listing.by_kind.get("GET pupils", 0)
    assert school_queries == SCHOOLS, describe_kinds(listing)

    return Result(rows=[
        Row("verify: storage requests (genuine code)", genuine.total, "requests", describe_kinds(genuine)),
        Row("verify: point reads of verifications", lookups, "reads", "the check itself; the rest is the throttle"),
        Row("verify: storage requests (unknown code)", unknown.total, "requests", describe_kinds(unknown)),
        Row("sign credential p50", round(ours_p50, 3), "ms", f"{SIGNATURES} signatures, target ≤ 5 ms"),
        Row("sign credential p50, raw PyJWT Ed25519", round(floor_p50, 3), "ms", "same payload, bare key"),
        Row("sign: app / raw", round(ours_p50 / floor_p50, 2), "×", "time ratio (1 = no overhead)"),
        Row(f"graduation list, {SCHOOLS} schools: queries on pupils", school_queries, "queries",
            "one partition query per school"),
        Row(f"graduation list, {SCHOOLS} schools: storage requests", listing.total, "requests",
            describe_kinds(listing)),
    ], notes=(
        f"A partner of {SCHOOLS} schools with {PUPILS_PER_SCHOOL} pupils each, one Bronze Award per school. "
        "Verification requests besides the one point read are the per-client throttle (read + write of "
        "its counter). The graduation list also reads the partner row, its school listing, and writes one "
        "audit entry per school with pupils on the list."
    ))
