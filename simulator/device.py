"""The camera's behaviour without any transport: settings, answers, uplinks.

Pure Python (no MQTT, no HTTP, no Home Assistant), so tests can drive it directly
and the MQTT/HTTP front ends stay thin.
"""

from __future__ import annotations

import base64
import calendar
import copy
from dataclasses import dataclass, field
import re
import time
from typing import Any

from .image import make_image
from .settings import (
    DEFAULT_SETTINGS,
    DEVICE_NAME,
    OK,
    READ_ONLY,
    SET_REFUSED,
    check_set,
)


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


# What wakes a simulated camera by itself, in turn (snapType, triggerValue): the
# demo's history then shows each kind of capture.
WAKE_TRIGGERS: tuple[tuple[str, str], ...] = (
    ("Noise", "78"),
    ("PIR", ""),
    ("Timed", ""),
    ("Temperature", "35.5"),
)


# The simulator's own name of a capture by the digital input (the family's firmware
# spells it "Alarm in": VENDOR_SPELLINGS).
DIGITAL_INPUT = "DI"

# snapType as the family's other firmware spells the simulator's own names (NOTES,
# "What the X5 family does in the field": "Alarm in", "PIR", "Button", "Timer",
# "Scheduled", "Unknown"). A timed capture alternates between its two spellings.
VENDOR_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Manual": ("Button",),
    "Timed": ("Timer", "Scheduled"),
    DIGITAL_INPUT: ("Alarm in",),
}

# The card keeps at most this many files in memory (newest kept): the simulator's
# bound, not the card's capacity (storage.info is not consulted).
MAX_SD_FILES = 500

# The folder storage.export takes (guide, "Storage export": ``path`` ``/mnt/mmc``).
SD_PATH = "/mnt/mmc"

# The camera's own date and time written together ("YYYY-MM-DD HH:MM:SS"): the
# format set.time.info's ``timeManual`` takes.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

# storage.search ``type``: 3 all, 1 continuous, 2 trigger (guide, "Storage search").
SEARCH_TYPES = (1, 2, 3)
TRIGGER_FILE = 2


def parse_camera_time(text: str, *, plus: bool = False) -> float | None:
    """``YYYY-MM-DD HH:MM:SS`` (``plus``: a ``+`` for the space too, as the guide
    writes storage.search's times) as seconds since the epoch on the camera's clock
    (its wall time, read as UTC like its file names); None if not that format."""
    if plus:
        text = text.strip().replace("+", " ")
    if not _TIME_TEXT.fullmatch(text):
        return None
    try:
        return float(calendar.timegm(time.strptime(text, TIME_FORMAT)))
    except ValueError:
        return None


def camera_time_text(seconds: float) -> str:
    """Seconds on the camera's clock as it writes a time: ``YYYY-MM-DD HH:MM:SS``."""
    return time.strftime(TIME_FORMAT, time.gmtime(int(seconds)))


@dataclass
class SdFile:
    """One picture on the camera's SD card (guide, "Storage search": ``file``,
    ``startTime``, ``type``, ``size``, ``upload`` "1:Success 0:Failed").

    ``message`` is the snapshot uplink as taken: a picture uploaded later carries
    its own capture time (NOTES: "uploaded later, oldest first, each with its
    capture time"). ``upload`` 0: not uploaded yet (taken offline, or its post
    failed), the backlog a wake online posts.
    """

    message: dict[str, Any]
    taken: float  # the camera's clock at the capture, seconds
    upload: int = 1
    type: int = TRIGGER_FILE
    zone: float = 0.0  # its time zone then: the card lists wall times

    @property
    def wall(self) -> float:
        """The capture on the camera's wall clock (what ``startTime`` says)."""
        return self.taken + self.zone

    @property
    def name(self) -> str:
        """The file name, the snapshot's ``file``."""
        name: str = self.message["values"]["file"]
        return name

    def image(self) -> tuple[bytes, str]:
        """The picture's bytes and content type."""
        uri: str = self.message["values"]["image"]
        header, _, data = uri.partition(",")
        return base64.b64decode(data), header[5:].split(";", 1)[0]

    def entry(self) -> dict[str, Any]:
        """Its ``storage.search`` list entry."""
        return {
            "file": self.name,
            "startTime": camera_time_text(self.wall),
            "type": self.type,
            "size": len(self.image()[0]),
            "upload": self.upload,
        }


