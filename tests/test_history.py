"""The picture history on disk: what is kept, retention, restarts, bad folders, removal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.milesight_x5.api import TriggerType
from custom_components.milesight_x5.const import (
    DOMAIN,
)
from custom_components.milesight_x5.history_files import (
    INDEX,
    Picture,
    history_folder,
    picture_from_name,
)

from .conftest import MAC, SNAPSHOT_TOPIC, fire
from .helpers import jpeg, picture

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ISSUE = f"history_unwritable_{MAC}"
IMAGE = "image.garden_camera_snapshot"

pytestmark = pytest.mark.freeze_time(NOW)


@pytest.fixture
def platforms() -> list[Platform]:
    """The image: the history needs no platform of its own."""
    return [Platform.IMAGE]


def _folder(hass: HomeAssistant) -> Path:
    return history_folder(hass, MAC)


def _kept(entry: MockConfigEntry) -> list[Picture]:
    return entry.runtime_data.history.newest_first()


def _files(hass: HomeAssistant) -> list[str]:
    """The history's files (the hidden latest picture is the image entity's)."""
    return sorted(
        path.name for path in _folder(hass).iterdir() if path.name != ".latest"
    )


async def _reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def test_every_good_picture_is_kept_with_what_it_was(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each picture is a file named by when HA received it and its trigger; the
    index adds the trigger value and the camera's own time."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a", snapType="Noise", triggerValue="78"))
    freezer.tick(timedelta(minutes=2, seconds=5))
    await fire(hass, SNAPSHOT_TOPIC, picture("b", snapType="PIR", triggerValue=""))

    newest, oldest = _kept(init_integration)
    assert oldest == Picture(
        name="20261125T120000000000Z-noise.jpg",
        taken=NOW,
        trigger=TriggerType.NOISE,
        trigger_value=78,
        camera_time=datetime(2023, 4, 24, 11, 45, 43, tzinfo=UTC),
        size=len(jpeg("a")),
    )
    assert newest.name == "20261125T120205000000Z-pir.jpg"
    assert newest.trigger is TriggerType.PIR
    assert newest.trigger_value is None
    assert _files(hass) == [oldest.name, newest.name, INDEX]
    assert (_folder(hass) / oldest.name).read_bytes() == jpeg("a")
    index = json.loads((_folder(hass) / INDEX).read_text())
    assert index["pictures"][oldest.name] == {
        "trigger_value": 78,
        "camera_time": "2023-04-24T11:45:43+00:00",
    }


async def test_pictures_in_the_same_instant_keep_their_own_files(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Two pictures received at the same moment (a frozen clock) are both kept."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    names = [kept.name for kept in _kept(init_integration)]
    assert names == [
        "20261125T120000000000Z-noise-1.jpg",
        "20261125T120000000000Z-noise.jpg",
    ]
    assert (_folder(hass) / names[0]).read_bytes() == jpeg("b")


@pytest.mark.parametrize(
    "bad_image",
    ["data:image/jpeg;base64,/9j/4AA...", "garbage!", None],
    ids=["truncated", "garbage", "none"],
)
async def test_a_picture_that_fails_validation_is_not_kept(
    hass: HomeAssistant, init_integration: MockConfigEntry, bad_image: str | None
) -> None:
    """Only whole pictures are kept; a bad one leaves the history as it was."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    await fire(hass, SNAPSHOT_TOPIC, picture(image=bad_image, snapType="PIR"))
    assert [kept.trigger for kept in _kept(init_integration)] == [TriggerType.NOISE]
    assert len(_files(hass)) == 2  # the picture and the index


async def test_a_retained_replay_of_a_known_picture_is_not_kept_again(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The broker's replay of the picture already known adds nothing."""
    from pytest_homeassistant_custom_component.common import async_fire_mqtt_message

    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, picture("a"), retain=True)
    await hass.async_block_till_done()
    assert len(_kept(init_integration)) == 1


