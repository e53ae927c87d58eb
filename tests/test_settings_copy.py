"""copy_settings: one camera's settings to others, whole-branch, at their wake."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.api import SettingUnknownError
from custom_components.milesight_x5.api.copy import copied_values, copy_writes
from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_WAKE_TIMEOUT,
    DOMAIN,
)

from .conftest import (
    MAC,
    OTHER_MAC,
    FakeCamera,
    camera_device,
    make_entry,
    not_heard_lately,
    wake_up,
)

THIRD_MAC = "5CC5638AE730"
COPY_GARDEN = "sensor.garden_camera_settings_copy"
COPY_BARN = "sensor.barn_camera_settings_copy"
COPY_SHED = "sensor.shed_camera_settings_copy"


@pytest.fixture
async def fleet(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> tuple[FakeCamera, dict[str, MockConfigEntry]]:
    """Three cameras, all heard once (their settings read), then asleep."""
    quick = {CONF_WAKE_TIMEOUT: 2, CONF_ANSWER_TIMEOUT: 1}
    entries = {
        MAC: make_entry(MAC, options=quick),
        OTHER_MAC: make_entry(OTHER_MAC, title="Barn camera", options=quick),
        THIRD_MAC: make_entry(THIRD_MAC, title="Shed camera", options=quick),
    }
    fake = FakeCamera(hass, mqtt_mock, *entries)
    # A target's own leaf the copy must keep (whole-branch write from its report).
    fake[OTHER_MAC].settings["capture.info"]["triggerConfig"]["indicator"] = 0
    for entry in entries.values():
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for mac in entries:
        await wake_up(hass, fake[mac])
    # The source's own choices: a trigger threshold, the heartbeat, brightness.
    source = fake[MAC].settings
    source["capture.info"]["triggerConfig"]["sensorConditions"]["lafThre"] = 75
    source["capture.info"]["heartInterval"] = 6
    source["capture.info"]["host"] = "source.broker.invalid"  # never copied
    source["image.info"]["brightness"] = 70
    await hass.services.async_call(
        DOMAIN, "send_command", {"device_id": _device(hass, entries[MAC]),
        "command": "get.capture.info"}, blocking=True, return_response=True,
    )  # fmt: skip
    await hass.services.async_call(
        DOMAIN, "send_command", {"device_id": _device(hass, entries[MAC]),
        "command": "get.image.info"}, blocking=True, return_response=True,
    )  # fmt: skip
    for mac, entry in entries.items():
        fake[mac].sleep()
        not_heard_lately(entry)
    fake.requests.clear()
    fake.wakes.clear()
    return fake, entries


def _device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return camera_device(hass, entry.entry_id, entry.unique_id or "").id


async def _copy(
    hass: HomeAssistant, entries: dict[str, MockConfigEntry], groups: list[str]
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "copy_settings",
        {
            "source": _device(hass, entries[MAC]),
            "groups": groups,
            "entity_id": [
                "sensor.barn_camera_battery",
                "sensor.shed_camera_battery",
                "sensor.garden_camera_battery",  # the source itself: left out
            ],
        },
        blocking=True,
        return_response=True,
    )


async def test_copy_to_a_woken_and_a_sleeping_camera(
    hass: HomeAssistant, fleet: tuple[FakeCamera, dict[str, MockConfigEntry]]
) -> None:
    """Barn can be woken: it takes the copy at once, one wake, one write per
    branch, its own leaves kept. Shed cannot (wake by MQTT off): woken once, in
    vain, pending, then delivered at its own next wake without another wake.
    The source is left out, and no broker field travels."""
    fake, entries = fleet
    fake[THIRD_MAC].settings["wakeup.info"]["wakeupByMQTT"] = 0
    response = await _copy(hass, entries, ["triggers", "heartbeat"])
    assert set(response) == {OTHER_MAC, THIRD_MAC}
    assert response[OTHER_MAC] == {
        "camera": "Barn camera",
        "queued": ["set.capture.info"],
        "status": "pending",
        "not_reported": [],
    }
    await hass.async_block_till_done(wait_background_tasks=True)

    barn = fake[OTHER_MAC].settings["capture.info"]
    assert barn["triggerConfig"]["sensorConditions"]["lafThre"] == 75
    assert barn["triggerConfig"]["indicator"] == 0  # its own, kept
    assert barn["heartInterval"] == 6
    assert barn["host"] != "source.broker.invalid"
    writes = [r for r in fake.requests if r["devMac"] == OTHER_MAC]
    assert [r["api"] for r in writes] == ["set.capture.info"]
    assert set(writes[0]["data"]) == {
        "triggerConfig", "algoEnable", "debugCapture", "heartInterval",
        "heartTestMode", "heartTestInterval", "heartLpowerInterval",
    }  # fmt: skip
    state = hass.states.get(COPY_BARN)
    assert state.state == "done"
    assert state.attributes["source"] == "Garden camera"
    assert state.attributes["groups"] == ["triggers", "heartbeat"]
    assert hass.states.get("number.barn_camera_heartbeat").state == "6"

    # Shed: one wake (and its probe), unanswered; nothing written; pending.
    assert fake.wakes.count(THIRD_MAC) == 1
    shed = [r["api"] for r in fake.requests if r["devMac"] == THIRD_MAC]
    assert not [api for api in shed if api.startswith("set.")]
    assert hass.states.get(COPY_SHED).state == "pending"
    assert hass.states.get(COPY_GARDEN).state == "unknown"  # the source took none
    # Its own wake: the copy goes, no wake sent for it.
    await wake_up(hass, fake[THIRD_MAC])
    assert fake[THIRD_MAC].settings["capture.info"]["heartInterval"] == 6
    assert fake.wakes.count(THIRD_MAC) == 1
    assert hass.states.get(COPY_SHED).state == "done"


async def test_pending_copy_survives_a_restart(
    hass: HomeAssistant, fleet: tuple[FakeCamera, dict[str, MockConfigEntry]]
) -> None:
    """A copy pending when Home Assistant restarts (the entry reloads) is still
    pending after, and delivered at the camera's next wake."""
    fake, entries = fleet
    fake[THIRD_MAC].settings["wakeup.info"]["wakeupByMQTT"] = 0
    await _copy(hass, entries, ["image"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(COPY_SHED).state == "pending"
    assert await hass.config_entries.async_reload(entries[THIRD_MAC].entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(COPY_SHED).state == "pending"
    assert hass.states.get(COPY_SHED).attributes["groups"] == ["image"]
    await wake_up(hass, fake[THIRD_MAC])
    assert fake[THIRD_MAC].settings["image.info"]["brightness"] == 70
    assert hass.states.get(COPY_SHED).state == "done"


async def test_refused_copy_fails_saying_why(
    hass: HomeAssistant, fleet: tuple[FakeCamera, dict[str, MockConfigEntry]]
) -> None:
    """A target in Low Power mode takes no remote configuration: the copy fails
    there with the translated reason; the other target takes it."""
    fake, entries = fleet
    barn = entries[OTHER_MAC].runtime_data
    barn.data.settings["get.capture.info"]["workMode"] = 1
    await _copy(hass, entries, ["heartbeat"])
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(COPY_BARN)
    assert (state.state, state.attributes["reason"]) == ("failed", "low_power_mode")
    assert hass.states.get(COPY_SHED).state == "done"


async def test_a_field_the_source_lacks_is_left_out(
    hass: HomeAssistant, fleet: tuple[FakeCamera, dict[str, MockConfigEntry]]
) -> None:
    """The guide's own get.image.info sample has no captureMode: the rest of the
    image group is copied, and the answer says what was left out."""
    fake, entries = fleet
    entries[MAC].runtime_data.data.settings["get.image.info"].pop("captureMode")
    fake[THIRD_MAC].awake = True
    not_heard_lately(entries[THIRD_MAC])
    response = await _copy(hass, entries, ["image"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert response[THIRD_MAC]["not_reported"] == ["captureMode"]
    (write,) = [
        r
        for r in fake.requests
        if r["devMac"] == THIRD_MAC and r["api"] == "set.image.info"
    ]
    assert "captureMode" not in write["data"]
    assert write["data"]["brightness"] == 70
    assert hass.states.get(COPY_SHED).state == "done"


async def test_a_newer_copy_replaces_one_under_way(
    hass: HomeAssistant, fleet: tuple[FakeCamera, dict[str, MockConfigEntry]]
) -> None:
    """A second copy while the first is delivered: the first stops before its
    next write, the newer one is delivered next (not at the next wake)."""
    fake, entries = fleet
    first = hass.async_create_task(_copy(hass, entries, ["heartbeat"]))
    await first
    await _copy(hass, entries, ["image"])
    await hass.async_block_till_done(wait_background_tasks=True)
    for mac in (OTHER_MAC, THIRD_MAC):
        assert fake[mac].settings["image.info"]["brightness"] == 70
    state = hass.states.get(COPY_BARN)
    assert (state.state, state.attributes["groups"]) == ("done", ["image"])


async def test_source_not_read_is_refused(
    hass: HomeAssistant, fleet: tuple[FakeCamera, dict[str, MockConfigEntry]]
) -> None:
    """A source that has not reported a group: refused before anything is sent."""
    fake, entries = fleet
    entries[MAC].runtime_data.data.settings.pop("get.image.info")
    with pytest.raises(ServiceValidationError) as err:
        await _copy(hass, entries, ["image"])
    assert err.value.translation_key == "source_not_read"
    assert fake.requests == []
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "copy_settings",
            {"source": "nope", "groups": ["image"], "entity_id": [COPY_BARN]},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "unknown_device"


def test_copy_writes_keep_the_targets_own_leaves() -> None:
    """Pure: an object goes whole from the target's report with the copied leaves
    over it; a top-level field alone; a target that never reported the object is
    not written from a guess; a source that never reported a group is refused."""
    trigger = {"sourceEnable": 1, "source": 2, "BySensor": 1, "ByDI": 0}
    source = {
        "get.capture.info": {
            "triggerConfig": {
                **trigger,
                "interval": 5,
                "indicator": 1,
                "sensorConditions": {"lafThre": 80},
            },
            "algoEnable": 1,
            "debugCapture": 0,
            "host": "secret",
        }
    }
    values, skipped = copied_values(source, ["triggers"])
    assert skipped == []
    assert values == {
        "get.capture.info": {
            "triggerConfig": {
                **trigger,
                "interval": 5,
                "sensorConditions": {"lafThre": 80},
            },  # not the indicator LED, not the broker
            "algoEnable": 1,
            "debugCapture": 0,
        }
    }
    target = {
        "get.capture.info": {
            "triggerConfig": {
                "interval": 1,
                "indicator": 0,
                "sensorConditions": {"lafThre": 60, "tempThre": "35"},
            }
        }
    }
    assert copy_writes(values, target) == {
        "set.capture.info": {
            "triggerConfig": {
                **trigger,
                "interval": 5,
                "indicator": 0,
                "sensorConditions": {"lafThre": 80, "tempThre": "35"},
            },
            "algoEnable": 1,
            "debugCapture": 0,
        }
    }
    with pytest.raises(SettingUnknownError):
        copy_writes(values, {})
    # A field the source's firmware does not report is left out, and said so; a
    # read it never gave refuses the group.
    values, skipped = copied_values(source, ["heartbeat"])
    assert values == {}
    assert skipped == [
        "heartInterval", "heartTestMode", "heartTestInterval", "heartLpowerInterval",
    ]  # fmt: skip
    with pytest.raises(SettingUnknownError):
        copied_values(source, ["image"])
