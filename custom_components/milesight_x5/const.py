"""Constants of the Milesight X5 integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.util.hass_dict import HassKey

DOMAIN: Final = "milesight_x5"
MANUFACTURER: Final = "Milesight"
MODEL: Final = "X5 Sensing Camera"

# Fired on Home Assistant's bus for each live alarm and capture (device triggers,
# blueprints); the data has the camera's device_id, the type and the event's details.
EVENT_ALARM: Final = f"{DOMAIN}_alarm"
EVENT_CAPTURE: Final = f"{DOMAIN}_capture"

CONF_MAC: Final = "mac"
CONF_TOPICS: Final = "topics"
CONF_HEARTBEAT_TOPIC: Final = "heartbeat_topic"
CONF_SNAPSHOT_TOPIC: Final = "snapshot_topic"
CONF_ALARM_TOPIC: Final = "alarm_topic"
CONF_REQUEST_TOPIC: Final = "request_topic"
CONF_RESPONSE_TOPIC: Final = "response_topic"

# The guide's defaults (NOTES.md: the two configure topics are cut short in the
# guide's screenshot; this is the reading the project takes).
DEFAULT_TOPICS: Final[dict[str, str]] = {
    CONF_HEARTBEAT_TOPIC: "X5SensingCam/Status",
    CONF_SNAPSHOT_TOPIC: "X5SensingCam/Snapshot",
    CONF_ALARM_TOPIC: "X5SensingCam/Alarm",
    CONF_REQUEST_TOPIC: "X5SensingCam/ConfigureRequest",
    CONF_RESPONSE_TOPIC: "X5SensingCam/ConfigureRespond",
}
TOPIC_KEYS: Final = tuple(DEFAULT_TOPICS)

WAKE_TOPIC_PREFIX: Final = "X5SensingCam/Wake/"

# Watchdog: unreachable after (expected heartbeat interval x 2 + grace) of silence.
DEFAULT_HEARTBEAT_INTERVAL: Final = timedelta(hours=24)
WATCHDOG_GRACE: Final = timedelta(minutes=10)

# Payloads larger than this are parsed in the executor, not in the event loop.
LARGE_PAYLOAD_BYTES: Final = 64 * 1024

# Commands.
CONF_AWAKE_WINDOW: Final = "awake_window"
CONF_WAKE_TIMEOUT: Final = "wake_timeout"
CONF_ANSWER_TIMEOUT: Final = "answer_timeout"
CONF_SETTINGS_INTERVAL: Final = "settings_interval"
# How long after its last message a camera is presumed still awake. The guide does
# not say how long it stays awake; the shorter the presumption, the fewer commands
# go to a camera that already sleeps (beyond it: wake first).
DEFAULT_AWAKE_WINDOW: Final = 10
DEFAULT_WAKE_TIMEOUT: Final = 120  # s to wait for the heartbeat after a wake
DEFAULT_ANSWER_TIMEOUT: Final = 15  # s to wait for an answer on the response topic
# Hours between two reads of the settings (right after a heartbeat, never a wake).
DEFAULT_SETTINGS_INTERVAL: Final = 24
# A camera heard within this share of the awake window is *shown* awake: an act
# (reboot, picture, format, install) goes to it without a probe first.
EVIDENCE_SHARE: Final = 0.2
# A nested write sends its whole branch as last read; a branch read longer ago is
# read again first (the camera's web page or app may have changed it since).
BRANCH_FRESH: Final = timedelta(hours=1)
# What the entities show, read at first contact, then every settings interval,
# right after a heartbeat (no wake for it).
SETTINGS_COMMANDS: Final = (
    "get.capture.info",
    "get.image.info",
    "get.wakeup.info",
    "get.login.info",
    "get.device.status",
)
# upgrade.check makes the camera call the vendor's server over cellular: daily.
UPGRADE_CHECK_INTERVAL: Final = timedelta(days=1)
# In Low Power mode the camera takes no remote configuration: one read a day, right
# after a heartbeat, tells when it is back in Full Function mode.
LOW_POWER_RECHECK_INTERVAL: Final = timedelta(days=1)
# The idempotent read that tells an awake-but-quiet camera from a sleeping one.
PROBE_COMMAND: Final = "get.device.status"
# A firmware install not reported done after this is given up (offered again).
INSTALL_TIMEOUT: Final = timedelta(minutes=30)
# A camera clock off by more than this is reported (once).
CLOCK_TOLERANCE: Final = timedelta(days=1)
# Within this of Home Assistant's, the camera's clock orders its pictures.
CLOCK_AGREES: Final = timedelta(minutes=5)

# HTTP (optional).
CONF_HTTP: Final = "http"
CONF_PROVISION: Final = "provision"
DEFAULT_HTTP_PORT: Final = 80

# Picture history (Options): pictures older than the days, or beyond the size (MB,
# oldest first), are deleted; enforced on every picture and daily.
CONF_HISTORY_DAYS: Final = "history_days"
CONF_HISTORY_SIZE: Final = "history_size"
DEFAULT_HISTORY_DAYS: Final = 30
DEFAULT_HISTORY_SIZE: Final = 200  # MB (10**6 bytes)
HISTORY_PRUNE_INTERVAL: Final = timedelta(days=1)
# Where the pictures are kept (Options): a folder under Home Assistant's media
# directory, one folder per camera (its MAC) inside.
# A picture the camera took longer than this before it arrived is late (Options).
CONF_LATE_AFTER: Final = "late_after"
CONF_DATA_PLAN: Final = "data_plan"
DEFAULT_DATA_PLAN: Final = 0  # MB a month; 0: no plan given
DATA_PLAN_WARN: Final = 80  # % of the plan used: a repair says so
DEFAULT_LATE_AFTER: Final = 15  # minutes
CONF_PICTURE_FOLDER: Final = "picture_folder"
DEFAULT_PICTURE_FOLDER: Final = "milesight_x5"
# How long the picture URL in a capture event works (for a notification to fetch it).
PICTURE_URL_EXPIRY: Final = timedelta(hours=24)
# The media browser's address of this integration's pictures.
MEDIA_SOURCE_PREFIX: Final = f"media-source://{DOMAIN}"

# Cameras a flow just added before they were heard: their setup wakes them once, so
# their values (and the first-contact read) come now, not at their next heartbeat.
JUST_ADDED: HassKey[set[str]] = HassKey(f"{DOMAIN}_just_added")
