"""Retention of the picture history (Options), and a disk that refuses pictures."""

from __future__ import annotations

from datetime import timedelta
import errno
from pathlib import Path
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.milesight_x5.api import TriggerType
from custom_components.milesight_x5.const import (
    CONF_HISTORY_DAYS,
    CONF_HISTORY_SIZE,
    DOMAIN,
)
from custom_components.milesight_x5.history_files import (
    INDEX,
    Picture,
    expired,
)

from .conftest import SNAPSHOT_TOPIC, fire
from .helpers import jpeg, picture
from .test_history import (  # noqa: F401 (platforms: the same fixture)
    IMAGE,
    ISSUE,
    NOW,
    _files,
    _folder,
    _kept,
    _reload,
    platforms,
)

pytestmark = pytest.mark.freeze_time(NOW)


def _picture(minutes: int, size: int) -> Picture:
    return Picture(
        name=f"{minutes}.jpg",
        taken=NOW + timedelta(minutes=minutes),
        trigger=TriggerType.TIMED,
        size=size,
    )


def test_retention_removes_the_old_and_the_oldest_beyond_the_size() -> None:
    """Older than the days go, then the oldest while the total is over the size;
    the newest picture stays however large."""
    pictures = [_picture(minutes, 10) for minutes in range(5)]
    now = NOW + timedelta(days=1, minutes=1, seconds=30)
    assert expired(pictures, now, timedelta(days=1), 100) == pictures[:2]
    assert expired(pictures, NOW, timedelta(days=1), 30) == pictures[:2]
    assert expired(pictures, NOW, timedelta(days=1), 50) == []
    assert expired(pictures, NOW, timedelta(days=1), 1) == pictures[:4]
    assert expired(pictures, now + timedelta(days=1), timedelta(days=1), 100) == (
        pictures
    )
    assert expired([], NOW, timedelta(days=1), 1) == []


@pytest.mark.usefixtures("mqtt_mock", "_limit_platforms")
async def test_retention_by_age_on_write_and_daily(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Kept for the days in Options: older pictures go with the next picture, and
    by the daily check when no picture comes."""
    entry = await _setup(hass, {CONF_HISTORY_DAYS: 2})
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    freezer.tick(timedelta(days=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    freezer.tick(timedelta(days=1, seconds=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("c"))
    assert [kept.taken for kept in _kept(entry)] == [
        NOW + timedelta(days=2, seconds=1),
        NOW + timedelta(days=1),
    ]
    assert len(_files(hass)) == 3
    # No picture for two days: the daily check empties the history.
    freezer.tick(timedelta(days=2, minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _kept(entry) == []
    assert _files(hass) == [INDEX]
    # The image still shows the last picture.
    assert (await hass.data["image"].get_entity(IMAGE).async_image()) == jpeg("c")


async def _setup(hass: HomeAssistant, options: dict[str, float]) -> MockConfigEntry:
    from .conftest import make_entry

    entry = make_entry(options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.usefixtures("mqtt_mock", "_limit_platforms")
async def test_retention_by_size(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Beyond the size in Options the oldest pictures go, the newest always stays."""
    size = len(jpeg("a"))
    entry = await _setup(hass, {CONF_HISTORY_SIZE: 0.002})  # 2000 bytes
    for tag in ("a", "b", "c"):
        await fire(hass, SNAPSHOT_TOPIC, picture(tag))
        freezer.tick(timedelta(minutes=1))
    assert [kept.taken.minute for kept in _kept(entry)] == [2, 1]
    assert entry.runtime_data.history.total_bytes == 2 * size
    # A shorter retention saved in Options applies at once.
    freezer.tick(timedelta(days=3))
    await fire(hass, SNAPSHOT_TOPIC, picture("d"))
    assert [kept.taken.minute for kept in _kept(entry)] == [3, 2]
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HISTORY_DAYS: 1, CONF_HISTORY_SIZE: 10}
    )
    assert result["type"] == "create_entry"
    assert [kept.taken.minute for kept in _kept(entry)] == [3]
    assert len(_files(hass)) == 2


