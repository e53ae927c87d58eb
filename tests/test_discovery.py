"""Discovery through Home Assistant's MQTT only: the manifest's topic. Home
Assistant starts a config flow for every heartbeat on it (there is no public way
to stop that); the flow turns a known camera away by its MAC, read from the raw
payload, before anything else is done."""

from __future__ import annotations

from collections.abc import Generator
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_IGNORE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5 import config_flow
from custom_components.milesight_x5.api import scan_mac
from custom_components.milesight_x5.config_flow import X5ConfigFlow
from custom_components.milesight_x5.const import DEFAULT_TOPICS, DOMAIN

from .conftest import HEARTBEAT_TOPIC, MAC, OTHER_MAC, fire
from .helpers import INTEGRATION, payload


@pytest.fixture
def flows_started() -> Generator[list[str]]:
    """The MAC of every camera the MQTT discovery flow was started for."""
    started: list[str] = []
    step = X5ConfigFlow.async_step_mqtt

    async def _counting(self: X5ConfigFlow, discovery_info: Any) -> Any:
        started.append(json.loads(discovery_info.payload)["values"]["devMac"])
        return await step(self, discovery_info)

    with patch.object(X5ConfigFlow, "async_step_mqtt", _counting):
        yield started


@pytest.fixture
def decoded() -> Generator[list[Any]]:
    """Every payload the config flow decoded as JSON."""
    calls: list[Any] = []
    real = config_flow.decode_json

    def _decode(payload: Any) -> Any:
        calls.append(payload)
        return real(payload)

    with patch.object(config_flow, "decode_json", _decode):
        yield calls


def _offered(hass: HomeAssistant) -> list[str | None]:
    return [
        flow["context"].get("unique_id")
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]


async def _heartbeats(hass: HomeAssistant, mac: str, count: int) -> None:
    for soc in range(count):
        await fire(
            hass, HEARTBEAT_TOPIC, payload("heartbeat.json", mac, battery={"soc": soc})
        )
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.usefixtures("init_integration")
async def test_a_configured_camera_is_turned_away_before_any_decoding(
    hass: HomeAssistant, flows_started: list[str], decoded: list[Any]
) -> None:
    """Each heartbeat of a camera already added starts Home Assistant's flow,
    which aborts at its MAC without decoding the message; nothing is offered and
    the values still arrive."""
    await _heartbeats(hass, MAC, 3)
    assert flows_started == [MAC] * 3
    assert decoded == []
    assert _offered(hass) == []
    assert hass.states.get("sensor.garden_camera_battery").state == "2"


@pytest.mark.usefixtures("init_integration")
async def test_a_new_camera_is_offered_once(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """A camera nobody added is offered from its heartbeat, once for its burst."""
    await _heartbeats(hass, OTHER_MAC, 3)
    assert OTHER_MAC in flows_started
    assert _offered(hass) == [OTHER_MAC]


@pytest.mark.usefixtures("init_integration")
async def test_an_ignored_camera_is_not_offered(
    hass: HomeAssistant, flows_started: list[str], decoded: list[Any]
) -> None:
    """A camera the user ignored stays ignored (turned away as early)."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=OTHER_MAC, source=SOURCE_IGNORE
    ).add_to_hass(hass)
    await _heartbeats(hass, OTHER_MAC, 2)
    assert _offered(hass) == []
    assert decoded == []


async def test_cameras_are_offered_after_the_last_one_is_removed(
    hass: HomeAssistant, init_integration: MockConfigEntry, flows_started: list[str]
) -> None:
    """Removing every camera does not end discovery: it is Home Assistant's."""
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    await _heartbeats(hass, OTHER_MAC, 1)
    assert OTHER_MAC in _offered(hass)
    await _heartbeats(hass, MAC, 1)
    assert MAC in _offered(hass)


@pytest.mark.parametrize(
    "mqtt_config_entry_options", [{"birth_message": {}, "discovery": False}]
)
@pytest.mark.usefixtures("init_integration")
async def test_mqtt_discovery_turned_off_stays_off(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """With MQTT discovery off nothing is offered."""
    await _heartbeats(hass, OTHER_MAC, 1)
    assert flows_started == []
    assert _offered(hass) == []


@pytest.mark.parametrize(
    ("raw", "mac"),
    [
        (b'{"values":{"devMac":"1C:C3:16:41:26:A2"}}', MAC),
        ('{"ts": 1, "values": {"devMac" : "1cc3164126a2"}}', MAC),
        (b'{"values":{"devMac":"garbage"}}', None),
        (b'{"values":{}}', None),
        (b"\xff\xfe not json", None),
    ],
)
def test_scan_mac(raw: bytes | str, mac: str | None) -> None:
    """The MAC of a raw payload, or None: what turns a known camera away."""
    assert scan_mac(raw) == mac


def test_the_manifest_names_the_default_heartbeat_topic() -> None:
    """Discovery listens where a camera posts by default."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    assert manifest["mqtt"] == [DEFAULT_TOPICS["heartbeat_topic"]]


def test_no_private_mqtt_data_is_read() -> None:
    """Nothing of the MQTT integration's own records: a refactor of MQTT cannot
    break the integration silently."""
    private = re.compile(r"""data\[["']mqtt["']\]|data\.get\(["']mqtt["']|DATA_MQTT""")
    for path in Path(INTEGRATION).rglob("*.py"):
        assert not private.search(path.read_text(encoding="utf-8")), path
