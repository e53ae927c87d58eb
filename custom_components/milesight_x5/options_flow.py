"""Options: how long a camera is presumed awake, and how long to wait for it."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from .const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_WAKE_TIMEOUT,
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_AWAKE_WINDOW,
    DEFAULT_WAKE_TIMEOUT,
)

# Each timing option and its range in seconds (named in the error for that field).
TIMING_RANGES: dict[str, tuple[int, int]] = {
    CONF_AWAKE_WINDOW: (5, 3600),
    CONF_WAKE_TIMEOUT: (10, 3600),
    CONF_ANSWER_TIMEOUT: (2, 300),
}
TIMING_DEFAULTS: dict[str, int] = {
    CONF_AWAKE_WINDOW: DEFAULT_AWAKE_WINDOW,
    CONF_WAKE_TIMEOUT: DEFAULT_WAKE_TIMEOUT,
    CONF_ANSWER_TIMEOUT: DEFAULT_ANSWER_TIMEOUT,
}
# The range is checked here, not by the selector: its error would not say which
# field or which range ("Value 0.0 is too small").
SECONDS = NumberSelector(
    NumberSelectorConfig(step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX)
)


class X5OptionsFlow(OptionsFlow):
    """How long the camera is presumed awake and how long to wait for it."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Timing of commands to a sleeping camera."""
        errors: dict[str, str] = {}
        if user_input is not None:
            for key, (low, high) in TIMING_RANGES.items():
                if not low <= float(user_input[key]) <= high:
                    errors[key] = f"{key}_range"
            if not errors:
                return self.async_create_entry(
                    data={key: int(value) for key, value in user_input.items()}
                )
        current = {**TIMING_DEFAULTS, **self.config_entry.options, **(user_input or {})}
        schema = vol.Schema(
            {vol.Required(key, default=current[key]): SECONDS for key in TIMING_RANGES}
        )
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)
