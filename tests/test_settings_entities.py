"""Every switch, number, select and button sends the right command and follows the answer."""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.milesight_x5.number import NUMBERS
from custom_components.milesight_x5.select import SELECTS
from custom_components.milesight_x5.switch import SWITCHES

from .conftest import MAC, FakeCamera, snapshot_entities, wake_up

OBJECT_ID = "garden_camera_"


def _entity_id(entity_registry: er.EntityRegistry, domain: str, key: str) -> str:
    entity_id = entity_registry.async_get_entity_id(
        domain, "milesight_x5", f"{MAC}_{key}"
    )
    assert entity_id is not None
    return entity_id


def _expected(camera: Any, setting: Any, value: Any) -> dict[str, Any]:
    """The set.* data: the scalar alone or its whole branch as the camera has it."""
    data: dict[str, Any] = setting.payload(value, camera.settings[setting.group])
    return data


async def _cut_off_refused(
    hass: HomeAssistant, description: Any, value: Any, call: Any
) -> bool:
    """A value that would cut HA off (no HTTP access here) is refused: True."""
    if description.cuts_link is None or not description.cuts_link(value):
        return False
    with pytest.raises(ServiceValidationError) as err:
        await call()
    assert err.value.translation_key == "lockout"
    return True


def _read(settings: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = settings
    for part in path:
        node = node[part]
    return node


@pytest.mark.parametrize(
    "platform",
    [
        Platform.SWITCH,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.BUTTON,
        Platform.UPDATE,
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_settings_snapshot(
    hass: HomeAssistant,
    mqtt_mock: Any,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """The settings entities, buttons and firmware with the simulated camera's
    (the guide's) values."""
    from unittest.mock import patch

    camera = FakeCamera(hass, mqtt_mock, MAC)
    with patch("custom_components.milesight_x5.PLATFORMS", [platform]):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await wake_up(hass, camera[MAC])
    await snapshot_entities(hass, entity_registry, snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize("description", SWITCHES, ids=lambda d: d.key)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_each_switch(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    entity_registry: er.EntityRegistry,
    description: Any,
) -> None:
    """Off then on: the set.* carries the field (alone, or with its whole branch),
    the state follows; a value that would cut HA off is refused."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    entity_id = _entity_id(entity_registry, "switch", description.key)
    setting = description.setting
    for service, value, state in (("turn_off", 0, "off"), ("turn_on", 1, "on")):

        async def call(service: str = service) -> None:
            await hass.services.async_call(
                "switch", service, {ATTR_ENTITY_ID: entity_id}, blocking=True
            )

        if await _cut_off_refused(hass, description, value, call):
            continue
        expected = _expected(camera, setting, value)
        await call()
        assert fake_camera.sent(setting.write_command)[-1]["data"] == expected
        assert hass.states.get(entity_id).state == state
        stored = _read(camera.settings[setting.group], setting.path)
        assert stored == (str(value) if setting.as_text else value)


@pytest.mark.parametrize("description", NUMBERS, ids=lambda d: d.key)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_each_number(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    entity_registry: er.EntityRegistry,
    description: Any,
) -> None:
    """The maximum of the guide's range is written and shown; beyond it is refused."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    entity_id = _entity_id(entity_registry, "number", description.key)
    value = description.native_max_value
    expected = _expected(camera, description.setting, int(value))
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: entity_id, "value": value},
        blocking=True,
    )
    assert fake_camera.sent(description.setting.write_command)[-1]["data"] == expected
    assert float(hass.states.get(entity_id).state) == value
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: entity_id, "value": value + 1},
            blocking=True,
        )


@pytest.mark.parametrize("description", SELECTS, ids=lambda d: d.key)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_each_select(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    entity_registry: er.EntityRegistry,
    description: Any,
) -> None:
    """The last option is written as its index and shown (Low Power mode, which
    would cut HA off, is refused without HTTP access)."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    entity_id = _entity_id(entity_registry, "select", description.key)
    option = description.options[-1]
    index = len(description.options) - 1

    async def call() -> None:
        await hass.services.async_call(
            "select",
            "select_option",
            {ATTR_ENTITY_ID: entity_id, "option": option},
            blocking=True,
        )

    if await _cut_off_refused(hass, description, index, call):
        return
    expected = _expected(camera, description.setting, index)
    await call()
    assert fake_camera.sent(description.setting.write_command)[-1]["data"] == expected
    assert hass.states.get(entity_id).state == option


async def test_select_shows_unknown_for_unlisted_values(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A value the guide does not list shows unknown, never a wrong option."""
    camera = fake_camera[MAC]
    camera.settings["image.info"]["dnMode"] = 9
    await wake_up(hass, camera)
    assert hass.states.get("select.garden_camera_day_night_mode").state == "unknown"


@pytest.mark.parametrize(
    ("key", "api"),
    [
        ("reboot", "cmd.reboot"),
        ("snapshot_now", "cmd.snapshot"),
        ("check_firmware", "upgrade.check"),
        ("format_sd_card", "cmd.sd.format"),
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_each_button(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    entity_registry: er.EntityRegistry,
    key: str,
    api: str,
) -> None:
    """Each button sends its command once."""
    await wake_up(hass, fake_camera[MAC])
    before = len(fake_camera.sent(api))
    entity_id = _entity_id(entity_registry, "button", key)
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert len(fake_camera.sent(api)) == before + 1


async def test_wake_button_and_format_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    entity_registry: er.EntityRegistry,
) -> None:
    """Wake publishes on the wake topic; SD format is off until the user enables it."""
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.garden_camera_wake"}, blocking=True
    )
    assert fake_camera.wakes == [MAC]
    entry = entity_registry.async_get("button.garden_camera_format_sd_card")
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_snapshot_button_brings_a_new_image(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """cmd.snapshot: the picture arrives as a normal snapshot uplink."""
    await wake_up(hass, fake_camera[MAC])
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.garden_camera_snapshot_now"},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "manual"
    assert hass.states.get("image.garden_camera_snapshot").state != "unknown"
