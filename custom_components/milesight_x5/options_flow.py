"""Options: how long a camera is presumed awake, how long to wait for it, how often
its settings are read, and how long its pictures are kept."""

from __future__ import annotations

import re
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.const import UnitOfInformation, UnitOfTime
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import voluptuous as vol

from .const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_DATA_PLAN,
    CONF_HISTORY_DAYS,
    CONF_HISTORY_SIZE,
    CONF_LATE_AFTER,
    CONF_MAC,
    CONF_PICTURE_FOLDER,
    CONF_SETTINGS_INTERVAL,
    CONF_WAKE_TIMEOUT,
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_AWAKE_WINDOW,
    DEFAULT_DATA_PLAN,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_HISTORY_SIZE,
    DEFAULT_LATE_AFTER,
    DEFAULT_PICTURE_FOLDER,
    DEFAULT_SETTINGS_INTERVAL,
    DEFAULT_WAKE_TIMEOUT,
)
from .history_files import history_folder, move_history


def _box(unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            step=1, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


# Each option, its range (named in the error for that field), default and selector.
# The range is checked here, not by the selector: its error would not say which
# field or which range ("Value 0.0 is too small").
OPTIONS: dict[str, tuple[int, int, int, NumberSelector]] = {
    CONF_AWAKE_WINDOW: (5, 3600, DEFAULT_AWAKE_WINDOW, _box(UnitOfTime.SECONDS)),
    CONF_WAKE_TIMEOUT: (10, 3600, DEFAULT_WAKE_TIMEOUT, _box(UnitOfTime.SECONDS)),
    CONF_ANSWER_TIMEOUT: (2, 300, DEFAULT_ANSWER_TIMEOUT, _box(UnitOfTime.SECONDS)),
    CONF_SETTINGS_INTERVAL: (1, 168, DEFAULT_SETTINGS_INTERVAL, _box(UnitOfTime.HOURS)),
    CONF_LATE_AFTER: (1, 1440, DEFAULT_LATE_AFTER, _box(UnitOfTime.MINUTES)),
    CONF_HISTORY_DAYS: (1, 3650, DEFAULT_HISTORY_DAYS, _box(UnitOfTime.DAYS)),
    CONF_HISTORY_SIZE: (
        10,
        100_000,
        DEFAULT_HISTORY_SIZE,
        _box(UnitOfInformation.MEGABYTES),
    ),
    CONF_DATA_PLAN: (
        0,
        10_000_000,
        DEFAULT_DATA_PLAN,
        _box(UnitOfInformation.MEGABYTES),
    ),
}


_FOLDER = re.compile(r"[A-Za-z0-9_. -]+(/[A-Za-z0-9_. -]+)*")


def picture_folder(text: Any) -> str | None:
    """A folder under the media directory (``cameras/x5``), or None when the text
    is not one (absolute, ``..``, odd characters)."""
    folder = str(text).strip().rstrip("/")
    if not _FOLDER.fullmatch(folder) or any(
        part != part.strip() or part in {".", ".."} for part in folder.split("/")
    ):
        return None
    return folder


class X5OptionsFlow(OptionsFlow):
    """Timing of commands to a sleeping camera, and retention of its pictures."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Timing of commands, and how long pictures are kept."""
        errors: dict[str, str] = {}
        if user_input is not None:
            for key, (low, high, _, _) in OPTIONS.items():
                if not low <= float(user_input[key]) <= high:
                    errors[key] = f"{key}_range"
            folder = picture_folder(
                user_input.get(CONF_PICTURE_FOLDER, DEFAULT_PICTURE_FOLDER)
            )
            if folder is None:
                errors[CONF_PICTURE_FOLDER] = "picture_folder_invalid"
            if not errors:
                assert folder is not None
                options: dict[str, Any] = {key: int(user_input[key]) for key in OPTIONS}
                options[CONF_PICTURE_FOLDER] = folder
                if await self._async_apply(options):
                    return self.async_create_entry(data=options)
                errors[CONF_PICTURE_FOLDER] = "picture_folder_unusable"
        current = {
            **{key: default for key, (_, _, default, _) in OPTIONS.items()},
            CONF_PICTURE_FOLDER: DEFAULT_PICTURE_FOLDER,
            **self.config_entry.options,
            **(user_input or {}),
        }
        schema = vol.Schema(
            {
                **{
                    vol.Required(key, default=current[key]): selector
                    for key, (_, _, _, selector) in OPTIONS.items()
                },
                vol.Required(
                    CONF_PICTURE_FOLDER, default=current[CONF_PICTURE_FOLDER]
                ): TextSelector(),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)

    async def _async_apply(self, options: dict[str, Any]) -> bool:
        """Apply the options at once, here rather than by an update listener (Home
        Assistant 2026.12 takes those as a request to reload): timings are read
        when used; the pictures move to a new folder, and a shorter retention
        prunes them. False when the pictures cannot be moved (nothing changed)."""
        entry = self.config_entry
        folder = options[CONF_PICTURE_FOLDER]
        loaded = entry.state is ConfigEntryState.LOADED
        try:
            if loaded:
                await entry.runtime_data.history.async_move(folder)
            else:  # the pictures of a camera not loaded move all the same
                mac = entry.data[CONF_MAC]
                await self.hass.async_add_executor_job(
                    move_history,
                    history_folder(self.hass, mac, self._folder),
                    history_folder(self.hass, mac, folder),
                )
        except OSError:
            return False
        self.hass.config_entries.async_update_entry(entry, options=options)
        if loaded:
            await entry.runtime_data.history.async_prune()
            entry.runtime_data.async_check_data_plan()
        return True

    @property
    def _folder(self) -> str:
        """The picture folder saved so far."""
        return str(
            self.config_entry.options.get(CONF_PICTURE_FOLDER, DEFAULT_PICTURE_FOLDER)
        )
