"""A repair issue that is there exactly while its condition holds (one helper for
:mod:`.repairs` and :mod:`.field_repairs`)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


@callback
def async_issue_while(
    hass: HomeAssistant, issue_id: str, present: bool, **issue: Any
) -> None:
    """Create the warning ``issue_id`` while ``present``, delete it otherwise."""
    if not present:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass, DOMAIN, issue_id, severity=ir.IssueSeverity.WARNING, **issue
    )
