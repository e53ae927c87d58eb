"""MQTT request/response correlation, timeouts and failures."""

from __future__ import annotations

import asyncio
import json

import pytest

from custom_components.milesight_x5.api import (
    CommandFailedError,
    CommandTimeoutError,
    UnknownCommandError,
    parse_configure_response,
)
from custom_components.milesight_x5.api.mqtt_client import X5MqttClient

A, B = "1CC3164126A2", "5CC5638AE729"


class Broker:
    """Records publishes; answers are delivered by the test, in any order."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []

    async def publish(self, topic: str, payload: str) -> None:
        self.published.append((topic, json.loads(payload)))


def _answer(mac: str, api: str, data: dict) -> object:
    return parse_configure_response({"devMac": mac, "api": api, "data": data})


async def test_interleaved_answers_of_two_cameras() -> None:
    """Answers arrive out of order and for two cameras: each request gets its own."""
    broker = Broker()
    client = X5MqttClient(broker.publish, "req")
    first = asyncio.create_task(client.async_request(A, "get.image.info"))
    second = asyncio.create_task(client.async_request(B, "get.image.info"))
    third = asyncio.create_task(client.async_request(A, "get.sys.info"))
    await asyncio.sleep(0)
    assert [p[1]["devMac"] for p in broker.published] == [A, B, A]
    assert all(topic == "req" for topic, _ in broker.published)
    assert client.handle_response(_answer(A, "get.sys.info", {"gpsEnable": 1}))
    assert client.handle_response(_answer(B, "get.image.info", {"brightness": 2}))
    assert client.handle_response(_answer(A, "get.image.info", {"brightness": 1}))
    assert await first == {"brightness": 1}
    assert await second == {"brightness": 2}
    assert await third == {"gpsEnable": 1}
    assert client.pending == set()


async def test_unrequested_answer_is_not_matched() -> None:
    """An answer nobody waits for is reported as such."""
    client = X5MqttClient(Broker().publish, "req")
    assert not client.handle_response(_answer(A, "get.image.info", {}))


async def test_same_api_is_serialised() -> None:
    """A second request of the same api to the same camera waits for the first."""
    broker = Broker()
    client = X5MqttClient(broker.publish, "req")
    first = asyncio.create_task(
        client.async_request(A, "set.image.info", {"brightness": 1})
    )
    second = asyncio.create_task(
        client.async_request(A, "set.image.info", {"brightness": 2})
    )
    await asyncio.sleep(0)
    assert len(broker.published) == 1
    client.handle_response(_answer(A, "set.image.info", {"code": 0, "result": "OK"}))
    assert await first == {"code": 0, "result": "OK"}
    await asyncio.sleep(0)
    assert broker.published[-1][1]["data"] == {"brightness": 2}
    client.handle_response(_answer(A, "set.image.info", {"code": 0, "result": "OK"}))
    await second


async def test_timeout() -> None:
    """No answer: a timeout naming the command and camera; nothing left pending."""
    client = X5MqttClient(Broker().publish, "req")
    with pytest.raises(CommandTimeoutError, match=f"get.image.info to {A}: no answer"):
        await client.async_request(A, "get.image.info", answer_timeout=0.01)
    assert client.pending == set()


async def test_non_zero_code_fails() -> None:
    """data.code != 0 is a failure carrying the code and text."""
    client = X5MqttClient(Broker().publish, "req")
    task = asyncio.create_task(client.async_request(A, "cmd.reboot"))
    await asyncio.sleep(0)
    client.handle_response(_answer(A, "cmd.reboot", {"code": 2, "result": "Busy"}))
    with pytest.raises(CommandFailedError) as err:
        await task
    assert (err.value.code, err.value.result, err.value.api) == (
        2,
        "Busy",
        "cmd.reboot",
    )


async def test_http_only_command_refused() -> None:
    """upgrade.reset cannot go over MQTT."""
    client = X5MqttClient(Broker().publish, "req")
    with pytest.raises(UnknownCommandError, match="HTTP only"):
        await client.async_request(A, "upgrade.reset")
