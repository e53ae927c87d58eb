"""Device triggers: one per alarm type and per capture trigger of a camera.

Each listens to the integration's bus events (``bus_events.py``), which fire only
for live messages: a reload, a restart or a broker's replay never triggers. The
trigger's variables are the event's: ``trigger.event.data.text`` (an alarm's
words), ``trigger.event.data.trigger_value`` (what set a capture off)...
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .api import AlarmType, TriggerType
from .const import DOMAIN, EVENT_ALARM, EVENT_CAPTURE

# Trigger type -> (bus event, its ``type``): "low_power_alarm", "pir_capture"...
TRIGGER_TYPES: Final[dict[str, tuple[str, str]]] = {
    **{f"{alarm}_alarm": (EVENT_ALARM, alarm.value) for alarm in AlarmType},
    **{f"{trigger}_capture": (EVENT_CAPTURE, trigger.value) for trigger in TriggerType},
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES)}
)


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """Every alarm and capture trigger of a camera."""
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGER_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for this camera's bus events of the trigger's type."""
    event_type, kind = TRIGGER_TYPES[config[CONF_TYPE]]
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: event_type,
            CONF_EVENT_DATA: {
                CONF_DEVICE_ID: config[CONF_DEVICE_ID],
                CONF_TYPE: kind,
            },
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
