"""Diagnostics download: entry, coordinator state and last payloads, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .api.field import diverted
from .coordinator import X5ConfigEntry, X5Coordinator
from .state import iso

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    "password",
    "httpPassword",
    "userName",
    "httpUserName",
    "imei",
    "imsi",
    "iccid",
    "latitude",
    "longitude",
    "longtitude",
    "altitude",
    "gps",
    "key",
    "pinCode",
    "phone",
    "image",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: X5ConfigEntry
) -> dict[str, Any]:
    """Return what helps debugging a camera, without its secrets."""
    coordinator = entry.runtime_data
    state = coordinator.data
    snapshot = state.snapshot
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "state": {
            "last_seen": iso(state.last_seen),
            "received": {
                "heartbeat": iso(state.heartbeat_at),
                "snapshot": iso(state.snapshot_at),
                "alarm": iso(state.alarm_at),
            },
            # The camera's own clock: kept, never used for states.
            "camera_time": {
                "heartbeat": iso(
                    state.heartbeat.timestamp if state.heartbeat else None
                ),
                "snapshot": iso(snapshot.capture_time if snapshot else None),
                "alarm": iso(state.alarm.timestamp if state.alarm else None),
            },
            "clock_offset_s": state.clock_offset,
            # Why reports may go to the vendor's cloud instead of MQTT (the
            # settings below hold get.mip.info and capture.info platformEnable).
            "reports_diverted": diverted(state.settings),
            "own_wakes_without_picture": coordinator.picture_watch.wakes,
            "reachable": state.reachable,
            "presumed_awake": coordinator.commands.reach.presumed_awake,
            "external_power": state.external_power,
            "low_power": state.low_power,
            "heartbeat_interval_s": coordinator.heartbeat_interval.total_seconds(),
            "watchdog_timeout_s": coordinator.watchdog_timeout.total_seconds(),
            # Fields of the last message of each kind that were unusable (dropped;
            # their last values stay).
            "dropped_fields": dict(state.dropped),
            "pending_commands": _pending(coordinator),
            "snapshot": {
                "image_bytes": len(snapshot.image) if snapshot.image else 0,
                "declared_size": snapshot.declared_size,
                "image_error": snapshot.image_error,
            }
            if snapshot
            else None,
        },
        # How many pictures are kept, how much they take, whether writing fails.
        "history": coordinator.history.diagnostics(),
        "settings": async_redact_data(state.settings, TO_REDACT),
        "last_payloads": async_redact_data(state.raw, TO_REDACT),
    }


def _pending(coordinator: X5Coordinator) -> dict[str, Any]:
    """The request waiting for its answer, and those given up on that may still be
    answered late."""
    mqtt = coordinator.commands.mqtt
    flight = mqtt.in_flight(coordinator.mac)
    return {
        "in_flight": flight.api if flight is not None else None,
        "late_possible": mqtt.orphans(coordinator.mac),
        "status": coordinator.data.command_status,
    }
