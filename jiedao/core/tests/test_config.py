"""Settings helpers fail loudly; system checks catch misconfiguration at start-up."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_env_str_requires_a_value_without_default(monkeypatch):
    monkeypatch.delenv("JIEDAO_TEST_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="JIEDAO_TEST_X"):
        env.env_str("JIEDAO_TEST_X")
    assert env.env_str("JIEDAO_TEST_X", "d") == "d"


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("YES", True), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("JIEDAO_TEST_B", raw)
    assert env.env_bool("JIEDAO_TEST_B", not value) is value


def test_env_bool_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("JIEDAO_TEST_B", "maybe")
    with pytest.raises(ImproperlyConfigured, match="JIEDAO_TEST_B"):
        env.env_bool("JIEDAO_TEST_B", False)


def test_env_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("JIEDAO_TEST_I", "abc")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("JIEDAO_TEST_I", 1)
    monkeypatch.setenv("JIEDAO_TEST_I", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env.env_int("JIEDAO_TEST_I", 10, minimum=5)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("JIEDAO_TEST_L", "a.example, b.example,,")
    assert env.env_list("JIEDAO_TEST_L", []) == ["a.example", "b.example"]


def test_database_url_parsing(monkeypatch, tmp_path):
    monkeypatch.setenv("JIEDAO_TEST_DB", "postgres://u:p@db.example:5433/jiedao")
    config = env.env_database("JIEDAO_TEST_DB", tmp_path / "x.sqlite3")
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        5433,
        "jiedao",
    )
    monkeypatch.setenv("JIEDAO_TEST_DB", "mysql://u@h/db")
    with pytest.raises(ImproperlyConfigured, match="postgres:// or sqlite:///"):
        env.env_database("JIEDAO_TEST_DB", tmp_path / "x.sqlite3")
    monkeypatch.delenv("JIEDAO_TEST_DB")
    assert env.env_database("JIEDAO_TEST_DB", tmp_path / "x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"


def _ids(**kwargs):
    return {message.id for message in run_checks(**kwargs)}


def test_system_checks_catch_a_bad_time_zone_language_and_tile_url(settings):
    settings.TIME_ZONE = "Mars/Olympus"
    settings.LANGUAGE_CODE = "fr"
    settings.MAP_TILE_URL = "https://tiles.example/tile.png"
    assert {"jiedao.E002", "jiedao.E003", "jiedao.E004"} <= _ids()


def test_deploy_checks_want_a_separate_long_encryption_key(settings):
    settings.FIELD_ENCRYPTION_KEY = "short"
    assert "jiedao.E001" in _ids(include_deployment_checks=True)
    settings.FIELD_ENCRYPTION_KEY = settings.SECRET_KEY
    assert "jiedao.W001" in _ids(include_deployment_checks=True)


def test_site_url_must_be_an_address_and_is_wanted_in_production(settings):
    settings.SITE_URL = "jiedao.example.gov.cn"
    assert "jiedao.E005" in _ids()
    settings.SITE_URL = ""
    assert "jiedao.E005" not in _ids()
    assert "jiedao.W002" in _ids(include_deployment_checks=True)
    settings.SITE_URL = "https://jiedao.example.gov.cn"
    assert not {"jiedao.E005", "jiedao.W002"} & _ids(include_deployment_checks=True)


def test_production_settings_refuse_to_start_without_secrets(monkeypatch):
    import importlib
    import sys

    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    sys.modules.pop("config.settings.production", None)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        importlib.import_module("config.settings.production")


def test_production_settings_harden_cookies_and_hsts(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "s" * 50)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "f" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiedao")
    sys.modules.pop("config.settings.production", None)
    prod = importlib.import_module("config.settings.production")
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE and prod.SECURE_SSL_REDIRECT
    assert prod.SECURE_HSTS_SECONDS >= 31536000
    assert prod.DEBUG is False
    assert prod.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
