"""Selects: work mode, trigger source, day/night mode, image type."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Setting
from .api.coerce import as_int
from .coordinator import X5ConfigEntry
from .entity import X5SettingDescription, X5SettingEntity
from .state import X5State

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class X5SelectEntityDescription(SelectEntityDescription, X5SettingDescription):
    """A select over one enumerated setting (option i is the camera's value i)."""


def _select(
    key: str,
    group: str,
    path: tuple[str, ...],
    options: list[str],
    *,
    cutting_option: str | None = None,
) -> X5SelectEntityDescription:
    """Option i is the camera's value i; ``cutting_option`` cuts HA off."""
    setting = Setting(group, path)

    def value(state: X5State) -> str | None:
        raw = as_int(setting.read(state.settings))
        return options[raw] if raw is not None and 0 <= raw < len(options) else None

    cutting = options.index(cutting_option) if cutting_option else None
    return X5SelectEntityDescription(
        key=key,
        translation_key=key,
        entity_category=EntityCategory.CONFIG,
        options=options,
        setting=setting,
        value_fn=value,
        cuts_link=None if cutting is None else (lambda index: index == cutting),
        entity_registry_enabled_default=cutting is None,
    )


SELECTS: tuple[X5SelectEntityDescription, ...] = (
    # NOTES.md: remote configuration works only in work mode 0; switching to 1 from
    # Home Assistant is the last command the camera will take remotely.
    _select(
        "work_mode",
        "capture.info",
        ("workMode",),
        ["full_function", "low_power"],
        cutting_option="low_power",
    ),
    _select(
        "trigger_source",
        "capture.info",
        ("triggerConfig", "source"),
        ["auto", "radar", "pir"],
    ),
    _select(
        "day_night_mode",
        "image.info",
        ("dnMode",),
        ["auto", "day", "night", "schedule"],
    ),
    _select("image_type", "capture.info", ("imageType",), ["full_image", "cropped"]),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's enumerated settings."""
    coordinator = entry.runtime_data
    async_add_entities(X5Select(coordinator, description) for description in SELECTS)


class X5Select(X5SettingEntity, SelectEntity):
    """An enumerated camera setting."""

    entity_description: X5SelectEntityDescription

    @property
    def current_option(self) -> str | None:
        """The camera's option (unknown until read), or the change waiting for it."""
        value: str | None = self._value
        return value

    async def async_select_option(self, option: str) -> None:
        """Write the option's index, as the camera numbers them."""
        index = self.entity_description.options.index(option)  # type: ignore[union-attr]
        await self._async_write(index, option)
