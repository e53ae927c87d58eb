"""Translations: en.json is generated from strings.json, and every key used exists."""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib
from typing import Any

from homeassistant.const import __version__ as ha_version
import pytest

from custom_components.milesight_x5 import (
    binary_sensor,
    button,
    camera,
    device_tracker,
    event,
    image,
    number,
    select,
    sensor,
    switch,
    update,
)
from custom_components.milesight_x5.device_trigger import TRIGGER_TYPES

from .helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
STRINGS = json.loads((INTEGRATION / "strings.json").read_text())
ICONS = json.loads((INTEGRATION / "icons.json").read_text())


def _pinned_ha() -> str:
    """The Home Assistant version the project pins (its tests' requirements)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in project["project"]["optional-dependencies"]["test"]:
        if requirement.startswith("homeassistant=="):
            return str(requirement.removeprefix("homeassistant=="))
    raise AssertionError("pyproject.toml pins no homeassistant version")


def _without_common(node: Any, source: Any) -> Any:
    """``node`` with the texts strings.json takes from HA's common strings masked."""
    if isinstance(node, dict) and isinstance(source, dict):
        return {
            key: _without_common(value, source.get(key)) for key, value in node.items()
        }
    if isinstance(source, str) and "[%key:common::" in source:
        return "<common>"
    return node


def test_en_json_is_current() -> None:
    """translations/en.json is strings.json with references resolved (run the script)."""
    expected = load_script("translations").render()
    actual = (INTEGRATION / "translations" / "en.json").read_text()
    assert "[%key:" not in expected
    if ha_version == _pinned_ha():
        assert actual == expected
        return
    # en.json has the pinned version's wording of HA's common strings, which other
    # versions change ("already_in_progress" in 2026.x); all else must be current.
    assert _without_common(json.loads(actual), STRINGS) == _without_common(
        json.loads(expected), STRINGS
    )


DESCRIPTIONS = {
    "binary_sensor": binary_sensor.BINARY_SENSORS,
    "button": button.BUTTONS,
    "camera": (camera.CAMERA,),
    "device_tracker": (device_tracker.LOCATION,),
    "event": event.EVENTS,
    "image": (image.SNAPSHOT,),
    "number": number.NUMBERS,
    "select": select.SELECTS,
    "sensor": sensor.SENSORS,
    "switch": switch.SWITCHES,
    "update": (update.FIRMWARE,),
}


@pytest.mark.parametrize("platform", sorted(DESCRIPTIONS))
def test_every_entity_is_named(platform: str) -> None:
    """Each translation key has a name (and its states); unnamed ones use a device
    class, or are the device's main entity (named after it, ``name=None``)."""
    keys = set()
    icons_only = set()
    for description in DESCRIPTIONS[platform]:
        if description.name is None:
            icons_only.add(description.translation_key)
            assert description.translation_key not in STRINGS["entity"].get(
                platform, {}
            )
            continue
        if description.translation_key is None:
            assert description.device_class is not None, description.key
            continue
        keys.add(description.translation_key)
        entry = STRINGS["entity"][platform][description.translation_key]
        assert entry["name"]
        options = getattr(description, "options", None)
        if options:
            assert set(entry["state"]) == set(options), description.key
    assert set(STRINGS["entity"].get(platform, {})) == keys
    assert set(ICONS["entity"].get(platform, {})) <= keys | icons_only


def test_every_device_trigger_is_named() -> None:
    """The automation editor has a name for each device trigger type."""
    assert set(STRINGS["device_automation"]["trigger_type"]) == set(TRIGGER_TYPES)


def test_every_raised_translation_key_exists() -> None:
    """Every translation_key the code raises is in strings.json's exceptions."""
    used = set()
    for path in INTEGRATION.glob("*.py"):
        text = path.read_text()
        used |= set(
            re.findall(
                r'translation_domain=DOMAIN,\s*translation_key="([a-z_]+)"', text
            )
        )
        used |= set(re.findall(r'refuse\(\s*"([a-z_]+)"', text))
    assert {"lockout", "unknown_device", "no_camera_in_area"} <= used
    errors = (INTEGRATION / "errors.py").read_text()
    used |= set(re.findall(r'key = "([a-z_]+)"', errors))
    used |= {
        "low_power_mode",
        "wake_disabled",
        "camera_asleep",
        "firmware_installing",
    }  # CameraAsleepError reasons
    issues = {"topic_mismatch", "factory_password", "history_unwritable"}
    assert used - issues <= set(STRINGS["exceptions"])
    assert issues <= set(STRINGS["issues"])


