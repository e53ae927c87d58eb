"""The demo's Home Assistant config dir: written once, kept between runs.

A fresh dir (the first run, or ``scripts/demo --fresh``) has onboarding done except
the user (created through the onboarding endpoint, so nothing is set up that calls
the internet), Home Assistant's MQTT integration on the demo broker, this
integration with the three cameras, an "X5 cameras" dashboard (picture cards on the
camera entities), the automation editor (automations.yaml, the repository's
blueprints) and the recorder (history graphs). A kept dir keeps everything made in
the UI (automations, added cameras, changed settings, the picture history, logins);
only ``configuration.yaml`` (the demo's own) and the MQTT entry's port are written
again, for this run's ports.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
import shutil
import time
from typing import Any
import uuid

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "milesight_x5"
CAMERAS = {
    "1CC3164126A2": "Garden camera",
    "1CC3164126A3": "Barn camera",
    "1CC3164126A4": "Field camera",
}
# The field camera shows the X5 family's habits: three pictures it took while
# offline come late at its first wake (kept in the history, no notification), its
# snapTypes spelled the vendor's other ways, its battery a plain percentage.
# It cannot be woken (wake by MQTT off): the settings copy the demo starts waits
# for its own next wake.
FIELD_HABITS = [
    "--backlog", "3", "--vendor-spellings", "--plain-battery", "--no-wake-by-mqtt",
]  # fmt: skip
# The SIMs' monthly plans (MB): the barn camera has used 87 % of its 7 MB (the
# simulator's 6.1 MB this month), so its data plan repair shows.
DATA_PLANS = {"1CC3164126A3": 7, "1CC3164126A4": 100}


# The fleet's health, from the repository's blueprints, on the three cameras (JSON
# is YAML): the data budget (5 MB) is passed by the 6.1 MB the simulator reports,
# so a notification shows; battery and reachability stay quiet unless you make
# them speak (scripts/camera, or stop the demo's cameras for a while).
def _fleet(
    name: str, title: str, key: str, suffix: str, **inputs: Any
) -> dict[str, Any]:
    domain = "binary_sensor" if suffix == "connectivity" else "sensor"
    entities = [
        f"{domain}.{camera.lower().replace(' ', '_')}_{suffix}"
        for camera in CAMERAS.values()
    ]
    return {
        "id": f"x5_demo_{name}",
        "alias": title,
        "use_blueprint": {
            "path": f"{DOMAIN}/fleet_{name}.yaml",
            "input": {key: entities, **inputs},
        },
    }


FLEET_AUTOMATIONS = [
    _fleet("battery_low", "Fleet: battery low", "batteries", "battery", threshold=20),
    _fleet("unreachable", "Fleet: camera unreachable", "connectivity", "connectivity",
           duration={"hours": 1}),
    _fleet("data_budget", "Fleet: data above budget", "data_used",
           "data_used_this_month", budget=5),
]  # fmt: skip
DASHBOARD = {"id": "x5_cameras", "url_path": "x5-cameras", "title": "X5 cameras"}
TOPICS = {
    "heartbeat_topic": "X5SensingCam/Status",
    "snapshot_topic": "X5SensingCam/Snapshot",
    "alarm_topic": "X5SensingCam/Alarm",
    "request_topic": "X5SensingCam/ConfigureRequest",
    "response_topic": "X5SensingCam/ConfigureRespond",
}
ENTRIES = Path(".storage", "core.config_entries")


def _storage(key: str, data: Any, version: int = 1, minor: int = 1) -> str:
    return json.dumps(
        {"version": version, "minor_version": minor, "key": key, "data": data}
    )


def _entry(
    domain: str, title: str, data: dict[str, Any], unique_id: str | None, **extra: Any
) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "created_at": now,
        "modified_at": now,
        "data": data,
        "discovery_keys": {},
        "disabled_by": None,
        "domain": domain,
        "entry_id": uuid.uuid4().hex,
        "minor_version": extra.get("minor_version", 1),
        "options": extra.get("options", {}),
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": title,
        "unique_id": unique_id,
        "version": 1,
    }


def configuration_yaml(ha_port: int, *, recorder: bool = True) -> str:
    """The demo's configuration.yaml (``recorder`` False: no history, as measured)."""
    return (
        "homeassistant:\n"
        "  name: X5 demo\n  latitude: 24.62493\n  longitude: 118.03077\n  elevation: 60\n"
        "  unit_system: metric\n  time_zone: UTC\n  country: US\n  currency: EUR\n"
        "  language: en\n"
        f"http:\n  server_port: {ha_port}\n"
        "frontend:\n"
        "media_source:\n"
        # The blueprints' default action, notify.persistent_notification, exists.
        "notify:\n"
        "automation: !include automations.yaml\n"
        # Graphs on the sensors' pages, and the logbook of alarms and captures.
        + ("recorder:\n  purge_keep_days: 7\nhistory:\nlogbook:\n" if recorder else "")
        + "logger:\n  default: warning\n  logs:\n    custom_components.milesight_x5: info\n"
    )


