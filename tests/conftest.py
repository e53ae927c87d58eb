"""Fixtures shared by the integration's tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from datetime import timedelta
from enum import Enum
import json
import logging
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import Mock, PropertyMock, patch

# Imported up front: importing them later under a frozen clock (freezegun) fails.
import homeassistant.components.mqtt.config_flow  # noqa: F401
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr, entity_registry as er, frame
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_mock_service,
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
from simulator.runner import Habits

from .field import FieldCamera

MAC = "1CC3164126A2"
OTHER_MAC = "5CC5638AE729"
HEARTBEAT_TOPIC = DEFAULT_TOPICS["heartbeat_topic"]
SNAPSHOT_TOPIC = DEFAULT_TOPICS["snapshot_topic"]
ALARM_TOPIC = DEFAULT_TOPICS["alarm_topic"]
REQUEST_TOPIC = DEFAULT_TOPICS["request_topic"]
RESPONSE_TOPIC = DEFAULT_TOPICS["response_topic"]


class _Reports(logging.Handler):
    """Collects what Home Assistant reports about this integration: a deprecated
    call, alias or constant (the frame helper's "will stop working", the
    deprecation helper's "deprecated"), and an entry that failed to unload."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if (
            record.name == "homeassistant.config_entries"
            and message.startswith("Error unloading entry")
        ) or (
            DOMAIN in message
            and (
                "deprecated" in message.lower()
                or "will stop working" in message
                or f"integration '{DOMAIN}'" in message
            )
        ):
            self.reports.append(message)


@pytest.fixture(autouse=True)
def deprecation_reports() -> Generator[list[str]]:
    """Fail a test when Home Assistant reports a deprecation (or an unload error)
    about this integration: the suite stays green only while nothing would break
    in a coming release. A test that provokes one on purpose clears the list."""
    # The frame helper reports a usage once per process: each test sees its own.
    getattr(frame, "_REPORTED_INTEGRATIONS", set()).clear()
    handler = _Reports()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.reports
    finally:
        root.removeHandler(handler)
    assert not handler.reports, "Home Assistant reported:\n" + "\n".join(
        handler.reports
    )


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ in every test."""


@pytest.fixture(autouse=True)
def _own_config_dir(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """A test's files (pictures, their history) in a folder of its own, not in the
    config dir every test shares."""
    if "hass" in request.fixturenames:
        hass: HomeAssistant = request.getfixturevalue("hass")
        hass.config.config_dir = str(tmp_path / "config")
        hass.config.media_dirs = {"local": str(tmp_path / "config" / "media")}


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
    entry_id: str | None = None,
    **data: Any,
) -> MockConfigEntry:
    """A config entry for a camera on the default topics."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=mac,
        data={CONF_MAC: mac, **DEFAULT_TOPICS, **data},
        options=options or {},
        **({"entry_id": entry_id} if entry_id else {}),
    )


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (registry ids become ANY)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


# What a snapshot keeps of an entity's registry entry: what the integration decides.
# Left out: ids, the user's own settings (aliases, area, labels, name/icon/device class
# overrides) and Home Assistant's bookkeeping, whose shape changes between versions
# (2026.x adds object_id_base and suggested_object_id, aliases became a list).
ENTRY_FIELDS = (
    "entity_id",
    "unique_id",
    "platform",
    "has_entity_name",
    "original_name",
    "translation_key",
    "original_device_class",
    "original_icon",
    "entity_category",
    "disabled_by",
    "hidden_by",
    "unit_of_measurement",
    "supported_features",
    "capabilities",
    "options",
)
# Added by newer Home Assistant to every entity of a platform, not by the integration:
# device_tracker's tracking_type capability and in_zones attribute (2026.x).
# The update entity's entity_picture is HA's brand URL, which moved from the brands
# CDN to a local proxy (/api/brands/...) in 2026.3.
HA_ADDED_KEYS = frozenset({"tracking_type", "in_zones", "entity_picture"})


