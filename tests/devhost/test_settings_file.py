import json
import stat

import pytest

from devhost.settings_file import (
    CREDENTIAL_KEY_SETTING,
    SIGNING_KEY_SETTING,
    SettingsFileError,
    ensure_settings_file,
    load_settings_file,
    read_values,
)


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "local.settings.sample.json"
    path.write_text(
        json.dumps(
            {
                "IsEncrypted": False,
                "Values": {
                    "CUO_ENVIRONMENT": "local",
                    SIGNING_KEY_SETTING: "change-me: python -m devhost writes a random key",
                    "LEAVER_GRACE_DAYS": "30",
                },
                "Host": {"LocalHttpPort": 7071},
            }
        )
    )
    return path


def test_a_missing_settings_file_is_created_from_the_sample_with_a_fresh_random_key(tmp_path, sample):
    target = tmp_path / "local.settings.json"
    assert ensure_settings_file(target, sample)
    document = json.loads(target.read_text())
    key = document["Values"][SIGNING_KEY_SETTING]
    assert "change-me" not in key
    assert len(key) >= 64
    assert document["Values"]["LEAVER_GRACE_DAYS"] == "30"
    assert document["Host"] == {"LocalHttpPort": 7071}


def test_each_new_settings_file_gets_its_own_key(tmp_path, sample):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    ensure_settings_file(first, sample)
    ensure_settings_file(second, sample)
    assert read_values(first)[SIGNING_KEY_SETTING] != read_values(second)[SIGNING_KEY_SETTING]


def test_the_created_file_is_readable_by_its_owner_only(tmp_path, sample):
    target = tmp_path / "local.settings.json"
    ensure_settings_file(target, sample)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_existing_settings_file_is_left_alone(tmp_path, sample):
    target = tmp_path / "local.settings.json"
    target.write_text('{"Values": {"TOKEN_SIGNING_KEY": "mine"}}')
    assert not ensure_settings_file(target, sample)
    assert read_values(target) == {"TOKEN_SIGNING_KEY": "mine"}


def test_values_become_environment_variables_without_overriding_those_already_set(tmp_path, sample):
    target = tmp_path / "local.settings.json"
    environ = {"CUO_ENVIRONMENT": "test"}
    applied = load_settings_file(target, sample, environ)
    assert environ["CUO_ENVIRONMENT"] == "test"
    assert environ["LEAVER_GRACE_DAYS"] == "30"
    assert environ[SIGNING_KEY_SETTING] == read_values(target)[SIGNING_KEY_SETTING]
    assert "CUO_ENVIRONMENT" not in applied
    assert set(applied) == {"LEAVER_GRACE_DAYS", SIGNING_KEY_SETTING, CREDENTIAL_KEY_SETTING}


def test_a_new_settings_file_gets_its_own_credential_signing_key(tmp_path, sample):
    target = tmp_path / "local.settings.json"
    ensure_settings_file(target, sample)
    values = read_values(target)
    assert len(values[CREDENTIAL_KEY_SETTING]) >= 64
    assert values[CREDENTIAL_KEY_SETTING] != values[SIGNING_KEY_SETTING]


def test_non_string_values_are_passed_as_their_json_text(tmp_path):
    target = tmp_path / "local.settings.json"
    target.write_text('{"Values": {"ENABLED": true, "LIMIT": 5, "UNSET": null}}')
    assert read_values(target) == {"ENABLED": "true", "LIMIT": "5"}


def test_without_a_sample_the_file_holds_just_the_keys(tmp_path):
    target = tmp_path / "local.settings.json"
    ensure_settings_file(target, tmp_path / "missing.sample.json")
    assert list(read_values(target)) == [SIGNING_KEY_SETTING, CREDENTIAL_KEY_SETTING]


@pytest.mark.parametrize(
    "content, problem",
    [("{not json", "not valid JSON"), ('{"Values": []}', "Values"), ('{"IsEncrypted": true}', "encrypted")],
)
def test_an_unusable_settings_file_is_reported(tmp_path, content, problem):
    target = tmp_path / "local.settings.json"
    target.write_text(content)
    with pytest.raises(SettingsFileError, match=problem):
        read_values(target)
