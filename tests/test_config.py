from pathlib import Path

import pytest

from kg.config import load_settings
from kg.errors import KGError


def test_paths_resolve_against_the_home(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={})
    assert settings.store_dir == tmp_path / "var" / "store"
    assert settings.sources_dir == tmp_path / "data" / "sources"
    assert settings.exports_dir == tmp_path / "var" / "exports"


def test_home_from_environment(tmp_path: Path) -> None:
    assert load_settings(env={"KG_HOME": str(tmp_path)}).home == tmp_path.resolve()


def test_two_homes_share_nothing(tmp_path: Path) -> None:
    a, b = load_settings(tmp_path / "a", env={}), load_settings(tmp_path / "b", env={})
    for name in ("sources", "store", "exports", "cache"):
        assert a.path(name) != b.path(name)


def test_precedence_defaults_toml_env_options(tmp_path: Path) -> None:
    (tmp_path / "kg.toml").write_text(
        'base_iri = "https://toml.example/"\n[paths]\nstore = "s1"\n[server]\nport = 9001\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path, env={"KG_STORE": "s2"})
    assert settings.base_iri == "https://toml.example/"
    assert settings.store_dir == tmp_path / "s2"
    assert settings.port == 9001
    assert load_settings(tmp_path, env={}, base_iri="https://cli.example").base_iri == "https://cli.example/"


def test_bad_settings_name_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "kg.toml").write_text("stroe = 'x'\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"kg.toml.*unknown setting 'stroe'"):
        load_settings(tmp_path, env={})
    (tmp_path / "kg.toml").write_text("port = 'eighty'\n", encoding="utf-8")
    with pytest.raises(KGError, match="port"):
        load_settings(tmp_path, env={})


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(KGError, match="KG_PORT"):
        load_settings(tmp_path, env={"KG_PORT": "x"})
