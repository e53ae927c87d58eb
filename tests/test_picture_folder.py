"""Pictures live in Home Assistant's media directory (not in .storage, so not in
every backup): a folder of the integration's, configurable; 0.4's pictures moved."""

from __future__ import annotations

import json
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.const import CONF_PICTURE_FOLDER, DOMAIN

from .conftest import MAC, SNAPSHOT_TOPIC, fire, make_entry
from .helpers import jpeg, picture

IMAGE = "image.garden_camera_snapshot"


@pytest.fixture
def platforms() -> list[Platform]:
    """The image shows the latest picture."""
    return [Platform.IMAGE]


def _media(hass: HomeAssistant) -> Path:
    return Path(hass.config.media_dirs["local"])


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def _options(hass: HomeAssistant, entry: MockConfigEntry, folder: str) -> dict:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PICTURE_FOLDER: folder}
    )


async def test_pictures_go_to_the_media_directory(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """One folder per camera under media/milesight_x5; nothing in .storage."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    folder = _media(hass) / "milesight_x5" / MAC
    names = _names(folder)
    assert ".latest" in names
    assert "index.json" in names
    assert len([name for name in names if name.endswith("-noise.jpg")]) == 1
    storage = Path(hass.config.path(".storage"))
    leftovers = storage.glob(f"{DOMAIN}.*") if storage.exists() else []
    assert [path.name for path in leftovers if path.name != f"{DOMAIN}.{MAC}"] == []


@pytest.mark.usefixtures("_limit_platforms")
async def test_pictures_of_0_4_are_moved(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, hass_storage: dict
) -> None:
    """The history and latest picture 0.4 kept in .storage move to the media
    folder at start: still listed, still shown, .storage left clean."""
    storage = Path(hass.config.path(".storage"))
    old = storage / f"{DOMAIN}.{MAC}.history"
    old.mkdir(parents=True)
    name = "20261125T120000000000Z-pir.jpg"
    (old / name).write_bytes(jpeg("old"))
    (old / "index.json").write_text(
        json.dumps({"version": 1, "pictures": {name: {"trigger_value": None}}})
    )
    (storage / f"{DOMAIN}.{MAC}.image").write_bytes(jpeg("old"))
    hass_storage[f"{DOMAIN}.{MAC}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {"raw": {"snapshot": {"values": {"devMac": MAC, "snapType": "PIR"}}}},
    }
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    folder = _media(hass) / "milesight_x5" / MAC
    assert _names(folder) == [".latest", name, "index.json"]
    assert not old.exists()
    assert not (storage / f"{DOMAIN}.{MAC}.image").exists()
    assert [p.name for p in entry.runtime_data.history.newest_first()] == [name]
    image = hass.data["image"].get_entity(IMAGE)
    assert await image.async_image() == jpeg("old")


async def test_the_folder_is_an_option(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new folder: the pictures move there, new ones follow; a folder outside
    the media directory is refused, as is one that cannot be made (nothing
    changes)."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    for bad in ("/etc", "../config", "a/../../b", "", "x\\y"):
        result = await _options(hass, init_integration, bad)
        assert result["errors"] == {CONF_PICTURE_FOLDER: "picture_folder_invalid"}
    (_media(hass) / "blocked").write_bytes(b"a file in the way")
    result = await _options(hass, init_integration, "blocked/x5")
    assert result["errors"] == {CONF_PICTURE_FOLDER: "picture_folder_unusable"}
    assert CONF_PICTURE_FOLDER not in init_integration.options
    assert len(_names(_media(hass) / "milesight_x5" / MAC)) == 3

    result = await _options(hass, init_integration, " cameras/x5/ ")
    assert result["type"] == "create_entry"
    assert init_integration.options[CONF_PICTURE_FOLDER] == "cameras/x5"
    new = _media(hass) / "cameras" / "x5" / MAC
    assert len(_names(new)) == 3
    assert not (_media(hass) / "milesight_x5" / MAC).exists()
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    assert len(_names(new)) == 4
    assert init_integration.runtime_data.history.count == 2
    # Removing the camera removes its pictures where they are now.
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert not new.exists()
    assert not new.parent.exists()  # the last camera's folder left nothing behind


async def test_a_move_loses_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A folder inside the current one is refused; a file the new folder already
    has, and a folder put beside the pictures, stay where they were; a move that
    fails half-way puts back what moved."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    old = _media(hass) / "milesight_x5" / MAC
    result = await _options(hass, init_integration, f"milesight_x5/{MAC}")
    assert result["errors"] == {CONF_PICTURE_FOLDER: "picture_folder_unusable"}
    assert len(_names(old)) == 3
    for bad in ("x5 /cams", "x5/ padded"):
        result = await _options(hass, init_integration, bad)
        assert result["errors"] == {CONF_PICTURE_FOLDER: "picture_folder_invalid"}

    real_move = shutil.move
    calls = 0

    def fail_second(source: Any, target: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        return real_move(source, target)

    with patch("shutil.move", fail_second):
        result = await _options(hass, init_integration, "full")
    assert result["errors"] == {CONF_PICTURE_FOLDER: "picture_folder_unusable"}
    assert len(_names(old)) == 3
    assert _names(_media(hass) / "full" / MAC) == []

    (old / "mine").mkdir()
    new = _media(hass) / "elsewhere" / MAC
    new.mkdir(parents=True)
    (new / "index.json").write_text("{}")
    result = await _options(hass, init_integration, "elsewhere")
    assert result["type"] == "create_entry"
    assert _names(old) == ["index.json", "mine"]
    assert ".latest" in _names(new)
    assert init_integration.runtime_data.history.count == 1  # read from its name


async def test_a_camera_not_loaded_moves_too(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The folder changed while the camera is disabled: its pictures move all the
    same (none left behind where removal would not find them)."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    result = await _options(hass, init_integration, "moved")
    assert result["type"] == "create_entry"
    assert not (_media(hass) / "milesight_x5" / MAC).exists()
    assert len(_names(_media(hass) / "moved" / MAC)) == 3


@pytest.mark.usefixtures("_limit_platforms")
async def test_a_migration_that_fails_does_not_stop_the_camera(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The pictures of 0.4 cannot be moved (disk full): the camera loads, says so,
    and nothing is lost (tried again at the next start)."""
    old = Path(hass.config.path(".storage", f"{DOMAIN}.{MAC}.history"))
    old.mkdir(parents=True)
    (old / "20261125T120000000000Z-pir.jpg").write_bytes(jpeg("old"))
    entry = make_entry()
    entry.add_to_hass(hass)
    with patch("shutil.move", side_effect=OSError(28, "No space left on device")):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state.value == "loaded"
    assert (old / "20261125T120000000000Z-pir.jpg").exists()
    assert "Cannot move Garden camera's pictures" in caplog.text
