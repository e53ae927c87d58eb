"""No credential goes where it should not: forms, logs, diagnostics, repairs.

Home Assistant's MQTT login, the camera's HTTP password and the broker login typed
for the camera are searched in every form the flows show, every log line, the
diagnostics dump and every repair issue.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
import json
import logging
from typing import Any

from aiohttp import web
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MqttMockHAClient,
)

from custom_components.milesight_x5.const import (
    CONF_HTTP,
    CONF_MAC,
    CONF_PROVISION,
    CONF_TOPICS,
    DEFAULT_TOPICS,
    DOMAIN,
)
from simulator import SimulatedCamera
from simulator.http import create_app

from .conftest import HEARTBEAT_TOPIC, MAC, fire

pytestmark = pytest.mark.usefixtures("socket_enabled")

HA_MQTT_USER, HA_MQTT_PASSWORD = "ha-mqtt-user", "ha-mqtt-s3cret"
CAMERA_PASSWORD = "camera-s3cret"
CAMERA_BROKER_PASSWORD = "camera-broker-s3cret"
SECRETS = (HA_MQTT_USER, HA_MQTT_PASSWORD, CAMERA_PASSWORD, CAMERA_BROKER_PASSWORD)


@pytest.fixture
def mqtt_config_entry_data() -> dict[str, Any]:
    """HA's MQTT integration with a login (the add-on's internal one, say)."""
    return {
        "broker": "core-mosquitto",
        "port": 1883,
        CONF_USERNAME: HA_MQTT_USER,
        CONF_PASSWORD: HA_MQTT_PASSWORD,
    }


@pytest.fixture
async def camera_port(unused_tcp_port: int) -> AsyncGenerator[int]:
    """The simulated camera's HTTP API, with its own password."""
    runner = web.AppRunner(create_app(SimulatedCamera(MAC), password=CAMERA_PASSWORD))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    yield unused_tcp_port
    await runner.cleanup()


def _visible(result: dict[str, Any]) -> str:
    """Everything a form sends to the browser: defaults, suggestions, placeholders."""
    shown: list[Any] = [result.get("description_placeholders")]
    schema = result.get("data_schema")
    if schema is not None:
        for key in schema.schema:
            shown.append(key.description)
            if callable(getattr(key, "default", None)):
                shown.append(key.default())
            value = schema.schema[key]
            for inner in getattr(getattr(value, "schema", None), "schema", {}) or {}:
                shown.append(getattr(inner, "description", None))
                if callable(getattr(inner, "default", None)):
                    shown.append(inner.default())
    return json.dumps(shown, default=str)


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} in {where}"


async def test_no_secret_in_forms_logs_diagnostics_or_repairs(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    camera_port: int,
    hass_client: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Add a camera with HTTP access and provisioning, reconfigure it, download its
    diagnostics: no secret is in any form, log line, dump or repair."""
    caplog.set_level(logging.DEBUG)
    http = {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: camera_port,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: CAMERA_PASSWORD,
    }
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    _assert_clean(_visible(result), "the user form")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: MAC, CONF_TOPICS: dict(DEFAULT_TOPICS), CONF_HTTP: http},
    )
    assert result["step_id"] == "provision"
    _assert_clean(_visible(result), "the provisioning form")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_PROVISION: True,
            "broker_host": "192.0.2.10",
            "broker_port": 1883,
            "broker_username": "camera",
            "broker_password": CAMERA_BROKER_PASSWORD,
        },
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(SimulatedCamera(MAC).heartbeat()))
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    _assert_clean(_visible(result), "the reconfigure form")
    # An empty password keeps the stored one.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**DEFAULT_TOPICS, **{k: v for k, v in http.items() if k != CONF_PASSWORD}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == CAMERA_PASSWORD
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    _assert_clean(json.dumps(diagnostics), "the diagnostics")
    for issue in issue_registry.issues.values():
        _assert_clean(
            json.dumps(issue.to_json(), default=str), f"issue {issue.issue_id}"
        )
    _assert_clean(caplog.text, "the log")
