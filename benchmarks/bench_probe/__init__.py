"""A throwaway custom integration the benchmarks put into Home Assistant's config dir.

It measures from inside the hass process what cannot be read from outside, over
websocket commands (``bench_probe/...``), and costs nothing until asked:

- ``stats``: asyncio tasks, MQTT subscriptions (callbacks and broker topics), states,
  this integration's config entries by state and its registered entities.
- ``count_start`` / ``count_stop``: state writes per entity, split into
  ``state_changed`` (state or attributes changed) and ``state_reported`` (written
  again unchanged). Counted in the bus's event filters, which return False, so no
  listener job runs.
- ``latency_start`` / ``latency_take``: for every ``state_changed`` of a camera's
  last-heartbeat sensor, the camera's ``ts`` (attribute ``camera_time``) and the new
  state's ``last_updated``: matched to publish times by the benchmark.
- ``lag_start`` / ``lag_stop``: a callback due every ``interval_ms``; its lateness is
  how long the event loop was blocked (or busy) when it was due.
- ``profile_start`` / ``profile_stop``: cProfile of the event-loop thread (where
  all the per-message work runs); the stop answers the top functions as text.
- ``floor_subscribe``: HA's MQTT floor: a plain ``@callback`` subscriber that decodes
  the JSON (HA's ``json_loads``) and looks the MAC up in a dict, writing no state.

Only for benchmarks/: it is never shipped with the integration.
"""

from __future__ import annotations

from array import array
import asyncio
from collections import Counter
import cProfile
import dataclasses
import gc
import io
import pstats
import time
from typing import Any

from homeassistant.components import mqtt, websocket_api
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.json import json_loads
import voluptuous as vol

DOMAIN = "bench_probe"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


