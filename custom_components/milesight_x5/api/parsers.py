"""Tolerant parsers: payload in, typed model out.

Rules (NOTES.md): any field may be missing, null or of the other type; a field
that cannot be used is dropped on its own and named in ``invalid_fields``; only a
message that is not a JSON object, has no usable MAC, or is too large is rejected,
with :class:`InvalidPayloadError` and a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
import re
from typing import Any

from .coerce import as_datetime, as_int, as_number, as_percent, as_str
from .exceptions import InvalidMacError, InvalidPayloadError
from .images import DEFAULT_MAX_IMAGE_BYTES, decode_image
from .mac import normalize_mac
from .models import (
    Alarm,
    AlarmType,
    Battery,
    Cellular,
    ConfigureResponse,
    Gps,
    Heartbeat,
    SensorReadings,
    Snapshot,
    TriggerType,
)

type Payload = bytes | bytearray | str | Mapping[str, Any]


_TRIGGER_WORDS: tuple[tuple[str, TriggerType], ...] = (
    ("noise", TriggerType.NOISE),
    ("laf", TriggerType.NOISE),
    ("temp", TriggerType.TEMPERATURE),
    ("pir", TriggerType.PIR),
    ("radar", TriggerType.RADAR),
    ("timed", TriggerType.TIMED),
    ("timer", TriggerType.TIMED),
    ("schedule", TriggerType.TIMED),
    ("digital", TriggerType.DIGITAL_INPUT),
    ("alarm in", TriggerType.DIGITAL_INPUT),  # the X5 family's digital input
    ("manual", TriggerType.MANUAL),
    ("push", TriggerType.MANUAL),
    ("button", TriggerType.MANUAL),  # the camera's own button
    ("debug", TriggerType.DEBUG),
)
_ALARM_WORDS: tuple[tuple[str, AlarmType], ...] = (
    ("low power", AlarmType.LOW_POWER),
    ("low battery", AlarmType.LOW_POWER),
    ("battery low", AlarmType.LOW_POWER),
    ("power low", AlarmType.LOW_POWER),
    ("sd", AlarmType.STORAGE),
    ("storage", AlarmType.STORAGE),
    ("temperature", AlarmType.TEMPERATURE),
    ("noise", AlarmType.NOISE),
)


def decode_json(payload: Payload) -> dict[str, Any]:
    """Return the JSON object of a payload, or raise InvalidPayloadError."""
    if isinstance(payload, Mapping):
        return dict(payload)
    try:
        decoded = json.loads(payload)
    except (ValueError, RecursionError) as err:
        raise InvalidPayloadError(f"not JSON: {err}") from err
    if not isinstance(decoded, dict):
        raise InvalidPayloadError(f"not a JSON object but {type(decoded).__name__}")
    return decoded


def _values(message: dict[str, Any]) -> dict[str, Any]:
    """Return ``values``, or the top level when a camera sends it flat."""
    values = message.get("values")
    return values if isinstance(values, dict) else message


def peek_mac(message: Mapping[str, Any]) -> str | None:
    """Return the normalised MAC of a decoded message, or None (cheap; for routing)."""
    values = message.get("values")
    for source in (values if isinstance(values, Mapping) else None, message):
        if source is not None and (raw := source.get("devMac")) is not None:
            try:
                return normalize_mac(raw)
            except InvalidMacError:
                return None
    return None


_DEV_MAC = re.compile(rb'"devMac"\s*:\s*"([^"]{1,40})"')


def scan_mac(payload: bytes | bytearray | str) -> str | None:
    """The normalised MAC of an undecoded message, found without decoding it
    (a discovery flow that only aborts for a known camera costs no JSON)."""
    raw = payload.encode() if isinstance(payload, str) else payload
    if (match := _DEV_MAC.search(raw)) is None:
        return None
    try:
        return normalize_mac(match.group(1).decode("ascii", "replace"))
    except InvalidMacError:
        return None


def _require_mac(message: dict[str, Any]) -> str:
    if (mac := peek_mac(message)) is None:
        raw = _values(message).get("devMac", message.get("devMac"))
        reason = "no devMac" if raw is None else f"devMac {raw!r} is not a MAC address"
        raise InvalidPayloadError(f"message rejected: {reason}")
    return mac


class _Fields:
    """Reads fields of one JSON object, remembering which were known and which bad."""

    def __init__(self, data: Mapping[str, Any], path: str, invalid: list[str]) -> None:
        self._data = data
        self._path = path
        self._invalid = invalid
        self._known: set[str] = set()

    def get[T](
        self, key: str, convert: Callable[[Any], T | None], *, unknown: object = None
    ) -> T | None:
        """Return the converted field; ``unknown`` is the camera's "no value" value."""
        self._known.add(key)
        raw = self._data.get(key)
        if raw is None:
            return None
        value = convert(raw)
        if unknown is not None and value == unknown:
            return None
        if value is None and not (isinstance(raw, str) and not raw.strip()):
            self._invalid.append(self._path + key)
        return value

    def section(self, key: str) -> _Fields | None:
        self._known.add(key)
        raw = self._data.get(key)
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            self._invalid.append(self._path + key)
            return None
        return _Fields(raw, f"{self._path}{key}.", self._invalid)

    def skip(self, *keys: str) -> None:
        self._known.update(keys)

    def extra(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k not in self._known}


