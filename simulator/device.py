"""The camera's behaviour without any transport: settings, answers, uplinks.

Pure Python (no MQTT, no HTTP, no Home Assistant), so tests can drive it directly
and the MQTT/HTTP front ends stay thin.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
import io
import struct
import time
from typing import Any
import zlib

DEVICE_NAME = "X5 Sensing Camera"

# The guide's sample answers (invented where the guide only lists field names).
DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "sys.info": {"deviceName": DEVICE_NAME, "resetButtonEnable": 1, "gpsEnable": 1},
    "security.info": {"sshEnable": 0, "sshPort": 6022},
    "wifi.info": {
        "enable": 1, "module": 0, "mode": 1, "protocol": 2, "bandwidth": 0, "channel": 0,
        "encryption": 4, "clipher": 0, "ipMode": 0, "ssid": "X5_AP", "key": "12345678",
        "country": "US",
    },
    "dhcp.info": {
        "leaseTime": 1440, "interface": "wlan0", "ipAddr": "192.168.1.1",
        "startIpAddr": "192.168.1.100", "stopIpAddr": "192.168.1.200",
        "netmask": "255.255.255.0", "firstDns": "8.8.8.8", "secondDns": "8.8.4.4",
    },
    "image.info": {
        "brightness": 50, "contrast": 50, "saturation": 50, "sharpness": 50, "denoise": 50,
        "dnMode": 0, "dayToNight": 36, "nightToDay": 82, "irStrength": 100,
        "showTimestamp": 1, "showDeviceName": 1, "captureMode": 0,
    },
    "day.section": {"daySection": [
        {"month": m, "hourStart": 6, "minStart": 0, "hourStop": 18, "minStop": 0}
        for m in range(12)
    ]},
    "capture.info": {
        "imageType": 0, "maxqp": 40, "workMode": 0, "width": 1920, "height": 1080,
        "triggerConfig": {
            "sourceEnable": 1, "indicator": 1, "source": 0, "interval": 1, "BySensor": 0,
            "ByDI": 0,
            "sensorConditions": {
                "lafDetect": 0, "tempDetect": 0, "lafThre": 60, "lafLimitThre": 120,
                "tempThre": "35", "tempLimitThre": "100", "lafInterval": 1,
                "lafContInterval": 1, "tempInterval": 1, "tempContInterval": 1,
            },
        },
        "continuous": 0, "intervalUnit": 0, "interval": 60, "algoEnable": 0,
        "debugCapture": 0, "timedCapture": 0, "uploadMode": 0, "frequency": 1,
        "time1": "08:00", "time2": "18:00", "postEnable": 1, "postType": 0,
        "postContent": 0, "heartInterval": 24, "heartTestMode": 0,
        "heartTestInterval": 60, "heartLpowerInterval": 24, "platformEnable": 0,
        "platformPort": 80, "host": "127.0.0.1", "port": "1883", "userName": "",
        "password": "", "tlsEnable": 0, "tlsType": 0, "httpUrl": "", "httpPort": 80,
        "httpUserName": "", "httpPassword": "", "status": 1, "clientId": "x5-sim",
        "wakeUpClientId": "x5-sim-wake", "caExist": False, "certExist": False,
        "keyExist": False, "caName": "", "certName": "", "keyName": "", "cropX": 0,
        "cropY": 0, "cropW": 100, "cropH": 100, "snapshotEnable": 1, "alarmEnable": 1,
        "statusEnable": "1", "snapshotTopic": "X5SensingCam/Snapshot",
        "alarmTopic": "X5SensingCam/Alarm", "statusTopic": "X5SensingCam/Status",
        "configTopic": "X5SensingCam/ConfigureRequest",
        "configRespTopic": "X5SensingCam/ConfigureRespond", "postDelete": 1,
    },
    "alarm.roi": {
        "mode": 1, "threshold": 8, "interval": 1000, "lineX1": 480, "lineY1": 270,
        "lineX2": 1440, "lineY2": 810,
        "region": [
            {"id": 1, "enable": 1, "point": [
                {"x": 0.25, "y": 0.25}, {"x": 0.75, "y": 0.25},
                {"x": 0.25, "y": 0.75}, {"x": 0.75, "y": 0.75}]},
        ],
    },
    "cellular.info": {
        "enable": 1, "apn": "internet", "userName": "", "password": "", "pinCode": "",
        "accessNum": "", "authType": 0, "networkType": 0, "mtu": 1500, "redial": 30,
        "billDay": 1, "reset": 0, "lastBill": 0, "traffic": 0, "ipAddr": "10.33.177.77",
        "gateway": "10.33.177.78", "dns": "114.114.114.114", "remoteWake": 1,
        "revision": "EC25", "idleTime": 60, "callWake": 0, "phone": [], "pingEnable": 0,
        "pingAddr": "",
    },
    "storage.info": {"status": 2, "mode": 0, "capacity": 31166976, "freeSpace": 29141094, "saveAll": 0},
    "time.info": {
        "date": "2024-10-12", "time": "12:00:00", "timezone": "UTC+0", "zonename": "UTC",
        "timeManual": "", "daylightSaving": 0, "syncMode": 0, "syncGps": 1,
    },
    "schedule": {"trigger": "00:00:23:59:1;"},
    "timed.schedule": {"trigger": "00:00:23:59:1;"},
    "interfaces.info": {
        "digitInput": {"curStatus": 0, "norStatus": 0},
        "digitOutput": {"curStatus": 1, "norStatus": 1, "outputConditions": {
            "objectDetect": 0, "lafDetect": 0, "tempDetect": 0, "lafThre": 60, "tempThre": "35"}},
        "rs485": {"baudrate": 2, "dataBit": 8, "stopBit": 0, "parity": 0, "flowControl": 0,
                  "outputConditions": {"lafDetect": 0, "tempDetect": 0, "lafThre": 60, "tempThre": "35"}},
    },
    "wakeup.info": {"wakeupByBLE": 1, "wakeupByCell": 1, "wakeupByMQTT": 1},
    "mip.info": {"autoProvision": 0, "takeOverPlatform": 0, "dataReportTakeover": 0},
}  # fmt: skip

READ_ONLY: dict[str, dict[str, Any]] = {
    "login.info": {
        "company": "Milesight",
        "software": "V_31.1.0.3",
        "oemTitle": "",
        "oem": 0,
    },
    "ir.value": {"sensorValue": 42},
    "sensor.status": {"LAF": 61, "temperature": "32"},
}

OK = {"code": 0, "result": "OK"}


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def make_image(shade: int = 0, label: str = "") -> tuple[bytes, str]:
    """A small real picture: a JPEG when Pillow is there (it is, beside HA), else PNG."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        return _png(shade=shade), "image/png"
    image = Image.new("RGB", (320, 180), (30 + shade % 60, 70, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 120, 320, 180), fill=(40, 110 + shade % 80, 50))
    draw.ellipse((240, 20, 290, 70), fill=(250, 210, 60))
    draw.text((10, 10), f"X5 simulator {label}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue(), "image/jpeg"


def _png(width: int = 64, height: int = 48, shade: int = 0) -> bytes:
    """A small real image (PNG: no image library needed)."""
    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes(((x * 4 + shade) % 256, (y * 5) % 256, 160)) for x in range(width)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class SimulatedCamera:
    """One simulated camera: settings in memory, answers as the guide shows them."""

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
    pending_uplinks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reboots: int = 0

    # --- uplinks ---------------------------------------------------------------

    @staticmethod
    def _ts() -> int:
        return int(time.time() * 1000)

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
                    "powerGoodStat": 0,
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
        now = int(time.time())
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

    def alarm(self, text: str = "Low power") -> dict[str, Any]:
        """An alarm with free text."""
        return {
            "ts": self._ts(),
            "values": {"devName": self.name, "devMac": self.mac, "alarm": text},
        }

    # --- remote configuration ----------------------------------------------------

    @property
    def can_wake(self) -> bool:
        """Whether the wake topic wakes it (work mode 0 and wakeupByMQTT on)."""
        capture = self.settings["capture.info"]
        return (
            capture.get("workMode") == 0
            and self.settings["wakeup.info"].get("wakeupByMQTT") == 1
        )

    def answer(
        self, api: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The ``data`` of the answer to ``api``, or None when the camera would not answer."""
        if not self.awake or self.settings["capture.info"].get("workMode") != 0:
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
            push_now = changes.pop("pushNow", 0) if topic == "capture.info" else 0
            _merge(self.settings[topic], changes)
            if push_now:
                self.pending_uplinks.append(("snapshot", self.snapshot("Manual", "")))
            return dict(OK)
        return self._command(api, data or {})

    def _live(self, topic: str) -> dict[str, Any] | None:
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
                "batteryHealth": 100, "powerSupply": 0, "latitude": "24.62493",
                "longtitude": "118.03077", "altitude": 59.8,
            }  # fmt: skip
        return None

    def _command(self, api: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if api == "cmd.snapshot":
            self.pending_uplinks.append(("snapshot", self.snapshot("Manual", "")))
            return dict(OK)
        if api == "cmd.reboot":
            self.reboots += 1
            return dict(OK)
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
            self.firmware = self.latest_firmware
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


__all__ = ["DEFAULT_SETTINGS", "OK", "SimulatedCamera"]
