"""HTTP access: transport choice, reauth on 401, factory-password repair, flows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import json
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.camera_http import http_client
from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_HTTP,
    CONF_MAC,
    CONF_PROVISION,
    CONF_TOPICS,
    CONF_WAKE_TIMEOUT,
    DEFAULT_TOPICS,
    DOMAIN,
)
from simulator import SimulatedCamera
from simulator.http import create_app

from .conftest import HEARTBEAT_TOPIC, MAC, FakeCamera, fire, make_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")

PASSWORD = "s3cret"


class HttpCamera:
    """A simulated camera's HTTP API on a loopback port."""

    def __init__(
        self, camera: SimulatedCamera, runner: web.AppRunner, port: int
    ) -> None:
        self.camera = camera
        self.runner = runner
        self.port = port

    @property
    def requests(self) -> list[tuple[str, str, str, Any]]:
        return self.runner.app["requests"]

    def http_data(self, password: str = PASSWORD) -> dict[str, Any]:
        return {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: self.port,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: password,
        }


@pytest.fixture
async def http_camera(unused_tcp_port: int) -> AsyncGenerator[HttpCamera]:
    """Start the simulated camera's HTTP API; stop it after the test."""
    camera = SimulatedCamera(MAC)
    runner = web.AppRunner(create_app(camera, password=PASSWORD))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    yield HttpCamera(camera, runner, unused_tcp_port)
    await runner.cleanup()


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_commands_go_over_http(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """With HTTP access, a command goes to the camera's HTTP API, not MQTT."""
    fake = FakeCamera(hass, mqtt_mock, MAC)
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    answer = await entry.runtime_data.commands.async_command("get.image.info")
    assert answer["brightness"] == 50
    assert http_camera.requests[-1][:3] == ("GET", "/api/image", "get.image.info")
    assert fake.requests == []
    # HTTP-only commands work too.
    assert await entry.runtime_data.commands.async_command("upgrade.reset") == {
        "code": 0,
        "result": "OK",
    }


async def test_http_unreachable_falls_back_to_mqtt(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """The camera's network sleeps (503): the command wakes it over MQTT instead."""
    fake = FakeCamera(hass, mqtt_mock, MAC)
    http_camera.camera.awake = False
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    fake[MAC].awake = False
    await entry.runtime_data.commands.async_command("cmd.reboot")
    assert fake.wakes == [MAC]
    assert fake[MAC].reboots == 1


async def test_refused_connection_falls_back_to_mqtt_at_once(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, unused_tcp_port: int
) -> None:
    """Nothing listens on the camera's HTTP port (refused: nothing was sent): the act
    goes over MQTT at once, once, and is done."""
    fake = FakeCamera(hass, mqtt_mock, MAC)
    entry = await _setup(
        hass,
        make_entry(
            host="127.0.0.1",
            port=unused_tcp_port,
            username="admin",
            password=PASSWORD,
        ),
    )
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(fake[MAC].heartbeat()))
    loop = asyncio.get_running_loop()
    start = loop.time()
    await entry.runtime_data.commands.async_command("cmd.reboot")
    assert loop.time() - start < 1
    assert fake.apis.count("cmd.reboot") == 1
    assert fake[MAC].reboots == 1


async def test_connect_timeout_is_not_maybe_sent(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """The connection was not made in time: the camera heard nothing, so even an act
    goes over MQTT (not "sent; not confirmed")."""
    import aiohttp

    fake = FakeCamera(hass, mqtt_mock, MAC)
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(fake[MAC].heartbeat()))
    with patch(
        "aiohttp.ClientSession.request",
        side_effect=aiohttp.ConnectionTimeoutError("connect timed out"),
    ):
        await entry.runtime_data.commands.async_command("cmd.snapshot")
    assert fake.apis.count("cmd.snapshot") == 1


async def test_camera_known_asleep_is_not_tried_over_http(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """Heard long ago (asleep, its modem off): no HTTP timeout first, the MQTT wake."""
    from datetime import timedelta

    from homeassistant.util import dt as dt_util

    fake = FakeCamera(hass, mqtt_mock, MAC)
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(fake[MAC].heartbeat()))
    await hass.async_block_till_done(wait_background_tasks=True)
    entry.runtime_data.data.last_seen = dt_util.utcnow() - timedelta(hours=1)
    fake[MAC].sleep()
    before = len(http_camera.requests)
    await entry.runtime_data.commands.async_command("get.sys.info")
    assert len(http_camera.requests) == before
    assert fake.wakes == [MAC]
    assert fake.apis[-1] == "get.sys.info"


async def test_login_is_checked_at_setup(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """A wrong HTTP login shows at setup: the camera is not set up and asks for the
    login again (reauth); one request was sent, nothing over MQTT."""
    fake = FakeCamera(hass, mqtt_mock, MAC)
    entry = make_entry(**http_camera.http_data("wrong"))
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason == (
        "Garden camera refused the HTTP login; re-enter it in the integration"
    )
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    assert fake.requests == []


async def test_a_right_login_at_setup_costs_one_kept_read(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """The right login: loaded after one read, which is kept (the settings read
    does not ask for it again) and shows the camera awake."""
    FakeCamera(hass, mqtt_mock, MAC)
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    assert entry.state is ConfigEntryState.LOADED
    assert [request[2] for request in http_camera.requests] == ["get.sys.info"]
    assert "get.sys.info" in entry.runtime_data.data.settings
    assert entry.runtime_data.commands.reach.shown_awake


async def test_a_camera_asleep_at_setup_is_not_a_wrong_login(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, unused_tcp_port: int
) -> None:
    """Nothing answers on HTTP (asleep, out of reach): set up as usual, no reauth,
    within the connect timeout."""
    FakeCamera(hass, mqtt_mock, MAC)
    loop = asyncio.get_running_loop()
    start = loop.time()
    entry = await _setup(
        hass,
        make_entry(
            host="127.0.0.1", port=unused_tcp_port, username="admin", password="x"
        ),
    )
    assert loop.time() - start < 3.5
    assert entry.state is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_401_starts_reauth(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """A login refused later (changed on the camera): a translated error and a
    reauth flow for the user."""
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    from custom_components.milesight_x5.errors import async_run

    commands = entry.runtime_data.commands
    commands.http = http_client(hass, http_camera.http_data("wrong"))
    with pytest.raises(HomeAssistantError) as err:
        await async_run(
            entry.runtime_data.commands.async_command("get.sys.info"), entry.title
        )
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_factory_password_repair(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    http_camera: HttpCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The factory password raises a repair issue (the camera asleep at setup: the
    login is not known wrong); a real one clears it."""
    entry = await _setup(
        hass, make_entry(**{**http_camera.http_data("ms123456"), CONF_PORT: 9})
    )
    assert issue_registry.async_get_issue(DOMAIN, f"factory_password_{MAC}") is not None
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, **http_camera.http_data()}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, f"factory_password_{MAC}") is None


# --- flows ---------------------------------------------------------------------------


async def _user_step(hass: HomeAssistant, http: dict[str, Any]) -> Any:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: MAC, CONF_TOPICS: dict(DEFAULT_TOPICS), CONF_HTTP: http},
    )


@pytest.mark.usefixtures("mqtt_mock")
async def test_user_flow_http_errors(
    hass: HomeAssistant, http_camera: HttpCamera, unused_udp_port: int
) -> None:
    """A wrong password or an unreachable camera is shown on the HTTP section."""
    result = await _user_step(hass, http_camera.http_data("wrong"))
    assert result["errors"] == {CONF_HTTP: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_MAC: MAC,
            CONF_TOPICS: dict(DEFAULT_TOPICS),
            CONF_HTTP: {**http_camera.http_data(), CONF_PORT: unused_udp_port},
        },
    )
    assert result["errors"] == {CONF_HTTP: "cannot_connect"}
    # Fixed: the flow goes on and creates the camera.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_MAC: MAC,
            CONF_TOPICS: dict(DEFAULT_TOPICS),
            CONF_HTTP: http_camera.http_data(),
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_PROVISION: False, "broker_host": "x", "broker_port": 1883},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC


@pytest.mark.usefixtures("mqtt_mock")
async def test_user_flow_http_without_provisioning(
    hass: HomeAssistant, http_camera: HttpCamera
) -> None:
    """Valid HTTP access, camera left as it is: the entry keeps the HTTP login."""
    result = await _user_step(hass, http_camera.http_data())
    assert result["step_id"] == "provision"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_PROVISION: False, "broker_host": "x", "broker_port": 1883},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert result["data"][CONF_HOST] == "127.0.0.1"
    assert result["data"][CONF_PASSWORD] == PASSWORD


async def test_provisioning_points_the_camera_at_the_broker(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """set.capture.info with MQTT posting on, broker and topics; then the first heartbeat."""
    result = await _user_step(hass, http_camera.http_data())
    assert result["step_id"] == "provision"
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(key.default)
    }
    # HA's broker reaches under an internal name: offered at HA's LAN address.
    assert defaults["broker_host"] == "10.10.10.10"
    assert "broker_username" not in defaults  # typed by the user, never copied
    assert "broker_password" not in defaults
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_PROVISION: True,
            "broker_host": "192.0.2.10",
            "broker_port": 1883,
            "broker_username": "cam",
            "broker_password": "pw",
        },
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    capture = http_camera.camera.settings["capture.info"]
    assert (capture["postEnable"], capture["postType"]) == (1, 0)
    assert (capture["host"], capture["port"], capture["userName"]) == (
        "192.0.2.10",
        "1883",
        "cam",
    )
    assert capture["statusTopic"] == DEFAULT_TOPICS["heartbeat_topic"]
    assert (
        capture["snapshotEnable"],
        capture["alarmEnable"],
        capture["statusEnable"],
    ) == (1, 1, "1")
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(http_camera.camera.heartbeat()))
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_MAC] == MAC


def _defaults(result: Any) -> dict[str, Any]:
    return {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(key.default)
    }


@pytest.mark.parametrize(
    ("mqtt_config_entry_data", "offered"),
    [
        ({"broker": "192.168.1.5"}, "off"),
        ({"broker": "mqtt.example", "certificate": "auto"}, "ca_signed"),
        ({"broker": "mqtt.example", "certificate": "/ssl/ca.crt"}, "self_signed"),
    ],
)
async def test_provisioning_offers_home_assistants_tls(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    http_camera: HttpCamera,
    offered: str,
) -> None:
    """The TLS choice starts as Home Assistant's own to the broker: none, the
    public CAs ("auto"), or a CA file of the user's own."""
    result = await _user_step(hass, http_camera.http_data())
    assert _defaults(result)["broker_tls"] == offered


async def test_provisioning_with_tls_of_a_public_ca(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """TLS with a public CA's certificate: tlsEnable 1, tlsType 0, in the one write
    (no read more: the camera trusts public CAs by itself)."""
    result = await _user_step(hass, http_camera.http_data())
    before = len(http_camera.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_PROVISION: True,
            "broker_host": "mqtt.example",
            "broker_port": 8883,
            "broker_tls": "ca_signed",
        },
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    capture = http_camera.camera.settings["capture.info"]
    assert (capture["tlsEnable"], capture["tlsType"], capture["port"]) == (1, 0, "8883")
    assert [r[2] for r in http_camera.requests[before:]] == ["set.capture.info"]
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(http_camera.camera.heartbeat()))
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_provisioning_with_an_own_ca_asks_for_its_file(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """TLS with the user's own CA: the camera is asked first whether it has the CA
    file; without it the form says to upload it and nothing is written (the
    camera keeps reaching its broker); with it (uploaded), TLS is written (tlsType
    1) and the same form goes on to the heartbeat."""
    result = await _user_step(hass, http_camera.http_data())
    own_ca = {
        CONF_PROVISION: True,
        "broker_host": "mqtt.example",
        "broker_port": 8883,
        "broker_tls": "self_signed",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], own_ca)
    assert result["errors"] == {"base": "ca_missing"}
    assert result["step_id"] == "provision"
    capture = http_camera.camera.settings["capture.info"]
    assert capture["tlsEnable"] == 0  # nothing written
    assert http_camera.requests[-1][2] == "get.capture.info"
    capture["caExist"] = True  # uploaded on its web page
    result = await hass.config_entries.flow.async_configure(result["flow_id"], own_ca)
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert (capture["tlsEnable"], capture["tlsType"]) == (1, 1)
    assert [r[2] for r in http_camera.requests[-2:]] == [
        "get.capture.info",
        "set.capture.info",
    ]
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(http_camera.camera.heartbeat()))
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_provisioning_without_heartbeat(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """No heartbeat in time: the user learns why it may be and can add it anyway."""
    result = await _user_step(hass, http_camera.http_data())
    with patch(
        "custom_components.milesight_x5.config_flow.PROVISION_HEARTBEAT_TIMEOUT", 0.01
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_PROVISION: True, "broker_host": "h", "broker_port": 1883},
        )
        await hass.async_block_till_done()
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["step_id"] == "no_heartbeat"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "until_it_wakes"  # values at its next heartbeat
    assert result["result"].unique_id == MAC


async def test_provisioning_failure(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """The camera fell asleep before taking the settings: a clear error, nothing lost."""
    result = await _user_step(hass, http_camera.http_data())
    http_camera.camera.awake = False
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_PROVISION: True, "broker_host": "h", "broker_port": 1883},
    )
    assert result["errors"] == {"base": "provision_failed"}
    # Awake again: the same form works, waits for the heartbeat, creates the camera.
    http_camera.camera.awake = True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_PROVISION: True, "broker_host": "h", "broker_port": 1883},
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    # Garbage and another camera's heartbeat do not count; this camera's does.
    other = SimulatedCamera("5CC5638AE729").heartbeat()
    for message in (b"\x00garbage", json.dumps(other)):
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, message)
        await asyncio.sleep(0.05)  # not block_till_done: the flow waits 2 minutes
    progress = hass.config_entries.flow.async_get(result["flow_id"])
    assert progress["step_id"] == "wait_heartbeat"
    async_fire_mqtt_message(
        hass, HEARTBEAT_TOPIC, json.dumps(http_camera.camera.heartbeat())
    )
    await asyncio.sleep(0.05)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC


async def test_reauth_flow(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """The login refused at setup: the reauth flow refuses a wrong password; the
    right one is stored and the camera sets up."""
    entry = make_entry(**http_camera.http_data("old"))
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    [result] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_adds_and_removes_http(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """HTTP access can be added (validated) and removed in the reconfigure flow."""
    entry = await _setup(hass, make_entry())
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**DEFAULT_TOPICS, **http_camera.http_data("bad")}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**DEFAULT_TOPICS, **http_camera.http_data()}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**DEFAULT_TOPICS, CONF_HOST: ""}
    )
    assert result["reason"] == "reconfigure_successful"
    assert CONF_HOST not in entry.data
    await hass.async_block_till_done()  # the reload (its login check) finishes


