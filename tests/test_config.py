"""Settings: flag > IXPREADY_* > file > default; bad values named; keys never shown."""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from ixpready.config import KEYS, SECTIONS, Secret, Settings, load_settings
from ixpready.errors import ConfigError, ExitCode

REPO = Path(__file__).resolve().parents[1]


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_flag_beats_environment_beats_file_beats_default(tmp_path: Path) -> None:
    config = _write(tmp_path / "c.toml", '[atlas]\nserver = "file.example:443"\ntimeout_s = 5\n'
                    '[plan]\nbudget_credits = 2000\n')
    environ = {"IXPREADY_ATLAS_SERVER": "env.example:8443", "IXPREADY_PLAN_BUDGET_CREDITS": "3000"}
    settings = load_settings(config, environ, {"plan_budget_credits": 4000})
    assert settings.atlas.server == "env.example:8443"
    assert settings.atlas.timeout_s == 5.0
    assert settings.plan.budget_credits == 4000
    assert settings.atlas.retries == Settings().atlas.retries
    assert settings.source == str(config)


def test_a_bad_value_names_file_key_value_and_form(tmp_path: Path) -> None:
    config = _write(tmp_path / "c.toml", '[atlas]\nserver = "https://atlas.ripe.net/api"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config, {})
    assert str(caught.value) == (
        f"{config}: key 'atlas.server' is 'https://atlas.ripe.net/api', "
        "expected host or host:port, without https:// or a path"
    )
    assert caught.value.exit_code == ExitCode.CONFIG


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"IXPREADY_ATLAS_RETRIES": "0", "XDG_CONFIG_HOME": "/nonexistent"})
    assert str(caught.value) == (
        "IXPREADY_ATLAS_RETRIES: key 'atlas.retries' is '0', expected a whole number >= 1"
    )


def test_unknown_keys_and_bad_toml_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'atlas\.sever'"):
        load_settings(_write(tmp_path / "a.toml", '[atlas]\nsever = "x"\n'), {})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path / "b.toml", "[atlas\n"), {})
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "missing.toml", {})


def test_the_key_comes_from_the_environment_or_a_key_file_and_prints_as_stars(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = _write(tmp_path / "atlas.key", "s3cret-key\n", mode=0o644)
    config = _write(tmp_path / "c.toml", f'[atlas]\nkey_file = "{key_file}"\n', mode=0o644)
    with caplog.at_level(logging.WARNING):
        settings = load_settings(config, {})
    assert settings.atlas.key.reveal() == "s3cret-key"
    assert str(settings.atlas.key) == "****"
    assert "s3cret-key" not in repr(settings)
    warnings = [r.getMessage() for r in caplog.records]
    assert f"config file {config} is readable by other users; run: chmod 600 {config}" in warnings
    assert any("key file" in w for w in warnings)
    from_env = load_settings(config, {"IXPREADY_ATLAS_KEY": "env-key"})
    assert from_env.atlas.key.reveal() == "env-key"
    assert str(Secret("")) == "(not set)"


def test_a_bad_key_value_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"IXPREADY_ATLAS_KEY": "   ", "XDG_CONFIG_HOME": str(tmp_path)})
    assert "'atlas.key' is ****" in str(caught.value)


def _example_lines(text: str) -> dict[str, tuple[str, bool, str]]:
    """Returns config.example.toml's key lines: dotted key -> (line, commented out, the line
    before). A commented header (`# [[events]]`) starts a block whose lines are not keys."""
    found: dict[str, tuple[str, bool, str]] = {}
    section: str | None = ""
    previous = ""
    for line in text.splitlines():
        stripped = line.strip()
        header = re.match(r"^(#\s*)?\[+([a-z_]+)\]+", stripped)
        if header:
            section = None if header.group(1) else header.group(2)
        else:
            key = re.match(r"^(#\s*)?([a-z_]+) = ", stripped)
            if key and section is not None:
                dotted = f"{section}.{key.group(2)}" if section else key.group(2)
                assert dotted not in found, f"{dotted} appears twice"
                found[dotted] = (stripped, bool(key.group(1)), previous)
        previous = stripped
    return found


def test_the_example_lists_every_key_with_its_default_and_a_comment(tmp_path: Path) -> None:
    example = REPO / "config.example.toml"
    text = example.read_text()
    document = tomllib.loads(text)
    lines = _example_lines(text)
    assert set(lines) == {key.dotted for key in KEYS}, "unknown or missing keys"
    assert set(document) - {key.name for key in KEYS if not key.section} == set(SECTIONS)
    for key in KEYS:
        line, commented, previous = lines[key.dotted]
        written = line.lstrip("# ").split("#", 1)
        assert len(written) == 2 or previous.startswith("#"), f"{key.dotted}: no comment"
        if commented:  # only an unset default (or one computed from the environment)
            assert not key.default or isinstance(key.default, Path), key.dotted
            continue
        table = document[key.section] if key.section else document
        assert key.read(table[key.name]) == key.default, key.dotted
        assert key.help, key.dotted
    settings = load_settings(_write(tmp_path / "example.toml", text), {})
    assert replace(settings, source="(defaults)", data_dir=Settings().data_dir) == Settings()


def test_the_variables_are_derived_from_the_declaration() -> None:
    assert {key.env for key in KEYS} >= {
        "IXPREADY_ATLAS_SERVER", "IXPREADY_STORE_URL", "IXPREADY_REGISTRIES_RPKI_VRPS_URL",
        "IXPREADY_RUN_RESULTS", "IXPREADY_RDNS_SERVERS", "IXPREADY_COUNTRY",
    }  # fmt: skip
    assert len({key.env for key in KEYS}) == len(KEYS)  # no two keys share a variable
    settings = load_settings(None, {key.env: "" for key in KEYS} | {
        "IXPREADY_LOCATE_RADIUS_KM": "80", "XDG_CONFIG_HOME": "/nonexistent"})
    assert settings.locate.radius_km == 80
    assert settings.locate == replace(Settings().locate, radius_km=80)
    with pytest.raises(ConfigError, match="unknown setting 'locate_radius'"):
        load_settings(None, {"XDG_CONFIG_HOME": "/nonexistent"}, {"locate_radius": 1})


def test_dns_servers_for_reverse_dns_are_addresses_with_ports(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[rdns]\nservers = ["192.0.2.53", "192.0.2.54:5353", "[2001:db8::53]:53"]\n')
    config.chmod(0o600)
    settings = load_settings(config, {})
    assert settings.rdns.servers == (("192.0.2.53", 53), ("192.0.2.54", 5353), ("2001:db8::53", 53))
    assert settings.rdns.gather and settings.rdns.timeout_s == 2.0
    environ = {"IXPREADY_RDNS_SERVERS": "127.0.0.1:5300, ::1", "IXPREADY_RDNS_GATHER": "false"}
    settings = load_settings(config, environ)
    assert settings.rdns.servers == (("127.0.0.1", 5300), ("::1", 53))
    assert not settings.rdns.gather
    for bad in ("dns.example", "192.0.2.1:0", "192.0.2.1:domain"):
        with pytest.raises(ConfigError, match=r"IXPREADY_RDNS_SERVERS.*ADDRESS or ADDRESS:PORT"):
            load_settings(config, {"IXPREADY_RDNS_SERVERS": bad})
