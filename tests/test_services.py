"""Actions: wake, reboot, snapshot, send_command, and their validation."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.const import DOMAIN

from .conftest import MAC, FakeCamera, wake_up


@pytest.fixture
def device_id(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> str:
    """The camera's device."""
    device = device_registry.async_get_device(identifiers={(DOMAIN, MAC)})
    assert device is not None
    return device.id


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
    await _call(hass, "wake", device_id=device_id)
    assert fake_camera.wakes == [MAC]
    await wake_up(hass, camera)
    await _call(hass, "reboot", device_id=device_id)
    assert camera.reboots == 1
    await _call(hass, "snapshot", device_id=device_id)
    await hass.async_block_till_done()
    assert fake_camera.sent("cmd.snapshot")
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "manual"


async def test_send_command_returns_the_answer(
    hass: HomeAssistant, device_id: str, fake_camera: FakeCamera
) -> None:
    """get.* answers come back as response data; set.* data may be an object or JSON text."""
    await wake_up(hass, fake_camera[MAC])
    response = await _call(
        hass, "send_command", device_id=device_id, command="get.image.info"
    )
    assert response["command"] == "get.image.info"
    assert response["response"]["brightness"] == 50
    response = await _call(
        hass,
        "send_command",
        device_id=device_id,
        command=" set.image.info ",
        data='{"brightness": 70}',
    )
    assert response["response"] == {"code": 0, "result": "OK"}
    assert fake_camera.sent("set.image.info")[-1]["data"] == {"brightness": 70}
    response = await _call(
        hass,
        "send_command",
        device_id=device_id,
        command="set.image.info",
        data={"contrast": 1},
    )
    assert fake_camera[MAC].settings["image.info"]["contrast"] == 1


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


async def test_unknown_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A device that is not an X5 camera is refused."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "wake", device_id="nope")
    assert err.value.translation_key == "unknown_device"


async def test_camera_not_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_id: str
) -> None:
    """An unloaded camera is refused with its name."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "reboot", device_id=device_id)
    assert err.value.translation_key == "camera_not_loaded"


async def test_send_command_with_bytes_answer(
    hass: HomeAssistant, device_id: str, init_integration: MockConfigEntry
) -> None:
    """A binary answer (HTTP snapshot) is summarised, not dumped into the response."""
    from unittest.mock import AsyncMock, patch

    with patch.object(
        init_integration.runtime_data,
        "async_command",
        AsyncMock(return_value=b"\xff\xd8"),
    ):
        response = await _call(
            hass, "send_command", device_id=device_id, command="cmd.snapshot"
        )
    assert response == {"command": "cmd.snapshot", "bytes": 2}