@pytest.mark.usefixtures("mqtt_mock", "_limit_platforms")
async def test_a_full_disk_still_makes_room(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Retention deletes before it writes: on a full disk the picture it removes
    goes from the disk and the list alike, which makes room for the next one."""
    entry = await _setup(hass, {CONF_HISTORY_SIZE: 0.002})  # 2000 bytes: two fit
    for tag in ("a", "b"):
        await fire(hass, SNAPSHOT_TOPIC, picture(tag))
        freezer.tick(timedelta(minutes=1))
    oldest, newer = (kept.name for kept in reversed(_kept(entry)))
    full = OSError(errno.ENOSPC, "No space left on device")
    with patch.object(Path, "write_bytes", side_effect=full):
        await fire(hass, SNAPSHOT_TOPIC, picture("c"))
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
    assert [kept.name for kept in _kept(entry)] == [newer]
    assert _files(hass) == sorted([INDEX, newer])
    freezer.tick(timedelta(minutes=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("d"))  # room again: the repair goes
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None
    assert oldest not in _files(hass)


@pytest.mark.usefixtures("mqtt_mock", "_limit_platforms")
async def test_a_picture_that_cannot_be_deleted_stays_listed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Retention could not delete a picture: it is still on disk, so still listed
    and counted (and removed by the next retention that can)."""
    entry = await _setup(hass, {CONF_HISTORY_SIZE: 0.002})
    for tag in ("a", "b"):
        await fire(hass, SNAPSHOT_TOPIC, picture(tag))
        freezer.tick(timedelta(minutes=1))
    oldest = _kept(entry)[-1].name
    real_unlink = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path.name == oldest:
            raise PermissionError(errno.EACCES, "Permission denied")
        real_unlink(path, missing_ok=missing_ok)

    with patch.object(Path, "unlink", unlink):
        await fire(hass, SNAPSHOT_TOPIC, picture("c"))
    assert oldest in [kept.name for kept in _kept(entry)]
    assert oldest in _files(hass)
    assert len(_kept(entry)) == 3
    freezer.tick(timedelta(minutes=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("d"))
    assert oldest not in _files(hass)
    assert oldest not in [kept.name for kept in _kept(entry)]


async def test_a_restart_applies_retention(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant was down past a picture's days: it goes at start."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    freezer.tick(timedelta(days=31))
    await _reload(hass, init_integration)
    assert _kept(init_integration) == []


async def test_unwritable_folder_is_a_repair_until_writing_works(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A file where the folder should be: the picture is still shown, not kept, and
    a repair says why; once the folder can be written the issue goes."""
    folder = _folder(hass)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"in the way")
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    assert (await hass.data["image"].get_entity(IMAGE).async_image()) == jpeg("a")
    assert _kept(init_integration) == []
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert not issue.is_fixable
    assert issue.translation_key == "history_unwritable"
    assert issue.translation_placeholders == {
        "name": "Garden camera",
        "folder": str(folder),
        "error": "File exists",
    }
    assert "Cannot keep the pictures of Garden camera" in caplog.text
    # The next failure says nothing new.
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    assert caplog.text.count("Cannot keep the pictures") == 1

    folder.unlink()
    await fire(hass, SNAPSHOT_TOPIC, picture("c"))
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None
    assert [kept.size for kept in _kept(init_integration)] == [len(jpeg("c"))]
    assert "The pictures of Garden camera are kept again" in caplog.text


async def test_disk_full_is_a_repair_not_an_exception(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A full disk: no half-written file stays behind, the message is not lost."""
    full = OSError(errno.ENOSPC, "No space left on device")
    with patch.object(Path, "write_bytes", side_effect=full):
        await fire(hass, SNAPSHOT_TOPIC, picture("a", snapType="PIR"))
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert issue.translation_placeholders["error"] == "No space left on device"
    assert hass.states.get("image.garden_camera_snapshot").state != "unknown"
    assert init_integration.runtime_data.data.snapshot.trigger is TriggerType.PIR
    assert _kept(init_integration) == []
    assert not any(_folder(hass).iterdir())  # no temporary file left
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


async def test_only_the_index_fails(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The picture is written but not the index: kept (its name tells enough at the
    next start), and the failure is a repair."""
    real_replace = __import__("os").replace

    def replace(source: Path, target: Path) -> None:
        if Path(target).name == INDEX:
            raise PermissionError(errno.EACCES, "Permission denied")
        real_replace(source, target)

    with patch("custom_components.milesight_x5.history_files.os.replace", replace):
        await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    assert len(_kept(init_integration)) == 1
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue.translation_placeholders["error"] == "Permission denied"
    await _reload(hass, init_integration)
    assert [kept.trigger for kept in _kept(init_integration)] == [TriggerType.NOISE]


@pytest.mark.usefixtures("mqtt_mock", "_limit_platforms")
async def test_an_unreadable_folder_at_start_is_an_empty_history(
    hass: HomeAssistant,
) -> None:
    """The folder cannot be read at start: the camera loads with no history."""
    folder = _folder(hass)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"not a folder")
    entry = await _setup(hass, {})
    assert _kept(entry) == []


async def test_retention_options(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The form offers 30 days and 200 MB; out of range says which field and range;
    saved, they apply."""
    from homeassistant.data_entry_flow import FlowResultType

    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults[CONF_HISTORY_DAYS] == 30
    assert defaults[CONF_HISTORY_SIZE] == 200
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HISTORY_DAYS: 0, CONF_HISTORY_SIZE: 100_001}
    )
    assert result["errors"] == {
        CONF_HISTORY_DAYS: "history_days_range",
        CONF_HISTORY_SIZE: "history_size_range",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HISTORY_DAYS: 7, CONF_HISTORY_SIZE: 50}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    history = init_integration.runtime_data.history
    assert history.max_age == timedelta(days=7)
    assert history.max_bytes == 50_000_000
    # The form shows what was saved.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults[CONF_HISTORY_DAYS] == 7


async def test_a_new_error_updates_the_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The folder is in the way, then the disk is full: the issue says the latest."""
    folder = _folder(hass)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"in the way")
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    folder.unlink()
    full = OSError(errno.ENOSPC, "No space left on device")
    with patch.object(Path, "write_bytes", side_effect=full):
        await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue.translation_placeholders["error"] == "No space left on device"
