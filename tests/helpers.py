"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

FIXTURES = Path(__file__).parent / "fixtures"
SCRIPTS = Path(__file__).parent.parent / "scripts"
INTEGRATION = Path(__file__).parent.parent / "custom_components" / "milesight_x5"


def load_fixture_text(name: str) -> str:
    """Return a fixture file's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def load_fixture_json(name: str) -> dict[str, Any]:
    """Return a fixture file's JSON object."""
    data = json.loads(load_fixture_text(name))
    assert isinstance(data, dict)
    return data


def payload(name: str, mac: str | None = None, **values: Any) -> str:
    """A fixture message as JSON text, for camera ``mac`` and with ``values`` changed."""
    message = load_fixture_json(name)
    if mac is not None:
        message["values"]["devMac"] = mac
    message["values"].update(values)
    return json.dumps(message)


def subprocess_env() -> dict[str, str]:
    """The environment for a child process, without coverage's subprocess hooks
    (the child's measurements would not combine with the test run's)."""
    import os

    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COV_CORE")
    }


def load_script(name: str) -> Any:
    """A module of scripts/ (they are run as files, not imported as a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fixture_jpeg() -> bytes:
    """The JPEG of the snapshot fixture (901 bytes)."""
    import base64

    uri = load_fixture_json("snapshot.json")["values"]["image"]
    return base64.b64decode(uri.split(",", 1)[1])


def jpeg(tag: str = "") -> bytes:
    """A whole JPEG that differs from the fixture's by ``tag`` (before its end marker)."""
    return fixture_jpeg()[:-2] + tag.encode() + b"\xff\xd9"


def picture(tag: str = "", mac: str | None = None, **values: Any) -> str:
    """A snapshot message carrying :func:`jpeg` ``(tag)``, with ``values`` changed."""
    import base64

    values.setdefault(
        "image", "data:image/jpeg;base64," + base64.b64encode(jpeg(tag)).decode()
    )
    return payload("snapshot.json", mac, **values)


def configure_request(
    mac: str, api: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A configure request as the integration sends it."""
    message: dict[str, Any] = {"api": api, "devMac": mac}
    if data is not None:
        message["data"] = data
    return message


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the loop run until ``condition()`` holds (what a message or request
    caused, maybe in a task of its own), at most ``seconds``."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (a fake camera's state, no event)
            await asyncio.sleep(0.005)


async def use_blueprint(
    hass: HomeAssistant, name: str, *, default_action: bool = False, **inputs: Any
) -> None:
    """One automation from the repository's blueprint ``name`` with ``inputs``
    (notifying ``notify.phone`` unless ``default_action``); it is on."""
    from homeassistant.components import automation
    from homeassistant.setup import async_setup_component

    from custom_components.milesight_x5.const import DOMAIN

    action = {} if default_action else {"notify_action": "notify.phone"}
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "use_blueprint": {
                    "path": f"{DOMAIN}/{name}",
                    "input": {**action, **inputs},
                }
            }
        },
    )
    await hass.async_block_till_done()
    (entity_id,) = hass.states.async_entity_ids(automation.DOMAIN)
    assert hass.states.get(entity_id).state == "on"
