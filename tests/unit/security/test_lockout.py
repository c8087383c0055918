from datetime import timedelta

from shared.security.lockout import CODE_GUESS, SIGN_IN


def test_sign_in_locks_after_the_fifth_attempt_and_doubles_up_to_fifteen_minutes():
    assert [SIGN_IN.lock_after(n) for n in range(1, 5)] == [timedelta(0)] * 4
    assert SIGN_IN.lock_after(5) == timedelta(seconds=30)
    assert SIGN_IN.lock_after(6) == timedelta(seconds=60)
    assert SIGN_IN.lock_after(60) == timedelta(minutes=15)


def test_code_guessing_allows_ten_then_backs_off_in_minutes():
    assert CODE_GUESS.lock_after(9) == timedelta(0)
    assert CODE_GUESS.lock_after(10) == timedelta(minutes=1)
    assert CODE_GUESS.lock_after(100) == timedelta(minutes=15)
