"""Config flow: user, discovery, reconfigure, and every way they can go wrong."""

from __future__ import annotations

import json

from homeassistant.config_entries import SOURCE_MQTT, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.const import (
    CONF_HTTP,
    CONF_MAC,
    CONF_TOPICS,
    DEFAULT_TOPICS,
    DOMAIN,
)

from .conftest import HEARTBEAT_TOPIC, MAC
from .helpers import INTEGRATION, load_fixture_text


@pytest.fixture(autouse=True)
def _no_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flows only: the entry is not set up behind the flow's back."""

    async def _ok(*_: object) -> bool:
        return True

    monkeypatch.setattr("custom_components.milesight_x5.async_setup_entry", _ok)
    # Nothing was set up, so there is nothing to unload either.
    monkeypatch.setattr("custom_components.milesight_x5.async_unload_entry", _ok)


def _config_errors() -> dict[str, str]:
    """The config flow's errors as a user reads them (English)."""
    en = INTEGRATION / "translations" / "en.json"
    return dict(json.loads(en.read_text(encoding="utf-8"))["config"]["error"])


def _discovery(payload: str | bytes) -> MqttServiceInfo:
    return MqttServiceInfo(
        topic=HEARTBEAT_TOPIC,
        payload=payload,
        qos=0,
        retain=False,
        subscribed_topic=HEARTBEAT_TOPIC,
        timestamp=0,
    )


@pytest.mark.usefixtures("mqtt_mock")
async def test_user_flow_normalises_the_mac(hass: HomeAssistant) -> None:
    """Lower case with colons becomes 12 upper-case digits; topics default to the guide's."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_MAC: "1c:c3:16:41:26:a2",
            CONF_NAME: " Garden ",
            CONF_TOPICS: dict(DEFAULT_TOPICS),
            CONF_HTTP: {},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garden"
    assert result["data"] == {CONF_MAC: MAC, **DEFAULT_TOPICS}
    assert result["result"].unique_id == MAC
    # Not heard yet: the success step says its values come with its next heartbeat.
    assert result["description"] == "until_it_wakes"
    assert result["description_placeholders"] == {"name": "Garden"}


@pytest.mark.usefixtures("mqtt_mock")
async def test_user_flow_errors_then_recovers(hass: HomeAssistant) -> None:
    """A bad MAC and a wildcard request topic are shown on their fields; fixed, it works."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    bad_topics = {**DEFAULT_TOPICS, "request_topic": "X5SensingCam/#"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: "not-a-mac", CONF_TOPICS: bad_topics, CONF_HTTP: {}},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_MAC: "invalid_mac", CONF_TOPICS: "invalid_topic"}
    custom = {**DEFAULT_TOPICS, "heartbeat_topic": " site/cam/+/status "}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: "1C-C3-16-41-26-A2", CONF_TOPICS: custom, CONF_HTTP: {}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "X5 Sensing Camera 4126A2"
    assert result["data"]["heartbeat_topic"] == "site/cam/+/status"


@pytest.mark.usefixtures("mqtt_mock")
async def test_user_flow_duplicate_aborts(hass: HomeAssistant) -> None:
    """The same camera twice is refused."""
    MockConfigEntry(domain=DOMAIN, unique_id=MAC, data={CONF_MAC: MAC}).add_to_hass(
        hass
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: "1cc3164126a2", CONF_TOPICS: dict(DEFAULT_TOPICS), CONF_HTTP: {}},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_without_mqtt_aborts(hass: HomeAssistant) -> None:
    """No MQTT integration: the user is told to set it up first."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "mqtt_not_configured"


@pytest.mark.usefixtures("mqtt_mock")
async def test_discovery_from_a_heartbeat(hass: HomeAssistant) -> None:
    """A heartbeat of an unknown camera offers it; confirming adds it."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_MQTT},
        data=_discovery(load_fixture_text("heartbeat.json")),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "name": "X5 Sensing Camera 4126A2",
        "mac": MAC,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_MAC: MAC, **DEFAULT_TOPICS}
    assert result["result"].unique_id == MAC

    # The next heartbeat of the same camera offers nothing.
    again = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_MQTT},
        data=_discovery(load_fixture_text("heartbeat.json")),
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


@pytest.mark.usefixtures("mqtt_mock")
async def test_discovery_uses_a_custom_device_name(hass: HomeAssistant) -> None:
    """A camera renamed on its web page is offered under that name."""
    heartbeat = json.loads(load_fixture_text("heartbeat.json"))
    heartbeat["values"]["devName"] = "Barn"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_MQTT}, data=_discovery(json.dumps(heartbeat))
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["title"] == "Barn"