def _common(message: dict[str, Any]) -> tuple[str, _Fields, _Fields, list[str]]:
    """Return MAC, readers for ``values`` and the top level, and the invalid list."""
    mac = _require_mac(message)
    invalid: list[str] = []
    values = _values(message)
    top = _Fields(message, "", invalid)
    top.skip("values", "ts", "devMac", "devName")
    inner = _Fields(values, "values." if values is not message else "", invalid)
    inner.skip("devMac", "ts")
    return mac, inner, top, invalid


def _timestamp(message: dict[str, Any], invalid: list[str]) -> Any:
    raw = message.get("ts")
    value = as_datetime(raw, "ms")
    if raw is not None and value is None:
        invalid.append("ts")
    return value


def _battery(fields: _Fields) -> Battery:
    return Battery(
        soc=fields.get("soc", as_number),
        capacity=fields.get("capacity", as_number),
        voltage=fields.get("voltage", as_number),
        healthy=fields.get("healthy", as_number),
        charge_current=fields.get("chargeCurrent", as_number),
        charge_status=fields.get("chargeStat", as_int),
        charge_voltage=fields.get("chargeVoltage", as_number),
        power_good=fields.get("powerGoodStat", as_int),
        extra=fields.extra(),
    )


def _gps(fields: _Fields) -> Gps:
    return Gps(
        latitude=fields.get("latitude", as_number),
        longitude=fields.get("longitude", as_number),
        altitude=fields.get("altitude", as_number),
        extra=fields.extra(),
    )


def _cellular(fields: _Fields) -> Cellular:
    return Cellular(
        connect_status=fields.get("connectStatus", as_str),
        sim_status=fields.get("simStatus", as_str),
        signal_strength=fields.get("signalStrength", as_int, unknown=0),
        imei=fields.get("imei", as_str),
        imsi=fields.get("imsi", as_str),
        iccid=fields.get("iccid", as_str),
        ip_address=fields.get("ipAddr", as_str),
        subnet_mask=fields.get("subMask", as_str),
        gateway=fields.get("gateway", as_str),
        dns=fields.get("dns", as_str),
        data_monthly=fields.get("dataMonthly", as_int),
        extra=fields.extra(),
    )


def _sensor(fields: _Fields) -> SensorReadings:
    return SensorReadings(
        laf=fields.get("LAF", as_number),
        temperature=fields.get("temperature", as_number),
        extra=fields.extra(),
    )


def _storage_used(*readers: _Fields) -> float | None:
    """``storage.storageCapacity``, inside ``values`` or at the top level."""
    for reader in readers:
        if (section := reader.section("storage")) is not None:
            value = section.get("storageCapacity", as_percent)
            if value is not None:
                return value
    return None


def _plain(raw: Any) -> bool:
    return (
        raw is not None
        and not isinstance(raw, Mapping | bool)
        and as_number(raw) is not None
    )


def plain_battery(message: dict[str, Any]) -> dict[str, Any]:
    """``"battery": 84`` (a plain percentage, as the vendor's platform reads it)
    as the battery section ``{"soc": 84}``; any other message as it is."""
    values = message.get("values")
    if isinstance(values, dict):
        if _plain(raw := values.get("battery")):
            return {**message, "values": {**values, "battery": {"soc": raw}}}
    elif _plain(raw := message.get("battery")):
        return {**message, "battery": {"soc": raw}}
    return message


def parse_heartbeat(payload: Payload) -> Heartbeat:
    """Parse a heartbeat (status) uplink."""
    message = plain_battery(decode_json(payload))
    mac, values, top, invalid = _common(message)
    battery = values.section("battery")
    gps = values.section("gps")
    cellular = values.section("cellular")
    sensor = values.section("sensor")
    storage_used = _storage_used(values, top)
    return Heartbeat(
        mac=mac,
        device_name=values.get("devName", as_str) or top.get("devName", as_str),
        timestamp=_timestamp(message, invalid),
        battery=_battery(battery) if battery else None,
        gps=_gps(gps) if gps else None,
        cellular=_cellular(cellular) if cellular else None,
        sensor=_sensor(sensor) if sensor else None,
        storage_used=storage_used,
        extra=_merge_extra(values, top),
        invalid_fields=tuple(invalid),
    )