def test_services_are_described() -> None:
    """Every action and field in services.yaml has a name and description."""
    import yaml

    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    assert set(services) == set(STRINGS["services"]) == set(ICONS["services"])
    for name, service in services.items():
        fields = set(service.get("fields", {}))
        assert fields == set(STRINGS["services"][name].get("fields", {}))
        # Every action targets cameras by their entities (the UI then offers the
        # cameras' devices and areas too; test_services resolves those): hassfest
        # refuses a device filter on a target since Home Assistant 2025.11.
        assert service["target"] == {"entity": {"integration": "milesight_x5"}}


def test_no_english_internals_reach_the_user() -> None:
    """Exceptions say what happened with names, commands and codes, never an
    English error text of the protocol layer passed through {error}."""
    for key, exception in STRINGS["exceptions"].items():
        assert "{error}" not in exception["message"], key


def test_send_command_offers_the_whole_catalogue() -> None:
    """The command field lists every command of the catalogue, each labelled in
    every language with its name and direction (read, write, act; HTTP only)."""
    import yaml

    from custom_components.milesight_x5.api import COMMANDS, selector_key

    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    select = services["send_command"]["fields"]["command"]["selector"]["select"]
    assert select["translation_key"] == "command"
    assert set(select["options"]) == {selector_key(c.name) for c in COMMANDS}
    # Reads, then writes, then acts.
    by_key = {selector_key(c.name): c for c in COMMANDS}
    order = [
        ("read", "write", "act").index(by_key[k].kind.value) for k in select["options"]
    ]
    assert order == sorted(order)
    words = {
        "en": ("read", "write", "act", "HTTP only"),
        "de": ("lesen", "schreiben", "Aktion", "nur HTTP"),
        "zh-Hans": ("读取", "写入", "操作", "仅 HTTP"),
    }
    for language, (read, write, act, http) in words.items():
        labels = json.loads(
            (INTEGRATION / "translations" / f"{language}.json").read_text()
        )["selector"]["command"]["options"]
        assert set(labels) == set(select["options"]), language
        for command in COMMANDS:
            label = labels[selector_key(command.name)]
            kind = {"read": read, "write": write, "act": act}[command.kind.value]
            assert label.startswith(f"{command.name} ({kind}"), (language, label)
            assert (http in label) is (not command.over_mqtt), (language, label)


QUALITY_RULES = {
    "bronze": """action-setup appropriate-polling brands common-modules config-flow
        config-flow-test-coverage dependency-transparency docs-actions docs-conditions
        docs-high-level-description docs-installation-instructions
        docs-removal-instructions docs-triggers entity-event-setup entity-unique-id
        has-entity-name runtime-data test-before-configure test-before-setup
        unique-config-entry""",
    "silver": """action-exceptions config-entry-unloading docs-configuration-parameters
        docs-installation-parameters entity-unavailable integration-owner
        log-when-unavailable parallel-updates reauthentication-flow test-coverage""",
    "gold": """devices diagnostics discovery discovery-update-info docs-data-update
        docs-examples docs-known-limitations docs-supported-devices
        docs-supported-functions docs-troubleshooting docs-use-cases dynamic-devices
        entity-category entity-device-class entity-disabled-by-default
        entity-translations exception-translations icon-translations
        reconfiguration-flow repair-issues stale-devices""",
    "platinum": "async-dependency inject-websession strict-typing",
}


def test_quality_scale_lists_every_rule_done_or_exempt() -> None:
    """Every rule up to Platinum is listed; each is done, or exempt with a reason."""
    import yaml

    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    expected = {rule for tier in QUALITY_RULES.values() for rule in tier.split()}
    assert set(rules) == expected
    for name, rule in rules.items():
        status = rule if isinstance(rule, str) else rule["status"]
        assert status in {"done", "exempt"}, name
        if status == "exempt":
            assert rule["comment"], name
