"""The camera's settings and fixed answers, as the guide's samples show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

# Fixed answers. What follows the camera's state (``get.login.info`` software, the
# sensors) is answered by SimulatedCamera itself.
READ_ONLY: dict[str, dict[str, Any]] = {
    "ir.value": {"sensorValue": 42},
}

OK = {"code": 0, "result": "OK"}

# --- what a set.* may carry (SimulatedCamera.validate_sets) ----------------------------
#
# Types come from DEFAULT_SETTINGS (a number where the sample has a number, text where
# it has text, an object or a list likewise); SET_RULES adds the ranges and choices
# of the guide's set tables (and, where the guide gives none, of this project's
# entities); READ_ONLY_FIELDS are fields a get returns but no set table lists.

# The code of a refused set.* (the guide lists no codes: any non-zero is a failure).
SET_REFUSED = 1


@dataclass(frozen=True)
class Rule:
    """What one field of a ``set.*`` accepts.

    ``choices``: exactly these values (type included: ``1`` is not ``"1"`` nor
    ``True``); else a number (``text`` True: a number written as text, as the guide
    types ``tempThre``) from ``low`` to ``high`` inclusive.
    """

    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    text: bool = False


SWITCH = Rule(choices=(0, 1))


def _span(low: float, high: float) -> Rule:
    return Rule(low=low, high=high)


PORT = Rule(low=1, high=65535, text=True)

# Fields a set.* takes although no get returns them (type from the example value).
SET_ONLY_FIELDS: dict[str, dict[str, Any]] = {
    "capture.info": {"pushNow": 0},  # "1: push snapshot once"
    "cellular.info": {"redialInterval": 30},  # listed by the set table only
}

# group -> dotted path of the field -> rule. Every range the guide's tables state;
# marked "entity" where the guide gives none and this project's entities set one,
# "assumed" where neither does (a percentage slider on the camera's web page).
SET_RULES: dict[str, dict[str, Rule]] = {
    "sys.info": {"resetButtonEnable": SWITCH, "gpsEnable": SWITCH},
    "security.info": {"sshEnable": SWITCH, "sshPort": _span(0, 65535)},
    "wifi.info": {
        "enable": SWITCH, "protocol": _span(0, 2), "bandwidth": _span(0, 1),
        "channel": _span(0, 14), "encryption": _span(0, 5), "clipher": _span(0, 2),
    },
    "image.info": {
        "brightness": _span(0, 100), "contrast": _span(0, 100),  # assumed
        "saturation": _span(0, 100), "sharpness": _span(0, 100),  # assumed
        "denoise": _span(0, 100), "irStrength": _span(0, 100),  # assumed
        "dayToNight": _span(0, 100), "nightToDay": _span(0, 100),  # assumed
        "dnMode": Rule(choices=(0, 1, 2, 3)), "showTimestamp": SWITCH,
        "showDeviceName": SWITCH, "captureMode": SWITCH,
    },
    "capture.info": {
        "imageType": SWITCH, "workMode": SWITCH,
        "triggerConfig.sourceEnable": SWITCH, "triggerConfig.indicator": SWITCH,
        "triggerConfig.source": Rule(choices=(0, 1, 2)),
        "triggerConfig.interval": _span(1, 60), "triggerConfig.BySensor": SWITCH,
        "triggerConfig.ByDI": SWITCH,
        "triggerConfig.sensorConditions.lafDetect": SWITCH,
        "triggerConfig.sensorConditions.tempDetect": SWITCH,
        "triggerConfig.sensorConditions.lafThre": _span(31, 120),
        "triggerConfig.sensorConditions.lafLimitThre": _span(31, 120),
        "triggerConfig.sensorConditions.tempThre": Rule(low=-100, high=100, text=True),
        # entity: the guide gives no range for the maximum; the minimum's is taken
        "triggerConfig.sensorConditions.tempLimitThre": Rule(low=-100, high=100, text=True),
        "triggerConfig.sensorConditions.lafInterval": _span(1, 60),
        "triggerConfig.sensorConditions.lafContInterval": _span(1, 60),
        "triggerConfig.sensorConditions.tempInterval": _span(1, 60),
        "triggerConfig.sensorConditions.tempContInterval": _span(1, 60),
        "intervalUnit": SWITCH, "algoEnable": SWITCH, "debugCapture": SWITCH,
        "timedCapture": SWITCH, "frequency": Rule(choices=(1, 2)),
        "postEnable": SWITCH, "postType": SWITCH, "postContent": SWITCH,
        "heartInterval": _span(1, 72), "heartTestMode": SWITCH,
        "heartTestInterval": _span(1, 4320), "heartLpowerInterval": _span(24, 72),
        "platformEnable": SWITCH, "platformPort": _span(1, 65535), "port": PORT,
        "tlsEnable": SWITCH, "tlsType": SWITCH, "httpPort": _span(1, 65535),
        "cropX": _span(0, 100), "cropY": _span(0, 100), "cropW": _span(0, 100),
        "cropH": _span(0, 100), "snapshotEnable": SWITCH, "alarmEnable": SWITCH,
        # typed "string" by the guide, a number in some firmware: both spellings
        "statusEnable": Rule(choices=("0", "1", 0, 1)),
        "pushNow": SWITCH, "postDelete": SWITCH,
    },
    "alarm.roi": {
        "mode": SWITCH, "threshold": _span(1, 10), "interval": _span(100, 15000),
    },
    "cellular.info": {
        "enable": SWITCH, "authType": _span(0, 4), "networkType": _span(0, 3),
        "mtu": _span(1200, 1500), "redial": _span(0, 3600),
        "redialInterval": _span(0, 3600), "idleTime": _span(0, 3600),
    },
    "storage.info": {"mode": _span(0, 2), "saveAll": SWITCH},
    "time.info": {"daylightSaving": SWITCH, "syncMode": SWITCH, "syncGps": SWITCH},
    "interfaces.info": {
        "digitInput.norStatus": SWITCH, "digitOutput.norStatus": SWITCH,
        "rs485.baudrate": _span(0, 4), "rs485.stopBit": SWITCH,
        "rs485.parity": _span(0, 2), "rs485.flowControl": _span(0, 2),
    },
    "wakeup.info": {"wakeupByBLE": SWITCH, "wakeupByCell": SWITCH, "wakeupByMQTT": SWITCH},
    "mip.info": {"autoProvision": SWITCH, "takeOverPlatform": SWITCH, "dataReportTakeover": SWITCH},
}  # fmt: skip

# Top-level fields a get returns and no set table lists: the camera's own state.
READ_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "capture.info": frozenset(
        {"status", "caExist", "certExist", "keyExist", "caName", "certName", "keyName"}
    ),
    "storage.info": frozenset({"status", "capacity", "freeSpace"}),
    "time.info": frozenset({"date", "time"}),
}


def _kind(example: Any) -> str:
    if isinstance(example, bool):
        return "a boolean"
    if isinstance(example, int):
        return "a whole number"
    if isinstance(example, float):
        return "a number"
    if isinstance(example, str):
        return "text"
    if isinstance(example, list):
        return "a list"
    return "an object"


def _same_type(value: Any, example: Any) -> bool:
    if isinstance(example, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(example, bool)
    if isinstance(example, int):
        return isinstance(value, int)
    if isinstance(example, float):
        return isinstance(value, int | float)
    return isinstance(value, type(example))


def _check_rule(path: str, value: Any, rule: Rule) -> str | None:
    if rule.choices:
        if not any(
            type(value) is type(choice) and value == choice for choice in rule.choices
        ):
            allowed = ", ".join(repr(choice) for choice in rule.choices)
            return f"{path} must be one of {allowed}, not {value!r}"
        return None
    if rule.text:
        if not isinstance(value, str):
            return f"{path} must be a number written as text, not {value!r}"
        try:
            number = float(value)
        except ValueError:
            return f"{path} must be a number written as text, not {value!r}"
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return f"{path} must be a number, not {value!r}"
    else:
        number = value
    if (rule.low is not None and number < rule.low) or (
        rule.high is not None and number > rule.high
    ):
        return f"{path} must be from {rule.low:g} to {rule.high:g}, not {value!r}"
    return None


def _check_object(
    group: str, prefix: str, data: dict[str, Any], schema: dict[str, Any]
) -> str | None:
    rules = SET_RULES.get(group, {})
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in schema:
            continue  # nested: the camera keeps what it does not know (top: refused before)
        if (rule := rules.get(path)) is not None:
            if (reason := _check_rule(path, value, rule)) is not None:
                return reason
            continue
        example = schema[key]
        if not _same_type(value, example):
            return f"{path} must be {_kind(example)}, not {value!r}"
        if isinstance(value, dict) and (
            reason := _check_object(group, f"{path}.", value, example)
        ):
            return reason
    return None


def check_set(group: str, data: dict[str, Any]) -> str | None:
    """Why the camera refuses ``set.<group>`` with ``data``, or None if it takes it.

    Refused: a top-level field it does not have (:data:`DEFAULT_SETTINGS`, plus
    :data:`SET_ONLY_FIELDS`), a read-only one (:data:`READ_ONLY_FIELDS`), a value of
    the wrong type (text for a number, a number for an object, ...), or outside its
    range or choices (:data:`SET_RULES`), at any depth.
    """
    schema = {**DEFAULT_SETTINGS.get(group, {}), **SET_ONLY_FIELDS.get(group, {})}
    for key in data:
        if key not in schema:
            return f"unknown field {key}"
        if key in READ_ONLY_FIELDS.get(group, ()):
            return f"{key} is read-only"
    return _check_object(group, "", data, schema)


__all__ = [
    "DEFAULT_SETTINGS",
    "DEVICE_NAME",
    "OK",
    "READ_ONLY",
    "READ_ONLY_FIELDS",
    "SET_ONLY_FIELDS",
    "SET_REFUSED",
    "SET_RULES",
    "Rule",
    "check_set",
]