def _plain(value: Any) -> Any:
    """Enums as their values, mappings as dicts with str keys, sets sorted."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {
            str(_plain(key)): _plain(item)
            for key, item in value.items()
            if _plain(key) not in HA_ADDED_KEYS
        }
    if isinstance(value, set | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _entry_snapshot(entry: er.RegistryEntry) -> dict[str, Any]:
    data = {field: _plain(getattr(entry, field)) for field in ENTRY_FIELDS}
    data["capabilities"] = data["capabilities"] or {}
    # HA 2026.x stores a display precision derived from the sensor's device class when
    # the integration asks for none; test_sensor.py checks the ones it asks for.
    options = data["options"]
    if "sensor" in options:
        options["sensor"].pop("suggested_display_precision", None)
        if not options["sensor"]:
            del options["sensor"]
    return data


async def snapshot_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    config_entry_id: str,
) -> None:
    """Like phcc's snapshot_platform, with only what a user sees of each entity.

    The same .ambr then holds on every Home Assistant version the project supports.
    """
    entries = er.async_entries_for_config_entry(entity_registry, config_entry_id)
    assert entries
    assert len({entry.domain for entry in entries}) == 1, "load one platform only"
    for entry in entries:
        assert _entry_snapshot(entry) == snapshot(name=f"{entry.entity_id}-entry")
        state = hass.states.get(entry.entity_id)
        assert state is not None, entry.entity_id
        assert {
            "state": state.state,
            "attributes": _plain(state.attributes),
        } == snapshot(name=f"{entry.entity_id}-state")


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


def camera_device(hass: HomeAssistant, entry_id: str, mac: str = MAC) -> dr.DeviceEntry:
    """The camera's device in its config entry.

    Not ``async_get_device(identifiers=...)``: deprecated on HA 2026.x (raises when
    called from a test), and ``async_get_device_by_identifier`` is not in HA 2025.4.
    """
    registry = dr.async_get(hass)
    devices = [
        device
        for device in dr.async_entries_for_config_entry(registry, entry_id)
        if (DOMAIN, mac) in device.identifiers
    ]
    assert len(devices) == 1, devices
    return devices[0]


async def fire(hass: HomeAssistant, topic: str, payload: str | bytes) -> None:
    """Deliver one MQTT message and let everything it causes finish."""
    async_fire_mqtt_message(hass, topic, payload)
    await hass.async_block_till_done()


class FakeCamera:
    """Answers the integration's MQTT as the guide says a camera does (the simulator).

    Requests on the configure request topic are answered on the response topic
    while the camera is awake; a sleeping camera hears nothing. A wake reaching a
    sleeping camera that can be woken makes it post a heartbeat; a wake reaching
    an awake camera produces nothing. ``variant`` switches the simulator's
    inconvenient behaviours (external power, picture-only snapshots, ...).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        mqtt_mock: MqttMockHAClient,
        *macs: str,
        **variant: Any,
    ) -> None:
        """Simulate cameras with these MACs behind HA's mocked MQTT."""
        self.hass = hass
        self.cameras = {mac: SimulatedCamera(mac, **variant) for mac in macs}
        self.requests: list[dict[str, Any]] = []
        self.wakes: list[str] = []
        self.answering = True
        self.restart_heartbeat = True  # a reboot's OK is followed by its heartbeat
        self._timers: list[asyncio.TimerHandle] = []
        mqtt_mock.async_publish.side_effect = self._publish
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._stop)

    def _stop(self, _event: Any) -> None:
        for timer in self._timers:
            timer.cancel()

    def __getitem__(self, mac: str) -> SimulatedCamera:
        return self.cameras[mac]

    def sent(self, api: str) -> list[dict[str, Any]]:
        """The requests for ``api`` the camera received, in order."""
        return [request for request in self.requests if request["api"] == api]

    @property
    def apis(self) -> list[str]:
        """The apis of every request published, in order."""
        return [request["api"] for request in self.requests]

    def later(self, topic: str, message: dict[str, Any]) -> None:
        """Deliver a message from the camera soon (as the broker would)."""
        self.hass.loop.call_soon(
            async_fire_mqtt_message, self.hass, topic, json.dumps(message)
        )

    def deliver(self, mac: str) -> None:
        """Post what the camera produced (pictures after cmd.snapshot, ...)."""
        for kind, uplink in self.cameras[mac].take_uplinks():
            topic = {"snapshot": SNAPSHOT_TOPIC, "heartbeat": HEARTBEAT_TOPIC}
            self.later(topic.get(kind, ALARM_TOPIC), uplink)

    async def _publish(
        self,
        topic: str,
        payload: Any,
        qos: int = 0,
        retain: bool = False,
        **kwargs: Any,  # keywords newer Home Assistant versions add
    ) -> None:
        if topic == REQUEST_TOPIC:
            request = json.loads(payload)
            self.requests.append(request)
            camera = self.cameras.get(request.get("devMac"))
            if camera is None or not self.answering:
                return
            if (response := camera.respond(request)) is not None:
                self.later(RESPONSE_TOPIC, response)
                if request["api"] == "cmd.reboot" and self.restart_heartbeat:
                    # It restarts after its OK: the heartbeat of its start, soon.
                    self._timers.append(
                        self.hass.loop.call_later(
                            0.05,
                            async_fire_mqtt_message,
                            self.hass,
                            HEARTBEAT_TOPIC,
                            json.dumps(camera.heartbeat()),
                        )
                    )
            self.deliver(camera.mac)
        elif topic.startswith("X5SensingCam/Wake/"):
            mac = topic.rsplit("/", 1)[1]
            self.wakes.append(mac)
            camera = self.cameras.get(mac)
            if camera is not None and (heartbeat := camera.wake()) is not None:
                self.later(HEARTBEAT_TOPIC, heartbeat)


@pytest.fixture
async def field_camera(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> AsyncGenerator[Callable[..., FieldCamera]]:
    """Make the test camera (MAC) with field habits (tests/field.py); its timers
    stop with the test."""
    made: list[FieldCamera] = []

    def make(habits: Habits, **variant: Any) -> FieldCamera:
        camera = FieldCamera(hass, mqtt_mock, MAC, habits, **variant)
        made.append(camera)
        return camera

    yield make
    for camera in made:
        camera.stop()


@pytest.fixture
def fake_camera(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> FakeCamera:
    """The test camera (MAC) answering over the mocked broker."""
    return FakeCamera(hass, mqtt_mock, MAC)


async def wake_up(hass: HomeAssistant, camera: SimulatedCamera) -> None:
    """The camera sends a heartbeat (it just woke up), and its settings are read."""
    camera.awake = True
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    await hass.async_block_till_done(wait_background_tasks=True)


def not_heard_lately(entry: MockConfigEntry) -> None:
    """Home Assistant last heard from the camera long ago (awake window over)."""
    state = entry.runtime_data.data
    state.last_seen = dt_util.utcnow() - timedelta(hours=1)


@pytest.fixture
async def blueprints_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """Home Assistant's config folder holds the repository's blueprints, as after
    an import (in Berlin: the quiet hours' tests)."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass.config.config_dir = str(tmp_path)
    source = Path(__file__).resolve().parent.parent / "blueprints" / "automation"
    target = tmp_path / "blueprints" / "automation" / DOMAIN
    await hass.async_add_executor_job(shutil.copytree, source / DOMAIN, target)


@pytest.fixture
def notifications(hass: HomeAssistant) -> list[ServiceCall]:
    """What the phone (notify.phone) would have received."""
    return async_mock_service(hass, "notify", "phone")
