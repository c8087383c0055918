from shared.cli import main
from shared.credentials.logins_store import login_key, read_login


def test_bootstrap_admin_creates_a_trust_admin_and_prints_a_one_time_link(azurite, storage, capsys):
    assert main(["bootstrap-admin", "--first-name", "Ada", "--last-name", "Lovelace", "--nickname", "Ada",
                 "--email", "ada.bootstrap@example.org.uk"]) == 0
    out = capsys.readouterr().out
    assert "/#/invitation/" in out
    record = read_login(storage, login_key("ada.bootstrap@example.org.uk"))
    assert record is not None and record.role.value == "trust_admin" and record.password_hash is None


def test_bootstrap_admin_refuses_a_bad_email_without_echoing_it(azurite, capsys):
    assert main(["bootstrap-admin", "--first-name", "Ada", "--last-name", "L", "--nickname", "A",
                 "--email", "not-an-email-xyz"]) == 2
    err = capsys.readouterr().err
    assert "email" in err and "not-an-email-xyz" not in err
