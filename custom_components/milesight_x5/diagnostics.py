"""Diagnostics download: entry, coordinator state and last payloads, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import X5ConfigEntry

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
            "last_seen": state.last_seen.isoformat() if state.last_seen else None,
            "reachable": state.reachable,
            "heartbeat_interval_s": coordinator.heartbeat_interval.total_seconds(),
            "watchdog_timeout_s": coordinator.watchdog_timeout.total_seconds(),
            "heartbeat_invalid_fields": state.heartbeat.invalid_fields
            if state.heartbeat
            else None,
            "snapshot": {
                "image_bytes": len(snapshot.image) if snapshot.image else 0,
                "declared_size": snapshot.declared_size,
                "image_error": snapshot.image_error,
                "invalid_fields": snapshot.invalid_fields,
            }
            if snapshot
            else None,
        },
        "settings": async_redact_data(state.settings, TO_REDACT),
        "last_payloads": async_redact_data(state.raw, TO_REDACT),
    }
