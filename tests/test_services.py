"""Actions: wake, reboot, snapshot, send_command; targets and validation."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import area_registry as ar, device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.const import DOMAIN

from .conftest import MAC, OTHER_MAC, FakeCamera, make_entry, wake_up


def _device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return device.id


@pytest.fixture
def device_id(hass: HomeAssistant, init_integration: MockConfigEntry) -> str:
    """The camera's device."""
    return _device_id(hass, init_integration)


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=service == "send_command",
    )


async def test_wake_reboot_snapshot(
    hass: HomeAssistant, device_id: str, fake_camera: FakeCamera
) -> None:
    """wake publishes on the wake topic; reboot and snapshot send their commands."""
    camera = fake_camera[MAC]
    camera.awake = False
    await _call(hass, "wake", device_id=device_id)
    assert fake_camera.wakes == [MAC]
    await hass.async_block_till_done()
    await _call(hass, "reboot", device_id=device_id)
    assert camera.reboots == 1
    await _call(hass, "snapshot", device_id=device_id)
    # The action returned with the picture in place.
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "manual"


async def test_send_command_returns_the_answer(
    hass: HomeAssistant, device_id: str, fake_camera: FakeCamera
) -> None:
    """Answers come back keyed by camera; set.* data may be an object or JSON text."""
    await wake_up(hass, fake_camera[MAC])
    response = await _call(
        hass, "send_command", device_id=device_id, command="get.image.info"
    )
    assert response[MAC]["command"] == "get.image.info"
    assert response[MAC]["response"]["brightness"] == 50
    # What the UI's translated list sends: the command's key.
    response = await _call(
        hass, "send_command", device_id=device_id, command="get_image_info"
    )
    assert response[MAC]["command"] == "get.image.info"
    response = await _call(
        hass,
        "send_command",
        device_id=device_id,
        command=" set.image.info ",
        data='{"brightness": 70}',
    )
    assert response == {
        MAC: {"command": "set.image.info", "response": {"code": 0, "result": "OK"}}
    }
    assert fake_camera.sent("set.image.info")[-1]["data"] == {"brightness": 70}
    await _call(
        hass,
        "send_command",
        device_id=device_id,
        command="set.image.info",
        data={"contrast": 1},
    )
    assert fake_camera[MAC].settings["image.info"]["contrast"] == 1


async def test_targets_the_way_home_assistant_sends_them(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    area_registry: ar.AreaRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """device_id as a list (UI and YAML targets), an entity, an area: each X5
    camera targeted gets the action once (observation 9)."""
    entries = [make_entry(MAC), make_entry(OTHER_MAC, title="Barn camera")]
    for entry in entries:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    fake = FakeCamera(hass, mqtt_mock, MAC, OTHER_MAC)
    for mac in (MAC, OTHER_MAC):
        await wake_up(hass, fake[mac])
    garden, barn = (_device_id(hass, entry) for entry in entries)

    response = await _call(
        hass, "send_command", device_id=[garden, barn], command="get.sys.info"
    )
    assert set(response) == {MAC, OTHER_MAC}

    await _call(hass, "reboot", entity_id="sensor.barn_camera_battery")
    assert (fake[MAC].reboots, fake[OTHER_MAC].reboots) == (0, 1)

    area = area_registry.async_create("Garden")
    device_registry.async_update_device(garden, area_id=area.id)
    await _call(hass, "reboot", area_id=area.id)
    assert (fake[MAC].reboots, fake[OTHER_MAC].reboots) == (1, 1)

    # The same camera through two targets: once.
    await _call(
        hass, "reboot", device_id=garden, entity_id="sensor.garden_camera_battery"
    )
    assert fake[MAC].reboots == 2

    # What a target leaves out (Home Assistant 2026.11's exclude): not acted on;
    # something excluded that is no camera is simply not there.
    response = await _call(
        hass,
        "send_command",
        device_id=[garden, barn],
        exclude={"device_id": barn, "entity_id": "sun.sun"},
        command="get.sys.info",
    )
    assert set(response) == {MAC}


@pytest.mark.parametrize(
    ("target", "key"),
    [
        ({"device_id": "nope"}, "unknown_device"),
        ({"entity_id": "sun.sun"}, "not_a_camera_entity"),
        ({"area_id": "nowhere"}, "no_camera_in_area"),
    ],
)
async def test_anything_else_targeted_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    target: dict[str, str],
    key: str,
) -> None:
    """A target that is not an X5 camera is refused, translated, before anything
    is sent to any camera."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "wake", **target)
    assert err.value.translation_key == key
    assert fake_camera.wakes == []


async def test_other_integrations_device_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    device_id: str,
    fake_camera: FakeCamera,
) -> None:
    """A device of another integration among the targets: nothing is sent."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    lamp = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "lamp")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "wake", device_id=[device_id, lamp.id])
    assert err.value.translation_key == "unknown_device"
    assert fake_camera.wakes == []


