"""The AI description blueprint, on a Home Assistant with AI Task (2025.8+)."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.milesight_x5.const import DOMAIN

from .conftest import SNAPSHOT_TOPIC, camera_device, fire
from .helpers import payload, use_blueprint

ai_task = pytest.importorskip(
    "homeassistant.components.ai_task",
    reason="AI Task came with Home Assistant 2025.8: the pinned one predates it",
)

FOLDER = Path(__file__).resolve().parent.parent / "blueprints" / "automation" / DOMAIN
ANSWER = "A fox crosses the field at dusk."


class FakeAITask(ai_task.AITaskEntity):  # type: ignore[misc,name-defined]
    """Answers every task the same, keeping what it was given."""

    _attr_name = "Test AI"
    _attr_supported_features = (
        ai_task.AITaskEntityFeature.GENERATE_DATA
        | ai_task.AITaskEntityFeature.SUPPORT_ATTACHMENTS
    )

    def __init__(self) -> None:
        """No task yet."""
        self.tasks: list[Any] = []

    async def _async_generate_data(self, task: Any, chat_log: Any) -> Any:
        self.tasks.append(task)
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id, data=ANSWER
        )


@pytest.fixture
async def fake_ai(hass: HomeAssistant, tmp_path: Path) -> FakeAITask:
    """AI Task with one entity, and the blueprints in the config folder."""
    from homeassistant.components.ai_task.const import DATA_COMPONENT

    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / DOMAIN
    await hass.async_add_executor_job(shutil.copytree, FOLDER, target)
    # Conversation (AI Task's dependency) needs the core integration's exposed
    # entities.
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "ai_task", {})
    entity = FakeAITask()
    await hass.data[DATA_COMPONENT].async_add_entities([entity])
    return entity


async def test_each_picture_described_and_sent(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_ai: FakeAITask
) -> None:
    """A live picture goes to the AI Task as a local attachment (this very picture
    from the history); the notification carries its answer and the picture."""
    notifications: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    device = camera_device(hass, init_integration.entry_id)
    await use_blueprint(
        hass,
        "ai_capture_description.yaml",
        camera=device.id,
        ai_task=fake_ai.entity_id,
    )
    await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json", snapType="PIR"))
    # A timed picture: not among the triggers described by default (PIR, radar).
    await fire(
        hass,
        SNAPSHOT_TOPIC,
        payload("snapshot.json", snapType="Timer", time=1682336900),
    )
    await hass.async_block_till_done()
    (task,) = fake_ai.tasks
    (attachment,) = task.attachments
    assert attachment.media_content_id.startswith(f"media-source://{DOMAIN}/")
    assert attachment.mime_type == "image/jpeg"
    (kept,) = [
        picture
        for picture in init_integration.runtime_data.history.newest_first()
        if picture.name.endswith("-pir.jpg")
    ]
    assert attachment.path == init_integration.runtime_data.history.folder / kept.name
    (sent,) = notifications
    assert sent.data["title"] == "Garden camera"
    assert sent.data["message"] == ANSWER
    assert "-pir.jpg?authSig=" in sent.data["data"]["image"]