class Probe:
    """What the websocket commands start, stop and read."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing runs yet."""
        self.hass = hass
        self.changed: Counter[str] = Counter()
        self.reported: Counter[str] = Counter()
        self.unsub_count: list[CALLBACK_TYPE] = []
        self.latency_entities: dict[str, str] = {}
        self.latency_records: list[tuple[str, Any, float]] = []
        self.unsub_latency: CALLBACK_TYPE | None = None
        self.lag_samples = array("d")
        self.lag_interval = 0.001
        self.lag_due = 0.0
        self.lag_handle: asyncio.TimerHandle | None = None
        self.floor_messages = 0
        self.floor_found = 0
        self.floor_routes: dict[str, object] = {}
        self.unsub_floor: CALLBACK_TYPE | None = None
        # Garbage collector pauses (ms) by generation: a full collection of a
        # large heap stops everything, the event loop included.
        self.gc_pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._gc_started = 0.0
        gc.callbacks.append(self._gc_callback)

    def _gc_callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            pause = (time.perf_counter() - self._gc_started) * 1000
            self.gc_pauses[info["generation"]].append(pause)

    # --- state writes ------------------------------------------------------------

    @callback
    def _count_changed(self, data: Any) -> bool:
        self.changed[data["entity_id"]] += 1
        return False

    @callback
    def _count_reported(self, data: Any) -> bool:
        self.reported[data["entity_id"]] += 1
        return False

    @callback
    def _never(self, _event: Any) -> None:  # the filters return False: never called
        return

    def count_start(self) -> None:
        self.count_stop()
        self.changed.clear()
        self.reported.clear()
        bus = self.hass.bus
        self.unsub_count = [
            bus.async_listen(
                EVENT_STATE_CHANGED, self._never, event_filter=self._count_changed
            ),
            bus.async_listen(
                EVENT_STATE_REPORTED, self._never, event_filter=self._count_reported
            ),
        ]

    def count_stop(self) -> dict[str, dict[str, int]]:
        for unsub in self.unsub_count:
            unsub()
        self.unsub_count = []
        return {"changed": dict(self.changed), "reported": dict(self.reported)}

    # --- latency -----------------------------------------------------------------

    @callback
    def _latency(self, data: Any) -> bool:
        mac = self.latency_entities.get(data["entity_id"])
        if mac is not None and (state := data["new_state"]) is not None:
            self.latency_records.append(
                (
                    mac,
                    state.attributes.get("camera_time"),
                    state.last_updated_timestamp,
                )
            )
        return False

    def latency_start(self, platform: str, suffix: str) -> int:
        registry = er.async_get(self.hass)
        self.latency_entities = {
            entry.entity_id: entry.unique_id.removesuffix(suffix)
            for entry in registry.entities.values()
            if entry.platform == platform and entry.unique_id.endswith(suffix)
        }
        self.latency_records = []
        if self.unsub_latency is None:
            self.unsub_latency = self.hass.bus.async_listen(
                EVENT_STATE_CHANGED, self._never, event_filter=self._latency
            )
        return len(self.latency_entities)

    def latency_take(self, stop: bool) -> list[tuple[str, Any, float]]:
        records, self.latency_records = self.latency_records, []
        if stop and self.unsub_latency is not None:
            self.unsub_latency()
            self.unsub_latency = None
        return records

    # --- event loop lag ---------------------------------------------------------------

    def _tick(self) -> None:
        loop = self.hass.loop
        now = loop.time()
        self.lag_samples.append(now - self.lag_due)
        self.lag_due = now + self.lag_interval
        self.lag_handle = loop.call_at(self.lag_due, self._tick)

    def lag_start(self, interval: float) -> None:
        self.lag_stop()
        self.lag_samples = array("d")
        self.lag_interval = interval
        loop = self.hass.loop
        self.lag_due = loop.time() + interval
        self.lag_handle = loop.call_at(self.lag_due, self._tick)

    def lag_stop(self) -> dict[str, Any]:
        if self.lag_handle is not None:
            self.lag_handle.cancel()
            self.lag_handle = None
        samples = sorted(self.lag_samples)
        if not samples:
            return {"count": 0}

        def quantile(q: float) -> float:
            return samples[min(len(samples) - 1, int(q * len(samples)))] * 1000

        return {
            "count": len(samples),
            "max_ms": samples[-1] * 1000,
            "p99_ms": quantile(0.99),
            "p999_ms": quantile(0.999),
            "over_10ms": sum(1 for s in samples if s > 0.010),
            "worst": [s * 1000 for s in samples[-5:]],
        }

    # --- HA's MQTT floor -------------------------------------------------------------

    @callback
    def _floor_message(self, msg: mqtt.ReceiveMessage) -> None:
        self.floor_messages += 1
        message = json_loads(msg.payload)
        values = message.get("values") if isinstance(message, dict) else None
        mac = values.get("devMac") if isinstance(values, dict) else None
        if self.floor_routes.get(mac) is not None:
            self.floor_found += 1

    async def floor_subscribe(self, topic: str) -> None:
        if self.unsub_floor is None:
            self.unsub_floor = await mqtt.async_subscribe(
                self.hass, topic, self._floor_message, encoding=None
            )

    # --- stats ---------------------------------------------------------------------

    def stats(self, platform: str | None) -> dict[str, Any]:
        hass = self.hass
        result: dict[str, Any] = {
            "tasks": len(asyncio.all_tasks(hass.loop)),
            "states": len(hass.states.async_entity_ids()),
        }
        result["floor_messages"] = self.floor_messages
        result["gc"] = {
            str(generation): {"count": len(pauses), "max_ms": max(pauses, default=0.0)}
            for generation, pauses in self.gc_pauses.items()
        }
        mqtt_data = hass.data.get("mqtt")
        client = getattr(mqtt_data, "client", None)
        if client is not None:
            result["mqtt_subscriptions"] = len(client.subscriptions)
            result["mqtt_topics"] = len(getattr(client, "_max_qos", {}))
            result["mqtt_pending"] = len(getattr(client, "_pending_subscriptions", {}))
            result["mqtt_connected"] = bool(getattr(client, "connected", False))
        if platform:
            states = Counter(
                entry.state.name
                for entry in hass.config_entries.async_entries(platform)
            )
            result["entries"] = dict(states)
            result["entries_loaded"] = states.get(ConfigEntryState.LOADED.name, 0)
            registry = er.async_get(hass)
            entities = [e for e in registry.entities.values() if e.platform == platform]
            result["entities"] = len(entities)
            result["entities_enabled"] = sum(1 for e in entities if not e.disabled)
        return result


