"""Fixtures shared by the integration's tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any
from unittest.mock import Mock, PropertyMock, patch

# Imported up front: importing them later under a frozen clock (freezegun) fails.
import homeassistant.components.mqtt.config_flow  # noqa: F401
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import (
    MqttMockHAClient,
    MqttMockHAClientGenerator,
    MqttMockPahoClient,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.milesight_x5.const import CONF_MAC, DEFAULT_TOPICS, DOMAIN

MAC = "1CC3164126A2"
OTHER_MAC = "5CC5638AE729"
HEARTBEAT_TOPIC = DEFAULT_TOPICS["heartbeat_topic"]
SNAPSHOT_TOPIC = DEFAULT_TOPICS["snapshot_topic"]
ALARM_TOPIC = DEFAULT_TOPICS["alarm_topic"]
REQUEST_TOPIC = DEFAULT_TOPICS["request_topic"]
RESPONSE_TOPIC = DEFAULT_TOPICS["response_topic"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ in every test."""


@pytest.fixture
async def mqtt_mock(
    mock_hass_config: None,
    mqtt_client_mock: MqttMockPahoClient,
    mqtt_mock_entry: MqttMockHAClientGenerator,
) -> AsyncGenerator[MqttMockHAClient]:
    """HA's MQTT with a mocked client; closes the fake socket so no timer lingers."""
    yield await mqtt_mock_entry()
    mqtt_client_mock.on_socket_close(
        mqtt_client_mock, None, Mock(fileno=Mock(return_value=-1))
    )


def make_entry(
    mac: str = MAC, title: str = "Garden camera", **data: Any
) -> MockConfigEntry:
    """A config entry for a camera on the default topics."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=mac,
        data={CONF_MAC: mac, **DEFAULT_TOPICS, **data},
    )


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (registry ids become ANY)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Enable every entity, also those disabled by default (for snapshots)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """The camera of most tests."""
    return make_entry()


@pytest.fixture
def platforms() -> list[Platform] | None:
    """Platforms to load (None: all); tests that snapshot one platform override it."""
    return None


@pytest.fixture
def _limit_platforms(platforms: list[Platform] | None) -> Generator[None]:
    if platforms is None:
        yield
        return
    with patch("custom_components.milesight_x5.PLATFORMS", platforms):
        yield


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    mock_config_entry: MockConfigEntry,
    _limit_platforms: None,
) -> MockConfigEntry:
    """The camera set up, with HA's MQTT mocked."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


async def fire(hass: HomeAssistant, topic: str, payload: str | bytes) -> None:
    """Deliver one MQTT message and let everything it causes finish."""
    async_fire_mqtt_message(hass, topic, payload)
    await hass.async_block_till_done()
