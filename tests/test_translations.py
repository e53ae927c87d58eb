"""Translations: en.json is generated from strings.json, and every key used exists."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.milesight_x5 import (
    binary_sensor,
    button,
    device_tracker,
    event,
    image,
    number,
    select,
    sensor,
    switch,
    update,
)

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
STRINGS = json.loads((INTEGRATION / "strings.json").read_text())
ICONS = json.loads((INTEGRATION / "icons.json").read_text())


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "translations", ROOT / "scripts" / "translations.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_en_json_is_current() -> None:
    """translations/en.json is strings.json with references resolved (run the script)."""
    expected = _load_script().render()
    assert (INTEGRATION / "translations" / "en.json").read_text() == expected
    assert "[%key:" not in expected


DESCRIPTIONS = {
    "binary_sensor": binary_sensor.BINARY_SENSORS,
    "button": button.BUTTONS,
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
    """Each translation key has a name (and its states); unnamed ones use a device class."""
    keys = set()
    for description in DESCRIPTIONS[platform]:
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
    assert set(ICONS["entity"].get(platform, {})) <= keys


def test_every_raised_translation_key_exists() -> None:
    """Every translation_key the code raises is in strings.json's exceptions."""
    used = set()
    for name in ("__init__.py", "coordinator.py", "errors.py", "services.py"):
        text = (INTEGRATION / name).read_text()
        used |= set(re.findall(r'translation_key="([a-z_]+)"', text))
    errors = (INTEGRATION / "errors.py").read_text()
    used |= set(re.findall(r'key = "([a-z_]+)"', errors))
    used |= {
        "low_power_mode",
        "wake_disabled",
        "camera_asleep",
    }  # CameraAsleepError reasons
    issues = {"topic_mismatch", "factory_password"}
    assert used - issues <= set(STRINGS["exceptions"])
    assert issues <= set(STRINGS["issues"])


def test_services_are_described() -> None:
    """Every action and field in services.yaml has a name and description."""
    import yaml

    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    assert set(services) == set(STRINGS["services"]) == set(ICONS["services"])
    for name, service in services.items():
        assert set(service["fields"]) == set(STRINGS["services"][name]["fields"])