def _probe(hass: HomeAssistant) -> Probe:
    probe: Probe = hass.data[DOMAIN]
    return probe


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/stats", vol.Optional("platform"): str}
)
@callback
def ws_stats(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Counts of tasks, subscriptions, states, entries and entities."""
    connection.send_result(msg["id"], _probe(hass).stats(msg.get("platform")))


@websocket_api.websocket_command({vol.Required("type"): "bench_probe/count_start"})
@callback
def ws_count_start(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Start counting state writes."""
    _probe(hass).count_start()
    connection.send_result(msg["id"], {})


@websocket_api.websocket_command({vol.Required("type"): "bench_probe/count_stop"})
@callback
def ws_count_stop(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Stop counting; the counts per entity."""
    connection.send_result(msg["id"], _probe(hass).count_stop())


@websocket_api.websocket_command(
    {
        vol.Required("type"): "bench_probe/latency_start",
        vol.Required("platform"): str,
        vol.Required("suffix"): str,
    }
)
@callback
def ws_latency_start(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Record the last-heartbeat sensors' state changes."""
    count = _probe(hass).latency_start(msg["platform"], msg["suffix"])
    connection.send_result(msg["id"], {"entities": count})


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/latency_take", vol.Optional("stop"): bool}
)
@callback
def ws_latency_take(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """The records since the last take: [mac, camera_time, last_updated]."""
    records = _probe(hass).latency_take(msg.get("stop", False))
    connection.send_result(msg["id"], {"records": records})


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/lag_start", vol.Optional("interval_ms"): float}
)
@callback
def ws_lag_start(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Start the event-loop lag monitor."""
    _probe(hass).lag_start(msg.get("interval_ms", 1.0) / 1000)
    connection.send_result(msg["id"], {})


@websocket_api.websocket_command({vol.Required("type"): "bench_probe/lag_stop"})
@callback
def ws_lag_stop(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Stop the lag monitor; its lateness statistics."""
    connection.send_result(msg["id"], _probe(hass).lag_stop())


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/floor_subscribe", vol.Required("topic"): str}
)
@websocket_api.async_response
async def ws_floor_subscribe(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Subscribe HA's MQTT floor handler to ``topic``."""
    await _probe(hass).floor_subscribe(msg["topic"])
    connection.send_result(msg["id"], {})


_PROFILER: dict[str, cProfile.Profile] = {}


@websocket_api.websocket_command(
    {
        vol.Required("type"): "bench_probe/write_cost",
        vol.Required("entity_id"): str,
        vol.Optional("count", default=2000): int,
    }
)
@callback
def ws_write_cost(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """CPU µs of one state write of the sensor ``entity_id``, its value changing
    every time (so each write is a ``state_changed``), timed inside the loop.

    The integration's sensors read their value through ``value_fn`` (replaced by
    a counter meanwhile); MQTT's take ``_attr_native_value``.
    """
    entity = _entity(hass, msg["entity_id"])
    if entity is None:
        connection.send_error(msg["id"], "not_found", msg["entity_id"])
        return
    counter = [0]
    description = entity.entity_description
    own = hasattr(description, "value_fn")
    if own:
        entity.entity_description = dataclasses.replace(
            description, value_fn=lambda _state: counter[0]
        )
    start = time.process_time()
    for i in range(msg["count"]):
        counter[0] = i + 1000
        if not own:
            entity._attr_native_value = i + 1000  # noqa: SLF001
        entity.async_write_ha_state()
    seconds = time.process_time() - start
    if own:
        entity.entity_description = description
    connection.send_result(msg["id"], {"us": seconds / msg["count"] * 1e6})


@websocket_api.websocket_command(
    {
        vol.Required("type"): "bench_probe/dispatch_cost",
        vol.Required("topic"): str,
        vol.Required("payloads"): [str],
    }
)
@websocket_api.async_response
async def ws_dispatch_cost(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """CPU µs (event-loop thread) per message of the integration's dispatcher: each
    payload handed to it as Home Assistant's MQTT would, without the broker."""
    from homeassistant.components.mqtt.models import ReceiveMessage

    dispatcher = hass.data["milesight_x5"]
    messages = [
        ReceiveMessage(msg["topic"], p.encode(), 0, False, msg["topic"], time.time())
        for p in msg["payloads"]
    ]
    total = 0.0
    for message in messages:
        start = time.thread_time()
        await dispatcher._async_message(msg["topic"], message)  # noqa: SLF001
        total += time.thread_time() - start
    connection.send_result(msg["id"], {"us": total / len(messages) * 1e6})


def _entity(hass: HomeAssistant, entity_id: str) -> Any:
    """The entity object of ``entity_id``, from its platform."""
    from homeassistant.helpers.entity_platform import (
        async_get_platforms,
    )

    for domain in ("milesight_x5", "mqtt"):
        for platform in async_get_platforms(hass, domain):
            if (entity := platform.entities.get(entity_id)) is not None:
                return entity
    return None


@websocket_api.websocket_command({vol.Required("type"): "bench_probe/profile_start"})
@callback
def ws_profile_start(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Profile the event-loop thread from now on."""
    profiler = _PROFILER["loop"] = cProfile.Profile()
    profiler.enable()
    connection.send_result(msg["id"], {})


@websocket_api.websocket_command(
    {
        vol.Required("type"): "bench_probe/profile_stop",
        vol.Optional("sort", default="cumulative"): str,
        vol.Optional("lines", default=80): int,
        vol.Optional("filter", default=""): str,
    }
)
@callback
def ws_profile_stop(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Stop profiling; the top functions as pstats text."""
    profiler = _PROFILER.pop("loop")
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(msg["sort"])
    stats.print_stats(*([msg["filter"]] if msg["filter"] else []), msg["lines"])
    connection.send_result(msg["id"], {"text": out.getvalue()})


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the commands; nothing else runs until one is called."""
    hass.data[DOMAIN] = Probe(hass)
    for command in (
        ws_stats,
        ws_count_start,
        ws_count_stop,
        ws_latency_start,
        ws_latency_take,
        ws_lag_start,
        ws_lag_stop,
        ws_floor_subscribe,
        ws_profile_start,
        ws_profile_stop,
        ws_write_cost,
        ws_dispatch_cost,
    ):
        websocket_api.async_register_command(hass, command)
    return True
