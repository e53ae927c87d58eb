"""The URL of a kept picture: authenticated, and only for pictures in the history.

``/api/milesight_x5/history/<config entry id>/<picture>``: the media browser
resolves a picture to it, and a capture event carries it signed (for a
notification). Only a name of the camera's history is served: nothing from the
request becomes a path.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from aiohttp import web
from homeassistant.components.http.auth import async_sign_path
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import DOMAIN, PICTURE_URL_EXPIRY
from .history import X5History
from .history_files import Picture

PICTURE_URL = f"/api/{DOMAIN}/history/{{entry_id}}/{{name}}"


def picture_path(entry_id: str, picture: Picture) -> str:
    """The (unsigned) path of a kept picture."""
    return PICTURE_URL.format(entry_id=entry_id, name=picture.name)


@callback
def async_signed_picture_path(
    hass: HomeAssistant,
    entry_id: str,
    picture: Picture,
    expiration: timedelta = PICTURE_URL_EXPIRY,
) -> str:
    """The path of a kept picture that works without a login until it expires."""
    return async_sign_path(
        hass, picture_path(entry_id, picture), expiration, use_content_user=True
    )


@callback
def async_get_history(hass: HomeAssistant, entry_id: str) -> X5History | None:
    """The history of a loaded camera, by config entry id."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not (ConfigEntryState.LOADED)
    ):
        return None
    history: X5History = entry.runtime_data.history
    return history


class X5PictureView(HomeAssistantView):
    """Serve a kept picture to a logged-in user (or a signed path)."""

    url = PICTURE_URL
    name = f"api:{DOMAIN}:history"
    requires_auth = True

    async def get(self, request: web.Request, entry_id: str, name: str) -> web.Response:
        """The picture's bytes, or 404."""
        history = async_get_history(request.app[KEY_HASS], entry_id)
        picture = history.get(name) if history is not None else None
        if history is None or picture is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        if (image := await history.async_read(picture)) is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.Response(
            body=image,
            content_type=picture.mime_type,
            headers={"Cache-Control": "private, max-age=86400, immutable"},
        )
