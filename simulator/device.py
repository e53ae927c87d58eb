"""The camera's behaviour without any transport: settings, answers, uplinks.

Pure Python (no MQTT, no HTTP, no Home Assistant), so tests can drive it directly
and the MQTT/HTTP front ends stay thin.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
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
    validate_sets: bool = False
    install_at_once: bool = True
    installing: bool = False

    def __post_init__(self) -> None:
        """A camera on external power is awake from the start and stays so."""
        if self.external_power:
            self.awake = True

    # --- uplinks ---------------------------------------------------------------

    def clock(self) -> float:
        """The camera's clock (seconds since the epoch): this machine's, offset."""
        return time.time() + self.clock_offset

    def _ts(self) -> int:
        return int(self.clock() * 1000)

    def heartbeat(self) -> dict[str, Any]:
        """A heartbeat as the guide's sample (storage outside ``values``)."""
        return {
            "ts": self._ts(),
            "values": {
                "devName": self.name,
                "devMac": self.mac,
                "battery": {
                    "soc": self.battery, "capacity": 5682, "voltage": 4052, "healthy": 100,
                    "chargeCurrent": 0, "chargeStat": 0, "chargeVoltage": 10560,
                    "powerGoodStat": int(self.external_power),
                },
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

    def snapshot(
        self, snap_type: str = "Noise", trigger_value: str = "51"
    ) -> dict[str, Any]:
        """A snapshot with a real image as a data URI."""
        self.snapshots_taken += 1
        now = int(self.clock())
        image, mime = make_image(
            self.snapshots_taken * 37, time.strftime("%H:%M:%S", time.gmtime(now))
        )
        return {
            "ts": self._ts(),
            "values": {
                "devName": self.name,
                "devMac": self.mac,
                "snapType": snap_type,
                "triggerValue": trigger_value,
                "file": f"CV{time.strftime('%Y%m%d%H%M%S', time.gmtime(now))}T.jpg",
                "time": now,
                "imageSize": len(image),
                "image": f"data:{mime};base64," + base64.b64encode(image).decode(),
            },
        }

    def wake_snapshot(self) -> dict[str, Any]:
        """The snapshot of a wake-up by itself: the next of :data:`WAKE_TRIGGERS`
        (each camera starts at its own place in the cycle)."""
        start = sum(self.mac.encode())
        snap_type, value = WAKE_TRIGGERS[
            (start + self.wake_snapshots) % len(WAKE_TRIGGERS)
        ]
        self.wake_snapshots += 1
        return self.snapshot(snap_type, value)

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
            push_now = changes.pop("pushNow", 0) if topic == "capture.info" else 0
            if self.set_replaces_objects:
                for key, value in changes.items():
                    self.settings[topic][key] = copy.deepcopy(value)
            else:
                _merge(self.settings[topic], changes)
            if push_now:
                self.pending_uplinks.append(("snapshot", self.snapshot("Manual", "")))
            return dict(OK)
        return self._command(api, data or {})

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
            return {"list": [], "total": 0}
        if api == "storage.export":
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
    "OK",
    "WAKE_TRIGGERS",
    "SimulatedCamera",
    "clock_1970_offset",
]