@pytest.mark.parametrize(
    "payload", [b"\xff", '{"values": {}}', '{"values": {"devMac": "zz"}}']
)
@pytest.mark.usefixtures("mqtt_mock")
async def test_discovery_of_garbage_aborts(
    hass: HomeAssistant, payload: str | bytes
) -> None:
    """Something on the heartbeat topic that is not an X5 heartbeat offers nothing."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_MQTT}, data=_discovery(payload)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"


@pytest.mark.usefixtures("mqtt_mock")
async def test_reconfigure(hass: HomeAssistant) -> None:
    """Name and topics change; a bad topic is refused first."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=MAC,
        title="Old",
        data={CONF_MAC: MAC, **DEFAULT_TOPICS},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "New", **DEFAULT_TOPICS, "alarm_topic": ""}
    )
    assert result["errors"] == {"base": "invalid_topic"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "New", **DEFAULT_TOPICS, "alarm_topic": "farm/alarm"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.title == "New"
    assert entry.data["alarm_topic"] == "farm/alarm"
    assert entry.data[CONF_MAC] == MAC


@pytest.mark.usefixtures("mqtt_mock")
async def test_manual_add_takes_over_a_pending_discovery(hass: HomeAssistant) -> None:
    """Adding the camera by MAC while its discovery waits for confirmation works;
    the discovery disappears (observation 10)."""
    discovered = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_MQTT},
        data=_discovery(
            load_fixture_text("heartbeat.json").replace("5CC5638AE729", MAC)
        ),
    )
    assert discovered["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: MAC, CONF_TOPICS: dict(DEFAULT_TOPICS), CONF_HTTP: {}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


@pytest.mark.usefixtures("mqtt_mock")
async def test_request_and_response_topic_must_differ(hass: HomeAssistant) -> None:
    """One topic for both: Home Assistant would hear its own requests; refused with
    a translated error, then fixed (observation 12)."""
    same = {**DEFAULT_TOPICS, "response_topic": DEFAULT_TOPICS["request_topic"]}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MAC: MAC, CONF_TOPICS: same, CONF_HTTP: {}}
    )
    assert result["errors"] == {CONF_TOPICS: "topic_clash_request_response"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: MAC, CONF_TOPICS: dict(DEFAULT_TOPICS), CONF_HTTP: {}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC


@pytest.mark.usefixtures("mqtt_mock")
async def test_reconfigure_refuses_one_topic_for_both(hass: HomeAssistant) -> None:
    """The same rule when reconfiguring."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=MAC, data={CONF_MAC: MAC, **DEFAULT_TOPICS}
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    same = {**DEFAULT_TOPICS, "response_topic": DEFAULT_TOPICS["request_topic"]}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Garden", **same}
    )
    assert result["errors"] == {"base": "topic_clash_request_response"}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        # Hears the snapshots and the requests: the first clash is named.
        ({"heartbeat_topic": "X5SensingCam/#"}, "topic_clash_heartbeat_snapshot"),
        (
            {"snapshot_topic": "X5SensingCam/ConfigureRequest"},
            "topic_clash_snapshot_request",
        ),
        # Answers taken for heartbeats.
        ({"response_topic": "X5SensingCam/Status"}, "topic_clash_heartbeat_response"),
        ({"alarm_topic": "X5SensingCam/+"}, "topic_clash_heartbeat_alarm"),
        # Every heartbeat an alarm; every alarm a picture.
        ({"alarm_topic": "X5SensingCam/Status"}, "topic_clash_heartbeat_alarm"),
        (
            {"alarm_topic": "cam/x", "snapshot_topic": "cam/x"},
            "topic_clash_snapshot_alarm",
        ),
    ],
)
@pytest.mark.usefixtures("mqtt_mock")
async def test_overlapping_topics_are_refused(
    hass: HomeAssistant, changes: dict[str, str], error: str
) -> None:
    """Topics that would be taken for each other (HA hearing its own requests,
    answers taken for uplinks, one uplink for another) are refused with a
    translated error naming the two."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_MAC: MAC, CONF_TOPICS: {**DEFAULT_TOPICS, **changes}, CONF_HTTP: {}},
    )
    assert result["errors"] == {CONF_TOPICS: error}
    assert error in _config_errors()
