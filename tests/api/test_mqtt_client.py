"""Requests without identity: one in flight per camera, late and repeated answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from custom_components.milesight_x5.api import (
    ConfigureResponse,
    UnknownCommandError,
    get_command,
    parse_configure_response,
)
from custom_components.milesight_x5.api.mqtt_client import Answer, X5MqttClient

A, B = "1CC3164126A2", "5CC5638AE729"
OK = {"code": 0, "result": "OK"}


class Broker:
    """Records publishes; answers are delivered by the test."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, topic: str, payload: str) -> None:
        self.published.append((topic, json.loads(payload)))


def _answer(mac: str, api: str, data: dict[str, Any]) -> ConfigureResponse:
    return parse_configure_response({"devMac": mac, "api": api, "data": data})


def _client(**kwargs: float) -> tuple[X5MqttClient, Broker]:
    broker = Broker()
    return X5MqttClient(broker.publish, "req", **kwargs), broker


async def test_two_cameras_each_their_own_answer() -> None:
    """One request in flight per camera; answers of two cameras do not mix."""
    client, broker = _client()
    first = await client.async_send(A, get_command("get.image.info"))
    second = await client.async_send(B, get_command("get.image.info"))
    assert [p[1]["devMac"] for p in broker.published] == [A, B]
    assert client.handle_response(_answer(B, "get.image.info", {"b": 2}))[0] == (
        Answer.TAKEN
    )
    assert client.handle_response(_answer(A, "get.image.info", {"b": 1}))[0] == (
        Answer.TAKEN
    )
    assert first.future.result().data == {"b": 1}
    assert second.future.result().data == {"b": 2}


async def test_a_second_request_while_one_is_in_flight_is_a_bug() -> None:
    """The caller holds the camera's turn: two in flight would share answers."""
    client, _ = _client()
    await client.async_send(A, get_command("get.image.info"))
    with pytest.raises(RuntimeError):
        await client.async_send(A, get_command("get.sys.info"))


async def test_http_only_command_refused() -> None:
    """upgrade.reset has no MQTT command."""
    client, broker = _client()
    with pytest.raises(UnknownCommandError):
        await client.async_send(A, get_command("upgrade.reset"))
    assert broker.published == []
    assert client.in_flight(A) is None


async def test_unrequested_answer_is_not_taken() -> None:
    """An answer nobody asked for (another client) is reported as such."""
    client, _ = _client()
    assert client.handle_response(_answer(A, "get.image.info", {})) == (
        Answer.UNEXPECTED,
        None,
    )


async def test_late_answer_is_never_taken_for_the_next_request() -> None:
    """A set times out; its late code 0 comes while a second set of the same api
    would be in flight: the second set is not sent until the late answer came, and
    the camera's real code 3 is what the second set gets."""
    client, broker = _client(late_horizon=5)
    first = await client.async_send(A, get_command("set.image.info"), {"b": 1})
    client.give_up(first)  # the caller's timeout
    assert client.orphans(A) == ["set.image.info"]
    waiting = asyncio.create_task(client.async_orphan_settled(A, "set.image.info"))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # its late answer may still come
    answer, request = client.handle_response(_answer(A, "set.image.info", OK))
    assert (answer, request) == (Answer.LATE, first)
    await asyncio.wait_for(waiting, 2)  # a repeat window later
    second = await client.async_send(A, get_command("set.image.info"), {"b": 2})
    failed = {"code": 3, "result": "Busy"}
    assert client.handle_response(_answer(A, "set.image.info", failed))[0] == (
        Answer.TAKEN
    )
    assert second.future.result().code == 3
    assert len(broker.published) == 2


async def test_an_orphan_is_settled_by_a_later_answer() -> None:
    """Answers come in order: the answer of a later request (another api) proves
    the orphan was never heard."""
    client, _ = _client(late_horizon=60)
    lost = await client.async_send(A, get_command("get.image.info"))
    client.give_up(lost)
    later = await client.async_send(A, get_command("get.sys.info"))
    assert client.handle_response(_answer(A, "get.sys.info", {}))[0] is Answer.TAKEN
    assert later.future.done()
    assert client.orphans(A) == []
    # Its answer, should one still come, is no longer anybody's.
    assert client.handle_response(_answer(A, "get.image.info", {}))[0] is (
        Answer.UNEXPECTED
    )


