"""The camera's settings and fixed answers, as the guide's samples show them."""

from __future__ import annotations

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


__all__ = ["DEFAULT_SETTINGS", "DEVICE_NAME", "OK", "READ_ONLY"]
