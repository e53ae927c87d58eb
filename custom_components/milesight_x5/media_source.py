"""The picture history in the media browser: camera, day, pictures (newest first).

``media-source://milesight_x5/<entry id>`` is a camera, ``.../<entry id>/<YYYY-MM-DD>``
a day of it (Home Assistant's time zone, by when the pictures were taken: when they
arrived, a late one at its capture time), ``.../<entry id>/<picture>`` one picture,
titled like "14:02 · Noise 78 dBA" (a late one "… · late").
"""

from __future__ import annotations

from collections.abc import Mapping
import dataclasses
from datetime import date
import re
from typing import Any, cast

from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.const import UnitOfSoundPressure, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .api import TriggerType
from .const import DOMAIN
from .history import X5History
from .history_files import PICTURE_NAME, Picture
from .view import async_get_history, picture_path

# Home Assistant 2025.8+: a resolved media may name its local file.
_LOCAL = "path" in {field.name for field in dataclasses.fields(PlayMedia)}

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The unit of a trigger's value, where it has one.
UNITS: dict[TriggerType, str] = {
    TriggerType.NOISE: UnitOfSoundPressure.WEIGHTED_DECIBEL_A,
    TriggerType.TEMPERATURE: UnitOfTemperature.CELSIUS,
}
_TRIGGER_NAME = (
    f"component.{DOMAIN}.entity.event.capture.state_attributes.event_type.state.{{}}"
)
_LATE_NAME = f"component.{DOMAIN}.entity.event.capture.state_attributes.late.name"
LATE = "late"  # the title's mark of a late picture (translated)


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The cameras' picture histories."""
    return X5MediaSource(hass)


def picture_title(picture: Picture, trigger_names: Mapping[str, str]) -> str:
    """'14:02 · Noise 78 dBA': local time taken, trigger, its value and unit; a
    late picture says so ('· Late', translated)."""
    trigger = trigger_names.get(picture.trigger.value, picture.trigger.value)
    title = f"{dt_util.as_local(picture.taken):%H:%M} · {trigger}"
    value = picture.trigger_value
    if isinstance(value, int | float):
        unit = UNITS.get(picture.trigger)
        title = f"{title} {value:g} {unit}" if unit else f"{title} {value:g}"
    elif value:
        title = f"{title} {value}"
    return f"{title} · {trigger_names.get(LATE, LATE)}" if picture.late else title


def _local_day(picture: Picture) -> date:
    return dt_util.as_local(picture.taken).date()


class X5MediaSource(MediaSource):
    """Browse and resolve the pictures kept of each camera."""

    name = "Milesight X5 Sensing Camera"

    def __init__(self, hass: HomeAssistant) -> None:
        """The source of every loaded camera."""
        super().__init__(DOMAIN)
        self.hass = hass

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A picture's authenticated URL (and its file, where taken)."""
        entry_id, _, name = item.identifier.partition("/")
        history = async_get_history(self.hass, entry_id)
        picture = (
            history.get(name)
            if history is not None and PICTURE_NAME.fullmatch(name)
            else None
        )
        if history is None or picture is None:
            raise Unresolvable(
                translation_domain=DOMAIN, translation_key="picture_not_found"
            )
        media = PlayMedia(picture_path(entry_id, picture), picture.mime_type)
        if _LOCAL:
            # The file itself too, where Home Assistant takes it (AI Task's
            # attachments, 2025.8+: "only local attachments").
            cast("Any", media).path = history.folder / picture.name
        return media

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The cameras, a camera's days, or a day's pictures."""
        if not item.identifier:
            return self._cameras()
        entry_id, _, day = item.identifier.partition("/")
        history = async_get_history(self.hass, entry_id)
        if history is None or (day and not DAY.fullmatch(day)):
            raise BrowseError(
                translation_domain=DOMAIN, translation_key="history_not_found"
            )
        if not day:
            return self._days(entry_id, history)
        return await self._pictures(entry_id, history, day)

    def _cameras(self) -> BrowseMediaSource:
        entries = sorted(
            self.hass.config_entries.async_loaded_entries(DOMAIN),
            key=lambda entry: entry.title,
        )
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=None,
            media_class=MediaClass.DIRECTORY,
            media_content_type="",
            title=self.name,
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.DIRECTORY,
            children=[
                _folder(
                    entry.entry_id,
                    entry.title,
                    entry.entry_id,
                    entry.runtime_data.history.newest_first(),
                )
                for entry in entries
            ],
        )

    def _days(self, entry_id: str, history: X5History) -> BrowseMediaSource:
        pictures = history.newest_first()
        days: dict[date, list[Picture]] = {}
        for picture in pictures:
            days.setdefault(_local_day(picture), []).append(picture)
        entry = self.hass.config_entries.async_get_entry(entry_id)
        assert entry is not None
        camera = _folder(entry_id, entry.title, entry_id, pictures)
        camera.children_media_class = MediaClass.DIRECTORY
        camera.children = [
            _folder(entry_id, day.isoformat(), f"{entry_id}/{day.isoformat()}", in_day)
            for day, in_day in sorted(days.items(), reverse=True)
        ]
        return camera

    async def _pictures(
        self, entry_id: str, history: X5History, day: str
    ) -> BrowseMediaSource:
        translations = await async_get_translations(
            self.hass, self.hass.config.language, "entity", [DOMAIN]
        )
        names = {
            trigger.value: translations.get(_TRIGGER_NAME.format(trigger.value))
            or trigger.value
            for trigger in TriggerType
        }
        names[LATE] = translations.get(_LATE_NAME) or LATE
        pictures = [
            picture
            for picture in history.newest_first()
            if _local_day(picture).isoformat() == day
        ]
        folder = _folder(entry_id, day, f"{entry_id}/{day}", pictures)
        folder.children_media_class = MediaClass.IMAGE
        folder.children = [
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=f"{entry_id}/{picture.name}",
                media_class=MediaClass.IMAGE,
                media_content_type=picture.mime_type,
                title=picture_title(picture, names),
                can_play=True,
                can_expand=False,
                thumbnail=picture_path(entry_id, picture),
            )
            for picture in pictures
        ]
        return folder


def _folder(
    entry_id: str, title: str, identifier: str, pictures: list[Picture]
) -> BrowseMediaSource:
    """A camera or a day (``pictures`` newest first: the newest is its thumbnail)."""
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier,
        media_class=MediaClass.DIRECTORY,
        media_content_type="",
        title=title,
        can_play=False,
        can_expand=True,
        thumbnail=picture_path(entry_id, pictures[0]) if pictures else None,
    )