def clock_1970_offset(now: float | None = None) -> float:
    """The ``clock_offset`` that makes the camera's clock read 1970-01-01 00:00:00
    at ``now`` (default: this moment), as if it had lost its time at power-on."""
    return -(time.time() if now is None else now)


@dataclass
class SimulatedCamera:
    """One simulated camera: settings in memory, answers as the guide shows them.

    The switches below make it behave as the guide says a camera may, inconvenient
    parts included; each defaults to the simulator's original (convenient) behaviour.

    ``external_power``: powered over USB-C. Guide, "Remote Configure Topic": "when the
    firmware version is 3x.1.0.2 and later, the device will not go to sleep mode if
    you power the device via Type-C port". It is always awake, so a wake changes
    nothing and sends no heartbeat ("each time the camera wakes up" never happens
    again); heartbeats come only at its heartbeat interval (the hub's timer).
    ``get.device.status`` answers ``powerSupply`` 1 ("0: internal; 1: external") and
    the heartbeat's ``battery.powerGoodStat`` is 1.

    ``snapshot_answer`` False: ``cmd.snapshot`` gets no answer on the response topic,
    only the picture as a snapshot uplink. Guide, "Snapshot": its "Return Data" table
    is empty, so nothing says an answer comes (NOTES: "Either one completes the
    command").

    ``set_replaces_objects`` True: a ``set.*`` replaces every top-level object it
    carries wholesale (scalars are set), so a lone nested fragment such as
    ``{"triggerConfig": {"sensorConditions": {"lafDetect": 1}}}`` loses every other
    field of ``triggerConfig`` and of ``sensorConditions``. The guide shows one set
    example (a top-level scalar), says "It is suggested to send get command to
    enquire the settings before sending configure commands", and its
    ``set.capture.info`` table marks ``sensorConditions`` ``Interval`` Required;
    merge or replace is undocumented (NOTES, "Remote configuration"). False: a
    deep merge, the forgiving reading.

    ``reboot_answer`` False: ``cmd.reboot`` gets no answer. Not a guide sentence
    (its "Reboot" Return Data lists ``code``/``result``): it models the answer lost
    to a camera that restarts at once, which NOTES allows for by counting
    ``cmd.reboot`` among the commands that "change the world each time" (never
    re-sent). The camera is then ``rebooting``: it answers nothing and ignores
    wakes until the front end (the hub, after ``reboot_seconds``) calls
    :meth:`end_reboot`, which wakes it with a heartbeat (guide: sent "each time
    the camera wakes up"). Without a hub nothing ends the reboot: tests call
    :meth:`end_reboot` themselves. True: the original behaviour, an OK and no
    interruption. ``reboots`` counts reboots either way.

    ``clock_offset``: seconds added to every time the camera sends (``ts`` in ms,
    a snapshot's ``time`` in s, the date in its SD ``file`` name). The guide's own
    sample file name is ``CV197001011258387T.jpg`` and its search example starts at
    ``1970-01-01+00:00:00``; ``time.info`` ``syncMode`` is "0: GPS 1: Manual", so
    without a fix or a setting the clock is plainly wrong (NOTES: "``ts``/``time``
    are the camera's claim"). :func:`clock_1970_offset` gives an offset that sets
    the clock to 1970-01-01 00:00:00 now.

    ``validate_sets`` True: a ``set.*`` carrying an unknown top-level field, a
    read-only one (``caExist``, ...), a value of the wrong type (text for a number)
    or out of range (the guide's set tables; :data:`~.settings.SET_RULES`) answers
    ``{"code": 1, "result": "<reason>"}`` and changes nothing. False: anything is
    taken (the original behaviour).

    ``install_at_once`` False: ``upgrade.online`` answers OK and starts a download
    (``installing``); the firmware changes only when the front end calls
    :meth:`finish_install`, which also restarts the camera (:meth:`begin_reboot`;
    :meth:`end_reboot` boots it). A :class:`~.runner.CameraRunner` with
    ``Habits.install_seconds`` set turns this off. True: the new firmware runs at
    once and nothing restarts (the original behaviour).

    Uplink switches of ``capture.info`` (guide, "Set capture info"): ``postEnable``
    0 posts nothing at all, ``snapshotEnable`` 0 no pictures, ``statusEnable`` 0
    (or ``"0"``) no heartbeats, ``alarmEnable`` 0 no alarms; :meth:`posts` tells,
    :meth:`wake` and :meth:`end_reboot` return no heartbeat then, and the runner
    publishes nothing muted. Answers on the response topic are not uplinks: they
    still come (the guide does not say otherwise).

    Field habits of the X5 family (NOTES, "What the X5 family does in the field"),
    each off by default:

    ``vendor_spellings``: snapType as the family's other firmware spells it
    (:data:`VENDOR_SPELLINGS`): a manual capture (``cmd.snapshot``, ``pushNow``)
    is "Button", a timed one "Timer" and "Scheduled" in turn (first "Timer"), the
    digital input (:data:`DIGITAL_INPUT`) "Alarm in". Off: "Manual", "Timed",
    "DI" (the guide shows only "Noise").

    ``plain_battery``: the heartbeat's ``values.battery`` is a plain percentage
    (``84``), as the vendor's platform reads it, not the guide's object.

    ``snapshot_battery``: each snapshot carries ``values.battery`` too, as the
    heartbeat does (plain with ``plain_battery``): the sibling firmware adds it.

    ``image_size_text``: ``imageSize`` counts the data-URI text (NOTES: the
    vendor's platform counts it so), not the decoded bytes.

    ``takeover``: ``mip.info`` starts at the guide's defaults ("Get Milesight
    Development Platform info": ``autoProvision``, ``takeOverPlatform``,
    ``dataReportTakeover`` all default 1), and the vendor's cloud takes the
    pictures (NOTES: "With the vendor's device management on, pictures go to its
    cloud instead of the MQTT topic"); see :attr:`pictures_to_cloud`. Off: all 0
    (the simulator's original settings).

    ``mip_supported`` False: firmware before 3x.1.0.3-r1 (the guide: ``get.mip.info``
    "only works with firmware version 3x.1.0.3-r1 and later"). ``get.mip.info`` and
    ``set.mip.info`` get *no answer*, as every command the camera does not know
    (the guide lists no error code for an unknown command, and the simulator
    answers none; over HTTP that is a 404); ``mip.info`` then diverts nothing.

    The SD card: every picture it takes is kept as an :class:`SdFile`
    (:attr:`sd_files`, oldest first, at most :data:`MAX_SD_FILES`), named as the
    snapshot's ``file`` (two pictures in one second share a name), ``type`` 2
    (trigger), ``upload`` 1 once posted or taken by the cloud, 0 while it waits.
    ``storage.search`` lists them (:meth:`search`), ``storage.export`` over HTTP
    gives one's bytes (:meth:`sd_file`). Not modelled: ``postDelete`` and
    ``storage.info`` mode 0 ("Delete After Upload"): files stay after upload; a
    picture muted by ``snapshotEnable`` 0 counts as uploaded (never re-sent).

    ``offline`` (:meth:`go_offline`, :meth:`go_online`): its link to the broker is
    down. It still takes pictures (``upload`` 0, the backlog) and posts nothing;
    its HTTP API (its own Wi-Fi) is unaffected; a runner hears no wake nor request.
    Back online, at its next wake the runner posts the backlog (:meth:`take_backlog`)
    oldest first, each picture with its own capture ``ts``/``time`` (NOTES),
    ``upload_backlog_max`` of them per wake (None: all); ``repeat_uploads``: each
    twice, identical (NOTES: "a file is deleted only after its upload completed,
    so one can arrive twice"). :meth:`add_backlog` puts pictures taken offline
    before the start on the card.

    The clock: ``get.time.info`` answers ``date`` and ``time`` from :meth:`clock`
    (always; the guide's sample was fixed). ``set.time.info`` with ``syncMode`` 1
    ("1: Manual") and ``timeManual`` ``YYYY-MM-DD HH:MM:SS`` (its own ``date`` +
    " " + ``time``; NOTES: "the X5's set.time.info (timeManual, syncMode 1 =
    manual) can set it") sets the clock (``clock_offset``); with
    ``validate_sets`` a ``timeManual`` in another format (other than "", no time)
    is refused ``{"code": 1, "result": "<reason>"}``. ``timezone`` and
    ``zonename`` are kept unless sent (a label only: the clock is its wall time).
    """

    mac: str
    name: str = DEVICE_NAME
    firmware: str = "V_31.1.0.3"
    latest_firmware: str = "V_31.1.0.4"
    settings: dict[str, dict[str, Any]] = field(
        default_factory=lambda: copy.deepcopy(DEFAULT_SETTINGS)
    )
    awake: bool = True
    battery: int = 91
    laf: int = 61
    temperature: float = 32.0
    data_monthly: int = 6_107_722
    snapshots_taken: int = 0
    wake_snapshots: int = 0
    pending_uplinks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reboots: int = 0
    external_power: bool = False
    snapshot_answer: bool = True
    set_replaces_objects: bool = False
    reboot_answer: bool = True
    reboot_seconds: float = 3.0
    rebooting: bool = False
    clock_offset: float = 0.0
    zone_seconds: float = 0.0  # its time zone: get.time.info's wall clock is ahead
    validate_sets: bool = False
    install_at_once: bool = True
    installing: bool = False
    vendor_spellings: bool = False
    plain_battery: bool = False
    snapshot_battery: bool = False
    image_size_text: bool = False
    takeover: bool = False
    mip_supported: bool = True
    offline: bool = False
    upload_backlog_max: int | None = None
    repeat_uploads: bool = False
    sd_files: list[SdFile] = field(default_factory=list)
    cloud_uploads: list[dict[str, Any]] = field(default_factory=list)
    timed_spellings: int = 0

    def __post_init__(self) -> None:
        """A camera on external power is awake from the start and stays so; with
        ``takeover`` its ``mip.info`` is the guide's defaults (all 1)."""
        if self.external_power:
            self.awake = True
        if self.takeover:
            self.settings["mip.info"].update(
                {"autoProvision": 1, "takeOverPlatform": 1, "dataReportTakeover": 1}
            )
        if self.upload_backlog_max is not None and self.upload_backlog_max < 0:
            raise ValueError("upload_backlog_max must not be negative")

    # --- uplinks ---------------------------------------------------------------

    def clock(self) -> float:
        """The camera's clock (seconds since the epoch): this machine's, offset."""
        return time.time() + self.clock_offset

    def _ts(self) -> int:
        return int(self.clock() * 1000)

    def battery_value(self) -> dict[str, Any] | int:
        """The heartbeat's ``battery``: the guide's object, or with
        ``plain_battery`` the plain percentage the vendor's platform reads."""
        if self.plain_battery:
            return self.battery
        return {
            "soc": self.battery, "capacity": 5682, "voltage": 4052, "healthy": 100,
            "chargeCurrent": 0, "chargeStat": 0, "chargeVoltage": 10560,
            "powerGoodStat": int(self.external_power),
        }  # fmt: skip

    def heartbeat(self) -> dict[str, Any]:
        """A heartbeat as the guide's sample (storage outside ``values``)."""
        return {
            "ts": self._ts(),
            "values": {
                "devName": self.name,
                "devMac": self.mac,
                "battery": self.battery_value(),
                "gps": {"latitude": "24.62493", "longitude": "118.03077", "altitude": "59.8"},
                "cellular": {
                    "connectStatus": "4G Connected", "simStatus": "Valid",
                    "signalStrength": -71, "imei": "868444050582056",
                    "imsi": "460115211076172", "iccid": "89860322245922526572",
                    "ipAddr": "10.33.177.77", "subMask": "255.255.255.252",
                    "gateway": "10.33.177.78", "dns": "114.114.114.114",
                    "dataMonthly": self.data_monthly,
                },
                "sensor": {"LAF": self.laf, "temperature": f"{self.temperature:g}"},
            },
            "storage": {"storageCapacity": "6.5%"},
        }  # fmt: skip

    def spelling(self, snap_type: str) -> str:
        """``snap_type`` as this camera spells it (``vendor_spellings``)."""
        spellings = VENDOR_SPELLINGS.get(snap_type) if self.vendor_spellings else None
        if not spellings:
            return snap_type
        if len(spellings) == 1:
            return spellings[0]
        self.timed_spellings += 1
        return spellings[(self.timed_spellings - 1) % len(spellings)]

    def snapshot(
        self,
        snap_type: str = "Noise",
        trigger_value: str = "51",
        *,
        at: float | None = None,
    ) -> dict[str, Any]:
        """A snapshot with a real image as a data URI, taken now (or at ``at`` on
        the camera's clock) and kept on its SD card: ``upload`` 0 (the backlog)
        while :attr:`offline`, else 1."""
        self.snapshots_taken += 1
        taken = self.clock() if at is None else at
        now = int(taken)
        image, mime = make_image(
            self.snapshots_taken * 37, time.strftime("%H:%M:%S", time.gmtime(now))
        )
        uri = f"data:{mime};base64," + base64.b64encode(image).decode()
        values: dict[str, Any] = {
            "devName": self.name,
            "devMac": self.mac,
            "snapType": self.spelling(snap_type),
            "triggerValue": trigger_value,
            "file": f"CV{time.strftime('%Y%m%d%H%M%S', time.gmtime(now))}T.jpg",
            "time": now,
            "imageSize": len(uri) if self.image_size_text else len(image),
            "image": uri,
        }
        if self.snapshot_battery:
            values["battery"] = self.battery_value()
        message = {"ts": int(taken * 1000), "values": values}
        upload = 0 if self.offline else 1
        self._store(SdFile(message, taken, upload=upload, zone=self.zone_seconds))
        return message

    def wake_snapshot(self, at: float | None = None) -> dict[str, Any]:
        """The snapshot of a wake-up by itself: the next of :data:`WAKE_TRIGGERS`
        (each camera starts at its own place in the cycle)."""
        start = sum(self.mac.encode())
        snap_type, value = WAKE_TRIGGERS[
            (start + self.wake_snapshots) % len(WAKE_TRIGGERS)
        ]
        self.wake_snapshots += 1
        return self.snapshot(snap_type, value, at=at)

    # --- the SD card, the backlog and the cloud -----------------------------------------

    def _store(self, sd_file: SdFile) -> None:
        self.sd_files.append(sd_file)
        del self.sd_files[:-MAX_SD_FILES]

    def go_offline(self) -> None:
        """Its link to the broker is down: pictures wait on the card (``upload`` 0)."""
        self.offline = True

    def go_online(self) -> None:
        """Its link is back: the backlog goes up at its next wake (the runner)."""
        self.offline = False

    def add_backlog(
        self, count: int, spacing: float = 600.0, ending: float = 300.0
    ) -> list[SdFile]:
        """``count`` pictures taken offline before now, ``spacing`` seconds apart,
        the last ``ending`` seconds ago on its clock (wake triggers in turn), on the
        card with ``upload`` 0: the backlog its next wake online posts."""
        if count < 0:
            raise ValueError("count must not be negative")
        now = float(int(self.clock()))
        files = []
        for index in range(count):
            at = now - ending - spacing * (count - 1 - index)
            self.wake_snapshot(at=at)
            self.sd_files[-1].upload = 0
            files.append(self.sd_files[-1])
        return files

    @property
    def backlog(self) -> list[SdFile]:
        """The pictures not uploaded yet (``upload`` 0), oldest first."""
        return sorted((f for f in self.sd_files if not f.upload), key=lambda f: f.taken)

    def take_backlog(self) -> list[dict[str, Any]]:
        """The snapshots to post for the backlog at a wake online, oldest first,
        each its own capture as taken; at most ``upload_backlog_max`` pictures
        (None: all), each twice with ``repeat_uploads``. They are marked
        ``upload`` 1. Offline: nothing."""
        if self.offline:
            return []
        files = self.backlog
        if self.upload_backlog_max is not None:
            files = files[: self.upload_backlog_max]
        messages = []
        for sd_file in files:
            sd_file.upload = 1
            messages.extend([sd_file.message] * (2 if self.repeat_uploads else 1))
        return messages

    def upload_failed(self, message: dict[str, Any]) -> None:
        """A picture was not posted after all (it went offline meanwhile): its file
        is back in the backlog (``upload`` 0)."""
        for sd_file in self.sd_files:
            if sd_file.message is message:
                sd_file.upload = 0

    @property
    def pictures_to_cloud(self) -> bool:
        """Whether its pictures go to the vendor's cloud, not the MQTT snapshot
        topic: ``mip.info`` ``takeOverPlatform`` and ``dataReportTakeover`` both 1
        (with ``mip_supported``), or ``capture.info`` ``platformEnable`` 1 ("AIoT
        platform enable"). NOTES: "pictures go to its cloud instead of the MQTT
        topic"; heartbeats and alarms still come (nothing says otherwise)."""
        mip = self.settings["mip.info"]
        takeover = self.mip_supported and all(
            mip.get(key) in (1, "1")
            for key in ("takeOverPlatform", "dataReportTakeover")
        )
        platform = self.settings["capture.info"].get("platformEnable") in (1, "1")
        return takeover or platform

    def to_cloud(self, message: dict[str, Any]) -> None:
        """A picture goes to the vendor's cloud (:attr:`cloud_uploads`); its file
        counts as uploaded."""
        self.cloud_uploads.append(message)

    def sd_file(self, name: str, path: str = SD_PATH) -> SdFile | None:
        """The file ``name`` in ``path`` (the newest of that name), or None."""
        if path.rstrip("/") != SD_PATH:
            return None
        for sd_file in reversed(self.sd_files):
            if sd_file.name == name:
                return sd_file
        return None

    def search(self, query: dict[str, Any]) -> dict[str, Any]:
        """``storage.search``: the files from ``startTime`` to ``endTime``
        (inclusive, ``YYYY-MM-DD HH:MM:SS`` or the guide's ``+`` form) of ``type``
        (3 all, 1 continuous, 2 trigger), oldest first, ``length`` of them from
        index ``start``; ``total`` counts every match. Guide, "Storage search".

        The guide marks every parameter required and lists no error; here a
        missing one means no bound (times), 0 (``start``), every match
        (``length``), 3 (``type``); one that cannot be read answers
        ``{"code": 1, "result": "<reason>"}``.
        """
        bounds = []
        for key, default in (("startTime", float("-inf")), ("endTime", float("inf"))):
            raw = query.get(key)
            if raw is None or raw == "":
                bounds.append(default)
            elif (
                isinstance(raw, str)
                and (value := parse_camera_time(raw, plus=True)) is not None
            ):
                bounds.append(value)
            else:
                return {
                    "code": SET_REFUSED,
                    "result": f"{key} must be YYYY-MM-DD+HH:MM:SS, not {raw!r}",
                }
        numbers = {}
        for key, default in (("start", 0), ("length", -1), ("type", 3)):
            raw = query.get(key, default)
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = -2
            if (
                isinstance(raw, bool)
                or number < (-1 if key == "length" else 0)
                or (key == "type" and number not in SEARCH_TYPES)
            ):
                return {"code": SET_REFUSED, "result": f"{key} cannot be {raw!r}"}
            numbers[key] = number
        low, high = bounds
        matches = [
            f
            for f in sorted(self.sd_files, key=lambda f: f.taken)
            if low <= int(f.wall) <= high and numbers["type"] in (3, f.type)
        ]
        start, length = numbers["start"], numbers["length"]
        page = matches[start:] if length < 0 else matches[start : start + length]
        return {"list": [f.entry() for f in page], "total": len(matches)}

    def alarm(self, text: str = "Low power") -> dict[str, Any]:
        """An alarm with free text."""
        return {
            "ts": self._ts(),
            "values": {"devName": self.name, "devMac": self.mac, "alarm": text},
        }

    def posts(self, kind: str) -> bool:
        """Whether its settings let it post this uplink ("heartbeat", "snapshot",
        "alarm"): ``postEnable`` and the kind's own switch, both on (``"1"`` or 1)."""
        capture = self.settings["capture.info"]
        switch = {
            "heartbeat": "statusEnable",
            "snapshot": "snapshotEnable",
            "alarm": "alarmEnable",
        }[kind]
        return all(
            capture.get(key, 1) not in (0, "0") for key in ("postEnable", switch)
        )

    # --- sleep and wake ---------------------------------------------------------------

    @property
    def can_wake(self) -> bool:
        """Whether the wake topic wakes it (work mode 0 and wakeupByMQTT on).

        Guide, "Wake": in "Low Power Timed Capture" it "does not support wake up by
        any way"; ``wakeupByMQTT`` 0 disables the MQTT wake-up. On external power it
        never sleeps, so there is nothing to wake: no heartbeat answers a wake.
        While rebooting it hears nothing.
        """
        capture = self.settings["capture.info"]
        return (
            not self.external_power
            and not self.rebooting
            and capture.get("workMode") == 0
            and self.settings["wakeup.info"].get("wakeupByMQTT") == 1
        )

    def wake(self) -> dict[str, Any] | None:
        """A message reached the wake topic: the heartbeat it sends, or None.

        Guide: the heartbeat is sent "each time the camera wakes up", and the wake
        topic wakes it "when the camera is in sleep mode": an awake camera (or one
        that cannot be woken) sends nothing.
        """
        if self.awake or not self.can_wake:
            return None
        self.awake = True
        return self.heartbeat() if self.posts("heartbeat") else None

    def sleep(self) -> bool:
        """The awake window is over: it sleeps (answers nothing). Whether it did.

        On external power it never sleeps; rebooting, it is down already.
        """
        if self.external_power or self.rebooting:
            return False
        self.awake = False
        return True

    def begin_reboot(self) -> None:
        """It goes down to restart: answers nothing and hears no wake until
        :meth:`end_reboot`; a download under way is lost."""
        self.rebooting, self.awake, self.installing = True, False, False

    def end_reboot(self) -> dict[str, Any] | None:
        """The reboot is over: it boots awake; the heartbeat it sends (None if it
        was not rebooting, or posts no heartbeat)."""
        if not self.rebooting:
            return None
        self.rebooting = False
        self.awake = True
        return self.heartbeat() if self.posts("heartbeat") else None

    def finish_install(self) -> bool:
        """The download ``upgrade.online`` started is complete: it runs
        ``latest_firmware`` from now on and restarts (:meth:`begin_reboot`).
        Whether there was a download."""
        if not self.installing:
            return False
        self.firmware = self.latest_firmware
        self.begin_reboot()
        return True

    # --- remote configuration ----------------------------------------------------

    def answer(
        self, api: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The ``data`` of the answer to ``api``, or None when the camera would not answer."""
        if (
            self.rebooting
            or not self.awake
            or self.settings["capture.info"].get("workMode") != 0
        ):
            return None
        verb, _, topic = api.partition(".")
        if topic == "mip.info" and not self.mip_supported:
            return None  # firmware before 3x.1.0.3-r1 does not know it
        if api == "get.time.info":
            return {**copy.deepcopy(self.settings[topic]), **self._date_time()}
        if verb == "get":
            if topic in self.settings:
                return copy.deepcopy(self.settings[topic])
            if topic in READ_ONLY:
                return copy.deepcopy(READ_ONLY[topic])
            return self._live(topic)
        if verb == "set" and topic in self.settings:
            changes = dict(data or {})
            if self.validate_sets and (reason := check_set(topic, changes)):
                return {"code": SET_REFUSED, "result": reason}
            manual = changes.get("timeManual") if topic == "time.info" else None
            if (
                self.validate_sets
                and isinstance(manual, str)
                and manual
                and parse_camera_time(manual) is None
            ):
                return {
                    "code": SET_REFUSED,
                    "result": f"timeManual must be YYYY-MM-DD HH:MM:SS, not {manual!r}",
                }
            push_now = changes.pop("pushNow", 0) if topic == "capture.info" else 0
            if self.set_replaces_objects:
                for key, value in changes.items():
                    self.settings[topic][key] = copy.deepcopy(value)
            else:
                _merge(self.settings[topic], changes)
            if topic == "time.info":
                self._set_clock(manual)
            if push_now:
                self.pending_uplinks.append(("snapshot", self.snapshot("Manual", "")))
            return dict(OK)
        return self._command(api, data or {})

    def _date_time(self) -> dict[str, str]:
        """``date`` and ``time`` of ``get.time.info``: its clock now, in its time
        zone (``zone_seconds``; its ``ts`` stays UTC)."""
        wall = self.clock() + self.zone_seconds
        date, _, clock = camera_time_text(wall).partition(" ")
        return {"date": date, "time": clock}

    def _set_clock(self, manual: Any) -> None:
        """After a ``set.time.info``: in manual mode (``syncMode`` 1) a
        ``timeManual`` sent in its own format sets the clock."""
        if self.settings["time.info"].get("syncMode") not in (1, "1"):
            return
        if not isinstance(manual, str):
            return
        if (wanted := parse_camera_time(manual)) is not None:  # its wall time
            self.clock_offset = wanted - self.zone_seconds - time.time()

    def _live(self, topic: str) -> dict[str, Any] | None:
        if topic == "login.info":  # the firmware it runs, after upgrade.online too
            return {
                "company": "Milesight", "software": self.firmware, "oemTitle": "", "oem": 0,
            }  # fmt: skip
        if topic == "sensor.status":
            return {"LAF": self.laf, "temperature": f"{self.temperature:g}"}
        if topic == "cellular.status":
            return {
                "isp": "SIM", "connectStatus": "1", "simStatus": "2", "signalStrength": -71,
                "imei": "868444050582056", "imsi": "460115211076172",
                "iccid": "89860322245922526572", "ipAddr": "10.33.177.77",
                "subMask": "255.255.255.252", "gateway": "10.33.177.78",
                "dns": "114.114.114.114", "dataMonthly": round(self.data_monthly / 1e6, 1),
            }  # fmt: skip
        if topic == "device.status":
            return {
                "uptime": "2024-10-12 12:00:00", "batteryLevel": self.battery,
                "batteryHealth": 100, "powerSupply": int(self.external_power),
                "latitude": "24.62493", "longtitude": "118.03077", "altitude": 59.8,
            }  # fmt: skip
        return None

    def _command(self, api: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if api == "cmd.snapshot":
            self.pending_uplinks.append(("snapshot", self.snapshot("Manual", "")))
            return dict(OK) if self.snapshot_answer else None
        if api == "cmd.reboot":
            self.reboots += 1
            if self.reboot_answer:
                return dict(OK)
            self.begin_reboot()
            return None
        if api in {"cmd.cellular", "cmd.reset", "cmd.sd.format"}:
            return dict(OK)
        if api == "cmd.httpptest":
            return {"code": 0 if str(data.get("url", "")).startswith("http") else 1}
        if api == "check.auth":
            return {"lockCount": 5, "lockTime": 0}
        if api == "upgrade.check":
            newer = self.latest_firmware != self.firmware
            return {
                "updateState": 1 if newer else 0,
                "softversion": self.latest_firmware if newer else self.firmware,
                "url": f"http://firmware.invalid/{self.latest_firmware}.bin"
                if newer
                else "",
                "fileSize": 18_000_000 if newer else 0,
                "description": "Simulated firmware" if newer else "",
            }
        if api == "upgrade.online":
            if self.install_at_once:
                self.firmware = self.latest_firmware
            elif self.latest_firmware != self.firmware:
                self.installing = True
            return dict(OK)
        if api == "storage.search":
            return self.search(data)
        if api == "storage.export":
            # Over MQTT nothing useful: a file cannot travel in a JSON answer and
            # the guide's "Storage export" Return Data table is empty; the bytes
            # come over HTTP only (simulator.http, SimulatedCamera.sd_file).
            return {}
        return None

    def respond(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The full MQTT response to a request object, or None (asleep, unknown, other MAC)."""
        if request.get("devMac") != self.mac or not isinstance(request.get("api"), str):
            return None
        data = request.get("data")
        answer = self.answer(request["api"], data if isinstance(data, dict) else None)
        if answer is None:
            return None
        return {
            "devName": self.name,
            "devMac": self.mac,
            "api": request["api"],
            "data": answer,
        }

    def take_uplinks(self) -> list[tuple[str, dict[str, Any]]]:
        """Uplinks a command caused (a snapshot after ``cmd.snapshot``), in order."""
        uplinks, self.pending_uplinks = self.pending_uplinks, []
        return uplinks


__all__ = [
    "DEFAULT_SETTINGS",
    "DIGITAL_INPUT",
    "MAX_SD_FILES",
    "OK",
    "SD_PATH",
    "VENDOR_SPELLINGS",
    "WAKE_TRIGGERS",
    "SdFile",
    "SimulatedCamera",
    "camera_time_text",
    "clock_1970_offset",
    "parse_camera_time",
]
