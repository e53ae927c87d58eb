"""Repairs: a camera posting on other topics than Home Assistant listens to (fixable),
a camera on its factory password, and pictures that cannot be written.

The topic fix adopts the camera's topics, or (with HTTP access, which reaches the
camera whatever its topics) writes Home Assistant's topics to the camera. The other
issues are there exactly while their condition holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResult
from homeassistant.helpers import issue_registry as ir

from .api import X5Error
from .const import (
    CONF_ALARM_TOPIC,
    CONF_HEARTBEAT_TOPIC,
    CONF_MAC,
    CONF_REQUEST_TOPIC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
    DOMAIN,
)
from .field_repairs import FIELD_ISSUES, field_fix_flow
from .issues import async_issue_while
from .topic_config import topic_clash

# Our setting -> the camera's field in get/set.capture.info.
TOPIC_FIELDS: dict[str, str] = {
    CONF_HEARTBEAT_TOPIC: "statusTopic",
    CONF_SNAPSHOT_TOPIC: "snapshotTopic",
    CONF_ALARM_TOPIC: "alarmTopic",
    CONF_REQUEST_TOPIC: "configTopic",
    CONF_RESPONSE_TOPIC: "configRespTopic",
}
ISSUE_PREFIXES = (
    "topic_mismatch",
    "factory_password",
    "history_unwritable",
    "data_plan",
    *FIELD_ISSUES,
)


def topic_issue_id(mac: str) -> str:
    """The repair issue of a camera posting on other topics."""
    return f"topic_mismatch_{mac}"


@callback
def async_delete_camera_issues(hass: HomeAssistant, mac: str) -> None:
    """Remove every repair issue of a camera (it was removed)."""
    for prefix in ISSUE_PREFIXES:
        ir.async_delete_issue(hass, DOMAIN, f"{prefix}_{mac}")


def differing_topics(
    entry: ConfigEntry, capture: Mapping[str, Any] | None
) -> dict[str, str]:
    """The camera's topics (``get.capture.info``) that differ from the entry's."""
    return {
        ours: value
        for ours, key in TOPIC_FIELDS.items()
        if isinstance(value := (capture or {}).get(key), str)
        and value
        and value != entry.data[ours]
    }


@callback
def async_check_topics(
    hass: HomeAssistant, entry: ConfigEntry, capture: Mapping[str, Any]
) -> None:
    """A fixable issue while the camera's topics differ from the entry's."""
    theirs = differing_topics(entry, capture)
    async_issue_while(
        hass,
        topic_issue_id(entry.data[CONF_MAC]),
        bool(theirs),
        is_fixable=True,
        translation_key="topic_mismatch",
        translation_placeholders={
            "name": entry.title,
            "topics": ", ".join(
                f"{entry.data[ours]} -> {value}" for ours, value in theirs.items()
            ),
        },
        data={"entry_id": entry.entry_id},
    )


@callback
def async_check_factory_password(
    hass: HomeAssistant, entry: ConfigEntry, factory_password: bool
) -> None:
    """An issue while the camera's HTTP login is the factory default."""
    async_issue_while(
        hass,
        f"factory_password_{entry.data[CONF_MAC]}",
        factory_password,
        is_fixable=False,
        translation_key="factory_password",
        translation_placeholders={"name": entry.title},
    )


@callback
def async_check_history_writable(
    hass: HomeAssistant, entry: ConfigEntry, error: str | None, folder: Path
) -> None:
    """An issue while the camera's pictures cannot be written (disk full, ...)."""
    async_issue_while(
        hass,
        f"history_unwritable_{entry.data[CONF_MAC]}",
        error is not None,
        is_fixable=False,
        translation_key="history_unwritable",
        translation_placeholders={
            "name": entry.title,
            "folder": str(folder),
            "error": str(error),
        },
    )


class TopicMismatchFlow(RepairsFlow):
    """Adopt the camera's topics, or push Home Assistant's to the camera."""

    def __init__(self, entry: ConfigEntry) -> None:
        """Fix the topics of ``entry``."""
        self._entry = entry
        self._theirs: dict[str, str] = {}

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """Offer what can be done (for a loaded camera: its state says what differs)."""
        entry = self._entry
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="camera_not_loaded")
        self._theirs = differing_topics(
            entry, entry.runtime_data.data.settings.get("get.capture.info")
        )
        options = ["adopt"]
        if entry.runtime_data.commands.http is not None:
            options.append("push")
        return self.async_show_menu(
            step_id="init",  # without it: "will stop working in 2027.5" (2026.11)
            menu_options=options,
            description_placeholders={"name": self._entry.title},
        )

    async def async_step_adopt(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """Listen where the camera posts (the entry reloads)."""
        hass = self.hass
        if clash := topic_clash({**self._entry.data, **self._theirs}):
            return self.async_abort(reason=clash)
        hass.config_entries.async_update_entry(
            self._entry, data={**self._entry.data, **self._theirs}
        )
        ir.async_delete_issue(hass, DOMAIN, topic_issue_id(self._entry.data[CONF_MAC]))
        hass.config_entries.async_schedule_reload(self._entry.entry_id)
        return self.async_create_entry(data={})

    async def async_step_push(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """Write Home Assistant's topics to the camera over HTTP (only HTTP: over
        MQTT its answer would come on the topic Home Assistant does not hear)."""
        entry = self._entry
        data = {TOPIC_FIELDS[ours]: entry.data[ours] for ours in self._theirs}
        http = entry.runtime_data.commands.http
        assert http is not None  # the menu offers push only with HTTP access
        try:
            await http.async_request("set.capture.info", data)
        except X5Error:
            return self.async_abort(reason="push_failed")
        ir.async_delete_issue(self.hass, DOMAIN, topic_issue_id(entry.data[CONF_MAC]))
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix flow of a fixable issue."""
    data = data or {}
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    if entry is None or entry.domain != DOMAIN:
        raise ValueError(f"no camera for issue {issue_id}")
    if (flow := field_fix_flow(entry, str(data.get("fix")))) is not None:
        return flow
    return TopicMismatchFlow(entry)