async def test_an_orphan_is_settled_by_a_wake_and_by_time() -> None:
    """A heartbeat of a wake: nothing sent before it was heard. Else the horizon."""
    client, _ = _client(late_horizon=0.05)
    lost = await client.async_send(A, get_command("get.image.info"))
    client.give_up(lost)
    client.camera_woke(A)
    assert client.orphans(A) == []
    lost = await client.async_send(A, get_command("get.image.info"))
    client.give_up(lost)
    assert client.orphans(A) == ["get.image.info"]
    await asyncio.sleep(0.06)
    assert client.orphans(A) == []
    await asyncio.wait_for(client.async_orphan_settled(A, "get.image.info"), 1)


async def test_request_never_published_is_no_orphan() -> None:
    """The broker refused the publish: nothing went out, nothing can come back."""

    async def refuse(topic: str, payload: str) -> None:
        raise OSError("down")

    client = X5MqttClient(refuse, "req")
    with pytest.raises(OSError):
        await client.async_send(A, get_command("get.image.info"))
    assert client.in_flight(A) is None
    assert client.orphans(A) == []


async def test_repeated_answer_is_dropped_and_waited_out() -> None:
    """A QoS 1 duplicate right after the answer is dropped; the same command is not
    sent again before a repeat could have come."""
    client, _ = _client(repeat_window=0.1)
    first = await client.async_send(A, get_command("set.image.info"), {"b": 1})
    assert client.handle_response(_answer(A, "set.image.info", OK))[0] is Answer.TAKEN
    assert first.future.done()
    client.give_up(first)
    assert client.handle_response(_answer(A, "set.image.info", OK))[0] is (
        Answer.REPEAT
    )
    loop = asyncio.get_running_loop()
    start = loop.time()
    await client.async_orphan_settled(A, "set.image.info")
    assert loop.time() - start >= 0.09
    # Another command goes at once.
    start = loop.time()
    await client.async_orphan_settled(A, "get.sys.info")
    assert loop.time() - start < 0.05


async def test_different_answer_within_the_window_is_taken() -> None:
    """Within the repeat window only the same answer is a repeat."""
    client, _ = _client(repeat_window=10)
    first = await client.async_send(A, get_command("get.image.info"))
    client.handle_response(_answer(A, "get.image.info", {"b": 1}))
    client.give_up(first)
    second = await client.async_send(A, get_command("get.image.info"))
    answer, _ = client.handle_response(_answer(A, "get.image.info", {"b": 2}))
    assert answer is Answer.TAKEN
    assert second.future.result().data == {"b": 2}


async def test_complete_by_evidence_and_cancel_all() -> None:
    """cmd.snapshot completes by its picture; unloading fails what waits."""
    client, _ = _client()
    assert not client.complete(A, "cmd.snapshot", {})
    snap = await client.async_send(A, get_command("cmd.snapshot"))
    assert not client.complete(A, "get.sys.info", {})
    assert client.complete(A, "cmd.snapshot", {})
    assert snap.future.result().api == "cmd.snapshot"
    client.give_up(snap)
    waiting = await client.async_send(B, get_command("get.sys.info"))
    client.cancel_all(RuntimeError("unloaded"))
    with pytest.raises(RuntimeError):
        waiting.future.result()
    client.cancel_all(RuntimeError("again"))  # nothing left to fail


async def test_resend_moves_the_send_time() -> None:
    """A request sent again (the camera woke) counts its sends and its new time."""
    client, broker = _client()
    request = await client.async_send(A, get_command("get.image.info"))
    sent = request.sent_at
    await asyncio.sleep(0.01)
    await client.async_resend(request)
    assert (request.sends, request.sent_at > sent) == (2, True)
    assert broker.published[0] == broker.published[1]
