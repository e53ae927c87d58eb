"""The camera's HTTP client from a config entry's data (optional access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api.http_client import FACTORY_USERNAME, X5HttpClient
from .const import DEFAULT_HTTP_PORT


def http_client(hass: HomeAssistant, data: Mapping[str, Any]) -> X5HttpClient | None:
    """The camera's HTTP client from entry data, or None when no host is set."""
    if not (host := data.get(CONF_HOST)):
        return None
    return X5HttpClient(
        async_get_clientsession(hass),
        str(host),
        int(data.get(CONF_PORT, DEFAULT_HTTP_PORT)),
        str(data.get(CONF_USERNAME) or FACTORY_USERNAME),
        str(data.get(CONF_PASSWORD) or ""),
    )
