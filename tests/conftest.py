"""Fixtures shared by the integration's tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
import json
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
from simulator import SimulatedCamera

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
    mac: str = MAC,
    title: str = "Garden camera",
    options: dict[str, Any] | None = None,
    **data: Any,
) -> MockConfigEntry:
    """A config entry for a camera on the default topics."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=mac,
        data={CONF_MAC: mac, **DEFAULT_TOPICS, **data},
        options=options or {},
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


class FakeCamera:
    """Answers the integration's MQTT like a camera would (the simulator's logic).

    Requests on the configure request topic are answered on the response topic;
    a wake publishes a heartbeat when the camera can be woken.
    """

    def __init__(
        self, hass: HomeAssistant, mqtt_mock: MqttMockHAClient, *macs: str
    ) -> None:
        """Simulate cameras with these MACs behind HA's mocked MQTT."""
        self.hass = hass
        self.cameras = {mac: SimulatedCamera(mac) for mac in macs}
        self.requests: list[dict[str, Any]] = []
        self.wakes: list[str] = []
        self.answering = True
        mqtt_mock.async_publish.side_effect = self._publish

    def __getitem__(self, mac: str) -> SimulatedCamera:
        return self.cameras[mac]

    def sent(self, api: str) -> list[dict[str, Any]]:
        """The requests for ``api`` the camera received, in order."""
        return [request for request in self.requests if request["api"] == api]

    def _later(self, topic: str, message: dict[str, Any]) -> None:
        self.hass.loop.call_soon(
            async_fire_mqtt_message, self.hass, topic, json.dumps(message)
        )

    async def _publish(
        self, topic: str, payload: Any, qos: int = 0, retain: bool = False
    ) -> None:
        if topic == REQUEST_TOPIC:
            request = json.loads(payload)
            self.requests.append(request)
            camera = self.cameras.get(request.get("devMac"))
            if camera is None or not self.answering:
                return
            if (response := camera.respond(request)) is not None:
                self._later(RESPONSE_TOPIC, response)
            for kind, uplink in camera.take_uplinks():
                self._later(
                    SNAPSHOT_TOPIC if kind == "snapshot" else ALARM_TOPIC, uplink
                )
        elif topic.startswith("X5SensingCam/Wake/"):
            mac = topic.rsplit("/", 1)[1]
            self.wakes.append(mac)
            camera = self.cameras.get(mac)
            if camera is not None and camera.can_wake:
                camera.awake = True
                self._later(HEARTBEAT_TOPIC, camera.heartbeat())


@pytest.fixture
def fake_camera(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> FakeCamera:
    """The test camera (MAC) answering over the mocked broker."""
    return FakeCamera(hass, mqtt_mock, MAC)


async def wake_up(hass: HomeAssistant, camera: SimulatedCamera) -> None:
    """The camera sends a heartbeat (it just woke up), and its settings are read."""
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    await hass.async_block_till_done(wait_background_tasks=True)