@pytest.mark.parametrize(
    ("command", "data", "key"),
    [
        ("get.imag.info", None, "unknown_command"),
        ("set.image.info", "[1, 2]", "invalid_data"),
        ("set.image.info", "not json", "invalid_data"),
        ("get.image.info", {"x": 1}, "data_not_taken"),
    ],
)
async def test_send_command_validation(
    hass: HomeAssistant,
    device_id: str,
    fake_camera: FakeCamera,
    command: str,
    data: Any,
    key: str,
) -> None:
    """Bad commands and data are refused before anything is sent."""
    kwargs = {"data": data} if data is not None else {}
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass, "send_command", device_id=device_id, command=command, **kwargs
        )
    assert err.value.translation_key == key
    assert fake_camera.requests == []


async def test_camera_not_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_id: str
) -> None:
    """An unloaded camera is refused with its name."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "reboot", device_id=device_id)
    assert err.value.translation_key == "camera_not_loaded"


async def test_failure_on_one_camera_is_reported(
    hass: HomeAssistant, device_id: str, fake_camera: FakeCamera
) -> None:
    """A camera that fails: the action fails with its translated reason."""
    from homeassistant.exceptions import HomeAssistantError

    from custom_components.milesight_x5.const import CONF_WAKE_TIMEOUT

    entry = hass.config_entries.async_entries(DOMAIN)[0]
    hass.config_entries.async_update_entry(entry, options={CONF_WAKE_TIMEOUT: 0.2})
    fake_camera[MAC].settings["wakeup.info"]["wakeupByMQTT"] = 0
    fake_camera[MAC].awake = False
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "reboot", device_id=device_id)
    assert err.value.translation_key == "camera_asleep"
    assert fake_camera[MAC].reboots == 0


async def test_send_command_with_bytes_answer(
    hass: HomeAssistant, device_id: str, init_integration: MockConfigEntry
) -> None:
    """A binary answer (HTTP snapshot) is summarised, not dumped into the response."""
    from unittest.mock import AsyncMock, patch

    with patch.object(
        init_integration.runtime_data.commands,
        "async_command",
        AsyncMock(return_value=b"\xff\xd8"),
    ):
        response = await _call(
            hass, "send_command", device_id=device_id, command="cmd.snapshot"
        )
    assert response == {MAC: {"command": "cmd.snapshot", "bytes": 2}}


async def test_floor_and_label_targets(
    hass: HomeAssistant,
    device_id: str,
    fake_camera: FakeCamera,
    area_registry: ar.AreaRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A floor (its areas) and a label reach the camera too; empty ones are refused."""
    from homeassistant.helpers import floor_registry as fr, label_registry as lr

    await wake_up(hass, fake_camera[MAC])
    floor = fr.async_get(hass).async_create("Ground floor")
    garden = area_registry.async_create("Garden", floor_id=floor.floor_id)
    device_registry.async_update_device(device_id, area_id=garden.id)
    await _call(hass, "reboot", floor_id=floor.floor_id)
    label = lr.async_get(hass).async_create("Outdoor")
    device_registry.async_update_device(device_id, labels={label.label_id})
    await _call(hass, "reboot", label_id=label.label_id)
    assert fake_camera[MAC].reboots == 2
    empty = fr.async_get(hass).async_create("Attic")
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "reboot", floor_id=empty.floor_id)
    assert err.value.translation_key == "no_camera_in_floor"
    other = lr.async_get(hass).async_create("Indoor")
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "reboot", label_id=other.label_id)
    assert err.value.translation_key == "no_camera_with_label"