async def test_a_restart_keeps_the_history(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a restart the history is the same, details included."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a", triggerValue="78"))
    freezer.tick(timedelta(minutes=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("b", snapType="Temperature"))
    before = _kept(init_integration)
    await _reload(hass, init_integration)
    assert _kept(init_integration) == before
    assert init_integration.runtime_data.history.total_bytes == sum(
        kept.size for kept in before
    )


async def test_a_folder_edited_by_hand_never_breaks_the_history(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Missing pictures are forgotten, ours that the index lost are taken from their
    names, everything else is ignored and left in place; the index is rewritten."""
    for tag in ("a", "b", "c", "d"):
        await fire(hass, SNAPSHOT_TOPIC, picture(tag, triggerValue="78"))
        freezer.tick(timedelta(minutes=1))
    first, second, third, fourth = sorted(kept.name for kept in _kept(init_integration))
    folder = _folder(hass)
    (folder / first).unlink()
    index = json.loads((folder / INDEX).read_text())
    del index["pictures"][second]
    index["pictures"]["ghost.jpg"] = {"trigger_value": "nonsense"}
    index["pictures"][third] = {"trigger_value": [1], "camera_time": 5}
    # The shape of a date, an impossible one (the parser raises on it).
    index["pictures"][fourth] = {
        "trigger_value": 78,
        "camera_time": "2026-02-30T25:00:00+00:00",
    }
    (folder / INDEX).write_text(json.dumps(index))
    foreign = [
        "holiday.jpg",
        "notes.txt",
        "20261399T120000000000Z-noise.jpg",  # month 13: not one of ours
        ".20261125T120000000000Z-noise.jpg.tmp",
    ]
    for name in foreign:
        (folder / name).write_bytes(b"mine")
    (folder / "20261125T130000000000Z-pir.jpg").mkdir()  # a folder named like ours
    (folder / "20261125T140000000000Z-pir.jpg").symlink_to(folder / "holiday.jpg")

    await _reload(hass, init_integration)
    kept = {item.name: item for item in _kept(init_integration)}
    assert sorted(kept) == [second, third, fourth]
    assert kept[fourth].camera_time is None  # the index's date was impossible
    assert kept[fourth].trigger_value == 78
    assert kept[second].trigger is TriggerType.NOISE  # from its name
    assert kept[second].trigger_value is None  # the index lost it
    assert kept[third].trigger_value is None  # the index's value was unusable
    assert kept[third].camera_time is None
    assert set(foreign) <= set(_files(hass))
    index = json.loads((folder / INDEX).read_text())
    assert sorted(index["pictures"]) == [second, third, fourth]


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"pictures": 3}'])
async def test_a_broken_index_is_rebuilt_from_the_files(
    hass: HomeAssistant, init_integration: MockConfigEntry, content: str
) -> None:
    """An index that is not one: the pictures are found by their names."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    (_folder(hass) / INDEX).write_text(content)
    await _reload(hass, init_integration)
    assert [kept.trigger for kept in _kept(init_integration)] == [TriggerType.NOISE]
    index = json.loads((_folder(hass) / INDEX).read_text())
    assert list(index["pictures"]) == [_kept(init_integration)[0].name]


async def test_a_missing_folder_is_an_empty_history(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Deleting the whole folder by hand empties the history; the next picture
    makes it again."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    import shutil

    shutil.rmtree(_folder(hass))
    await _reload(hass, init_integration)
    assert _kept(init_integration) == []
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    assert len(_kept(init_integration)) == 1


@pytest.mark.parametrize(
    "name",
    [
        "20261125T120000000000Z-noise.gif",
        "20261125T120000000000Z.jpg",
        "20261125T120000000000-noise.jpg",
        "20261125T120000000000Z-Noise.jpg",
        "../20261125T120000000000Z-noise.jpg",
        "20261132T120000000000Z-noise.jpg",
        "index.json",
    ],
)
def test_names_that_are_not_pictures_of_ours(name: str) -> None:
    """Only the names the history writes are taken for pictures."""
    assert picture_from_name(name) is None


def test_an_unknown_trigger_in_a_name_is_other() -> None:
    """A trigger name a later version might write reads as other."""
    found = picture_from_name("20261125T120000000000Z-lightning-2.png", 7)
    assert found is not None
    assert found.trigger is TriggerType.OTHER
    assert found.mime_type == "image/png"
    assert found.size == 7


async def test_removing_the_camera_removes_its_pictures_and_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Removal deletes the history folder (with whatever is in it) and its issue."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    (_folder(hass) / "holiday.jpg").write_bytes(b"mine")
    latest = _folder(hass) / ".latest"
    assert latest.read_bytes() == jpeg("a")
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="history_unwritable",
    )
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert not _folder(hass).exists()
    assert not latest.exists()
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


async def test_nothing_is_written_after_the_camera_unloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A picture still on its way when the camera unloads (to be removed) does not
    bring the folder back."""
    from custom_components.milesight_x5.api import parse_snapshot

    coordinator = init_integration.runtime_data
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    snapshot = parse_snapshot(picture("late"))
    assert await coordinator.history.async_add(snapshot, NOW) is None
    await coordinator.history.async_prune(rewrite_index=True)
    assert not _folder(hass).exists()


async def test_a_write_failing_as_the_camera_closes_raises_no_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The camera closes (to be removed) while a write that fails runs: no repair
    comes back after the removal deleted the camera's issues."""
    import threading

    from custom_components.milesight_x5 import history as history_module
    from custom_components.milesight_x5.api import parse_snapshot

    history = init_integration.runtime_data.history
    started, release = threading.Event(), threading.Event()

    def fail_once_released(*args: object) -> tuple[bool, str | None, set[str]]:
        started.set()
        release.wait(10)
        return False, "No space left on device", set()

    with patch.object(history_module, "apply_change", fail_once_released):
        adding = hass.async_create_task(
            history.async_add(parse_snapshot(picture("a")), NOW)
        )
        assert await hass.async_add_executor_job(started.wait, 10)
        assert await hass.config_entries.async_unload(init_integration.entry_id)
        release.set()
        assert await adding is None
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


def test_a_write_after_closing_touches_nothing(tmp_path: Path) -> None:
    """The executor job checks, under the lock removal takes, that its camera is
    still open."""
    from custom_components.milesight_x5.history_files import Change, apply_change

    kept = picture_from_name("20261125T120000000000Z-noise.jpg", 3)
    assert kept is not None
    change = Change(keep=[kept], delete=[], new=kept, image=b"abc")
    folder, latest = tmp_path / "history", tmp_path / "latest"
    assert apply_change(folder, latest, change, lambda: True) == (False, None, set())
    assert list(tmp_path.iterdir()) == []


async def test_a_clock_that_went_back_keeps_the_order(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's clock is set back: the history stays ordered by receive time."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    freezer.move_to(NOW - timedelta(hours=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    assert [kept.taken for kept in _kept(init_integration)] == [
        NOW,
        NOW - timedelta(hours=1),
    ]


async def test_a_picture_taken_over_http_is_kept(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The picture of an HTTP cmd.snapshot answer goes the same way as an uplink's;
    a broken one is not kept."""
    coordinator = init_integration.runtime_data
    await coordinator.async_take_picture(jpeg("http"))
    await coordinator.async_take_picture(b"\xff\xd8\xff truncated")
    (kept,) = _kept(init_integration)
    assert kept.trigger is TriggerType.MANUAL
    assert kept.taken == NOW
    assert (_folder(hass) / kept.name).read_bytes() == jpeg("http")