async def test_options_flow(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """The timing of commands to a sleeping camera can be tuned."""
    entry = await _setup(hass, make_entry())
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_AWAKE_WINDOW: 0,
            CONF_WAKE_TIMEOUT: 300,
            CONF_ANSWER_TIMEOUT: 301,
            "settings_interval": 0,
        },
    )
    # Each field out of range says which field and which range.
    assert result["errors"] == {
        CONF_AWAKE_WINDOW: "awake_window_range",
        CONF_ANSWER_TIMEOUT: "answer_timeout_range",
        "settings_interval": "settings_interval_range",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_AWAKE_WINDOW: 30,
            CONF_WAKE_TIMEOUT: 300,
            CONF_ANSWER_TIMEOUT: 20,
            "settings_interval": 168,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_AWAKE_WINDOW: 30,
        CONF_WAKE_TIMEOUT: 300,
        CONF_ANSWER_TIMEOUT: 20,
        "settings_interval": 168,  # a week between two reads of the settings
        "history_days": 30,  # the defaults (test_history.py changes them)
        "history_size": 200,
        "picture_folder": "milesight_x5",  # under the media directory
        "late_after": 15,  # minutes: a picture taken longer before is late
        "data_plan": 0,  # MB: no plan given
    }


async def test_snapshot_over_http_shows_the_picture(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, http_camera: HttpCamera
) -> None:
    """cmd.snapshot over HTTP answers with the picture: the image entity shows it."""
    entry = await _setup(hass, make_entry(**http_camera.http_data()))
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.garden_camera_snapshot_now"},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert http_camera.requests[-1][:3] == ("GET", "/live/snapshot", "cmd.snapshot")
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "manual"
    assert hass.states.get("image.garden_camera_snapshot").state != "unknown"
    assert entry.runtime_data.data.snapshot.image.startswith((b"\xff\xd8", b"\x89PNG"))


@pytest.mark.parametrize(
    ("mqtt_config_entry_data", "offered"),
    [
        ({"broker": "192.168.1.5"}, "192.168.1.5"),
        ({"broker": "mqtt.home.lan"}, "mqtt.home.lan"),
        ({"broker": "127.0.0.1"}, "10.10.10.10"),
        ({"broker": "localhost"}, "10.10.10.10"),
        ({"broker": "core-mosquitto"}, "10.10.10.10"),
        ({"broker": "169.254.1.1"}, "10.10.10.10"),
        ({"broker": ""}, "10.10.10.10"),
    ],
)
async def test_provisioning_offers_an_address_the_camera_can_reach(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    http_camera: HttpCamera,
    offered: str,
) -> None:
    """A LAN broker address is kept; loopback and internal names become HA's LAN
    address (a camera can never reach 127.0.0.1 or core-mosquitto)."""
    result = await _user_step(hass, http_camera.http_data())
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(key.default)
    }
    assert defaults["broker_host"] == offered