def _merge_extra(values: _Fields, top: _Fields) -> dict[str, Any]:
    extra = values.extra()
    if values is not top:
        extra.update({f"^{key}": value for key, value in top.extra().items()})
    return extra


def classify_trigger(snap_type: str | None) -> TriggerType:
    """Map the camera's ``snapType`` text to a stable trigger type."""
    if not snap_type:
        return TriggerType.OTHER
    # Case, spacing and separators as the family's firmware spells them
    # ("Alarm in", "ALARM_IN", "Timer", "Scheduled").
    text = " ".join(re.split(r"[\s_-]+", snap_type.strip().lower())).strip()
    if text in {"di", "d.i.", "alarmin"}:
        return TriggerType.DIGITAL_INPUT
    for word, trigger in _TRIGGER_WORDS:
        if word in text:
            return trigger
    return TriggerType.OTHER


def classify_alarm(text: str | None) -> AlarmType:
    """Map the camera's free-text ``alarm`` to a stable alarm type."""
    if not text:
        return AlarmType.OTHER
    lowered = " ".join(text.lower().replace("_", " ").split())
    for word, alarm in _ALARM_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", lowered):
            return alarm
    return AlarmType.OTHER


def parse_snapshot(
    payload: Payload, *, max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
) -> Snapshot:
    """Parse a snapshot uplink; reject it whole when larger than the cap."""
    if not isinstance(payload, Mapping):
        limit = max_image_bytes * 4 // 3 + 64 * 1024
        if len(payload) > limit:
            raise InvalidPayloadError(
                f"snapshot of {len(payload)} bytes exceeds the {max_image_bytes}-byte image cap"
            )
    message = decode_json(payload)
    mac, values, top, invalid = _common(message)
    values.skip("image")
    raw_image = _values(message).get("image")
    image, mime, error = (None, None, None)
    if raw_image is not None:
        image, mime, error = decode_image(raw_image, max_image_bytes)
        if error and "larger than" in error:
            raise InvalidPayloadError(f"snapshot rejected: {error}")
        if error:
            invalid.append("values.image")
    snap_type = values.get("snapType", as_str)
    trigger_value = _trigger_value(values.get("triggerValue", as_str))
    return Snapshot(
        mac=mac,
        device_name=values.get("devName", as_str) or top.get("devName", as_str),
        timestamp=_timestamp(message, invalid),
        snap_type=snap_type,
        trigger=classify_trigger(snap_type),
        trigger_value=trigger_value,
        file=values.get("file", as_str),
        capture_time=values.get("time", as_datetime),
        declared_size=values.get("imageSize", as_int),
        image=image,
        mime_type=mime,
        image_error=error,
        extra=_merge_extra(values, top),
        invalid_fields=tuple(invalid),
    )


def _trigger_value(text: str | None) -> float | str | None:
    """The trigger value as a number when it is one (``"51"`` dBA), else the text."""
    number = as_number(text)
    return text if number is None else number


def parse_alarm(payload: Payload) -> Alarm:
    """Parse an alarm uplink; the free text is classified and kept."""
    message = decode_json(payload)
    mac, values, top, invalid = _common(message)
    text = values.get("alarm", as_str)
    return Alarm(
        mac=mac,
        device_name=values.get("devName", as_str) or top.get("devName", as_str),
        timestamp=_timestamp(message, invalid),
        text=text,
        alarm_type=classify_alarm(text),
        extra=_merge_extra(values, top),
        invalid_fields=tuple(invalid),
    )


def is_answer(message: Mapping[str, Any]) -> bool:
    """Whether a message is shaped like the camera's answer, not like a request.

    With request and response on one topic Home Assistant would hear its own
    requests (NOTES.md): ``{"api", "devMac"}`` for a ``get``, plus settings in
    ``data`` for a ``set``. An answer carries ``devName``, or data a request
    never has: settings for a ``get``, a result code for anything else.
    """
    if message.get("devName") is not None:
        return True
    data = message.get("data")
    if not isinstance(data, Mapping):
        return False
    api = message.get("api")
    if isinstance(api, str) and api.strip().startswith("get."):
        return True
    return "code" in data or "result" in data


def parse_configure_response(payload: Payload) -> ConfigureResponse:
    """Parse an answer on the configure response topic (a request is rejected)."""
    message = decode_json(payload)
    mac = _require_mac(message)
    api = message.get("api")
    if not isinstance(api, str) or not api.strip():
        raise InvalidPayloadError("response rejected: no api")
    if not is_answer(message):
        raise InvalidPayloadError(f"{api.strip()} is a request, not an answer")
    data = message.get("data")
    return ConfigureResponse(
        mac=mac,
        api=api.strip(),
        device_name=as_str(message.get("devName")),
        data=dict(data) if isinstance(data, Mapping) else {},
    )