def _link_integration_and_blueprints(config: Path) -> None:
    """The integration and the repository's blueprints, linked into ``config``
    (file by file: Home Assistant does not follow a linked folder)."""
    integration = config / "custom_components" / DOMAIN
    integration.parent.mkdir(parents=True, exist_ok=True)
    if not integration.is_symlink():
        integration.symlink_to(ROOT / "custom_components" / DOMAIN)
    ours = Path("blueprints", "automation", DOMAIN)
    (config / ours).mkdir(parents=True, exist_ok=True)
    for blueprint in (ROOT / ours).glob("*.yaml"):
        if not (link := config / ours / blueprint.name).is_symlink():
            link.symlink_to(blueprint)


def write_config(
    config: Path, ha_port: int, broker_port: int, *, recorder: bool = True
) -> None:
    """A fresh config dir with onboarding (but the user) done and the entries in place."""
    shutil.rmtree(config, ignore_errors=True)
    (config / ".storage").mkdir(parents=True)
    (config / "configuration.yaml").write_text(
        configuration_yaml(ha_port, recorder=recorder)
    )
    # The automation editor (Settings -> Automations & scenes) saves here.
    (config / "automations.yaml").write_text(json.dumps(FLEET_AUTOMATIONS, indent=2))
    _link_integration_and_blueprints(config)
    storage = config / ".storage"
    (storage / "onboarding").write_text(
        _storage("onboarding", {"done": ["core_config", "analytics", "integration"]}, 4)
    )
    entries = [
        _entry(
            "mqtt",
            "Demo broker",
            {"broker": "127.0.0.1", "port": broker_port},
            None,
            minor_version=2,
            options={"discovery": True, "birth_message": {}, "will_message": {}},
        ),
        *(
            _entry(
                DOMAIN,
                title,
                {"mac": mac, **TOPICS},
                mac,
                options={"data_plan": DATA_PLANS[mac]} if mac in DATA_PLANS else {},
            )
            for mac, title in CAMERAS.items()
        ),
    ]
    (config / ENTRIES).write_text(
        _storage("core.config_entries", {"entries": entries}, 1, 5)
    )
    write_dashboard(storage)
    write_battery_history(storage, time.time())


def write_battery_history(storage: Path, now: float) -> None:
    """Three days of the garden camera's state of charge, falling 3 % a day to its
    91 %: its *Battery days left* shows at once (it needs two days of history)."""
    hours = range(72, 0, -1)
    log = [[now - hour * 3600.0, round(91 + 3 * hour / 24, 1)] for hour in hours]
    mac = next(iter(CAMERAS))
    key = f"{DOMAIN}.{mac}"
    (storage / key).write_text(_storage(key, {"battery_log": log}))


def keep_config(config: Path, ha_port: int, broker_port: int) -> bool:
    """Reuse a config dir of an earlier run: this run's ports in configuration.yaml
    and the MQTT entry, all else as the user left it. False when there is none."""
    entries_file = config / ENTRIES
    if not entries_file.exists():
        return False
    (config / "configuration.yaml").write_text(configuration_yaml(ha_port))
    _link_integration_and_blueprints(config)
    stored = json.loads(entries_file.read_text())
    for entry in stored["data"]["entries"]:
        if entry["domain"] == "mqtt" and entry["data"].get("broker") == "127.0.0.1":
            entry["data"]["port"] = broker_port
    entries_file.write_text(json.dumps(stored))
    return True


def user_created(config: Path) -> bool:
    """Whether the demo's user exists (onboarding's user step is done)."""
    onboarding = config / ".storage" / "onboarding"
    if not onboarding.exists():
        return False
    return "user" in json.loads(onboarding.read_text())["data"]["done"]


def write_dashboard(storage: Path) -> None:
    """A storage-mode dashboard with picture cards on the cameras' camera entities."""
    dashboard = {
        **DASHBOARD,
        "icon": "mdi:cctv",
        "mode": "storage",
        "require_admin": False,
        "show_in_sidebar": True,
    }
    (storage / "lovelace_dashboards").write_text(
        _storage("lovelace_dashboards", {"items": [dashboard]})
    )
    garden, barn, field = (
        f"camera.{title.lower().replace(' ', '_')}" for title in CAMERAS.values()
    )
    cards = [
        {"type": "picture-entity", "entity": garden, "camera_view": "auto"},
        {
            "type": "picture-glance",
            "title": "Barn camera",
            "camera_image": barn,
            "camera_view": "auto",
            "entities": [
                "sensor.barn_camera_battery",
                "binary_sensor.barn_camera_connectivity",
                "event.barn_camera_capture",
            ],
        },
        {
            "type": "picture-glance",
            "title": "Field camera (a backlog taken offline)",
            "camera_image": field,
            "camera_view": "auto",
            "entities": [
                "sensor.field_camera_battery",
                "event.field_camera_capture",
            ],
        },
    ]
    config = {"views": [{"title": "Cameras", "path": "cameras", "cards": cards}]}
    key = f"lovelace.{DASHBOARD['id']}"
    (storage / key).write_text(_storage(key, {"config": config}))
