"""A 4G camera reaches Home Assistant through a bridged MQTT broker.

The camera on cellular posts to a broker "in the cloud": TLS (a CA and a server
certificate for 127.0.0.1, made here), a user name and a password, no anonymous
clients. Home Assistant's own broker at home is plain and anonymous and bridges to
the cloud one (mosquitto's ``connection``, started from home: nothing at home is
exposed), both ways on ``X5SensingCam/#``. Home Assistant knows the home broker only,
the simulated camera the cloud one only.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncGenerator, Generator
import dataclasses
import datetime as dt
import hashlib
from http import HTTPStatus
import ipaddress
from pathlib import Path
import secrets
import threading
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.components import mqtt
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import pytest_socket

from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_MAC,
    DEFAULT_TOPICS,
    DOMAIN,
)
from simulator import SimulatedCamera
from simulator.mqtt import SimulatorHub

from .conftest import Mosquitto, setup_mqtt, wait_for

MAC = "1CC3164126A2"
USER, PASSWORD = "x5-camera", "cellular-secret"
PROBE = "X5SensingCam/bridge-probe"

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "mock_hass_config"),
    pytest.mark.timeout(60),
]


@dataclasses.dataclass(frozen=True)
class Cloud:
    """The cloud broker and what a client needs to reach it."""

    broker: Mosquitto
    ca: Path


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and, signed by it, a server certificate whose subject
    alternative name is IP 127.0.0.1: the CA, certificate and key files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "X5 test cloud CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cloud.example")])
        )
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.crt", folder / "server.crt", folder / "server.key"
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths[2].chmod(0o600)
    return paths


def _password_line(user: str, password: str) -> str:
    """A mosquitto 2 password file line, as ``mosquitto_passwd`` writes it
    (PBKDF2-SHA512, 101 rounds, 12 bytes of salt)."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    b64 = base64.b64encode
    return f"{user}:$7$101${b64(salt).decode()}${b64(digest).decode()}\n"


@pytest.fixture
def cloud(mosquitto_binary: str, tmp_path: Path) -> Generator[Cloud]:
    """The cloud broker: TLS only, a login required."""
    folder = tmp_path / "cloud"
    folder.mkdir()
    ca, cert, key = _certificates(folder)
    passwords = folder / "passwords"
    passwords.write_text(_password_line(USER, PASSWORD))
    pytest_socket.enable_socket()
    server = Mosquitto(
        mosquitto_binary,
        folder,
        [
            f"cafile {ca}",
            f"certfile {cert}",
            f"keyfile {key}",
            "tls_version tlsv1.2",
            f"password_file {passwords}",
        ],
        anonymous=False,
    )
    server.start()
    yield Cloud(server, ca)
    server.stop()


@pytest.fixture
def home(mosquitto_binary: str, tmp_path: Path, cloud: Cloud) -> Generator[Mosquitto]:
    """Home Assistant's broker: plain, anonymous, bridged to the cloud one."""
    folder = tmp_path / "home"
    folder.mkdir()
    server = Mosquitto(
        mosquitto_binary,
        folder,
        [
            "connection cloud",
            f"address 127.0.0.1:{cloud.broker.port}",
            "remote_clientid home-bridge",
            f"remote_username {USER}",
            f"remote_password {PASSWORD}",
            f"bridge_cafile {cloud.ca}",
            "cleansession true",
            "restart_timeout 1",
            "topic X5SensingCam/# both 0",
        ],
    )
    server.start()
    yield server
    server.stop()


class Probe:
    """A paho client subscribed to the probe topics; records what arrives. With
    ``ca``: over TLS, logged in (the cloud broker)."""

    def __init__(self, port: int, ca: Path | None = None) -> None:
        self.received: set[str] = set()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2)
        if ca is not None:
            self.client.tls_set(ca_certs=str(ca))
            self.client.username_pw_set(USER, PASSWORD)
        self.client.on_connect = lambda client, *_: client.subscribe(PROBE + "/#")
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = lambda _c, _u, msg: self.received.add(msg.topic)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._subscribed.wait(10), f"probe on port {port} not subscribed"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _wait_for_bridge(home: Mosquitto, cloud: Cloud, limit: float = 20) -> None:
    """Until a message published at home reaches the cloud, and one published in
    the cloud reaches home (the bridge's subscriptions both ways in place)."""
    at_home, in_cloud = Probe(home.port), Probe(cloud.broker.port, ca=cloud.ca)
    try:
        deadline = time.monotonic() + limit
        while not (
            f"{PROBE}/out" in in_cloud.received and f"{PROBE}/in" in at_home.received
        ):
            if time.monotonic() > deadline:
                log = (home.workdir / "mosquitto.log").read_text(errors="replace")
                raise AssertionError(f"the bridge did not carry the probes:\n{log}")
            at_home.client.publish(f"{PROBE}/out", "home")
            in_cloud.client.publish(f"{PROBE}/in", "cloud")
            time.sleep(0.1)
    finally:
        at_home.close()
        in_cloud.close()


def _anonymous_answer(cloud: Cloud) -> str:
    """What the cloud broker answers a TLS client without a login."""
    answered = threading.Event()
    answers: list[str] = []

    def on_connect(client: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        answers.append(str(reason))
        answered.set()

    client = paho.Client(CallbackAPIVersion.VERSION2)
    client.tls_set(ca_certs=str(cloud.ca))
    client.on_connect = on_connect
    client.connect("127.0.0.1", cloud.broker.port)
    client.loop_start()
    try:
        assert answered.wait(10), "no CONNACK"
    finally:
        client.disconnect()
        client.loop_stop()
    return answers[0]


@pytest.fixture
async def bridged(
    hass: HomeAssistant, home: Mosquitto, cloud: Cloud
) -> AsyncGenerator[dict[str, Any]]:
    """The bridge up; Home Assistant on the home broker with the camera configured;
    then the simulated camera started on the cloud broker."""
    assert await hass.async_add_executor_job(_anonymous_answer, cloud) == (
        "Not authorized"
    )
    await hass.async_add_executor_job(_wait_for_bridge, home, cloud)
    mqtt_entry = await setup_mqtt(hass, home)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Garden",
        unique_id=MAC,
        data={CONF_MAC: MAC, **DEFAULT_TOPICS},
        options={CONF_AWAKE_WINDOW: 1, CONF_ANSWER_TIMEOUT: 5},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = hass.data[mqtt.DATA_MQTT].client
    await wait_for(lambda: not client._pending_subscriptions, what="subscriptions")
    await asyncio.sleep(0.5)  # the broker's SUBACK
    sim = SimulatedCamera(MAC)
    hub = SimulatorHub(
        [sim],
        "127.0.0.1",
        cloud.broker.port,
        interval=3600,
        awake_window=2,
        tls_ca=str(cloud.ca),
        username=USER,
        password=PASSWORD,
    )
    try:
        await hass.async_add_executor_job(hub.start)
        yield {"hub": hub, "sim": sim}
    finally:
        await hass.async_add_executor_job(hub.stop)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_unload(mqtt_entry.entry_id)
        await hass.async_block_till_done()


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state else None


async def test_camera_through_bridged_broker(
    hass: HomeAssistant,
    bridged: dict[str, Any],
    hass_client: ClientSessionGenerator,
) -> None:
    """Heartbeat, picture and alarm come up through the bridge; a setting changed
    in Home Assistant wakes the sleeping camera through it and is applied."""
    hub: SimulatorHub = bridged["hub"]
    sim: SimulatedCamera = bridged["sim"]
    await wait_for(
        lambda: _state(hass, "sensor.garden_battery") == "91", what="battery"
    )
    await wait_for(
        lambda: _state(hass, "image.garden_snapshot") not in (None, "unknown"),
        what="picture",
    )
    client = await hass_client()
    resp = await client.get("/api/image_proxy/image.garden_snapshot")
    assert resp.status == HTTPStatus.OK
    assert (await resp.read())[:2] == b"\xff\xd8"  # JPEG

    await hass.async_add_executor_job(hub.alarm, MAC, "Low power")
    await wait_for(
        lambda: (s := hass.states.get("event.garden_alarm")) is not None
        and s.attributes.get("event_type") == "low_power",
        what="alarm event",
    )

    # The settings read while it was awake; then it falls asleep (awake window 2 s
    # in the simulator, 1 s in Home Assistant) and a change has to wake it.
    number = "number.garden_min_noise"
    await wait_for(lambda: _state(hass, number) == "60", what="settings")
    await wait_for(lambda: not sim.awake, what="camera asleep")
    hub.log.clear()
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 75}, blocking=True
    )
    conditions = sim.settings["capture.info"]["triggerConfig"]["sensorConditions"]
    assert conditions["lafThre"] == 75, "\n".join(hub.log)
    assert f"wake {MAC}" in hub.log  # it came over the bridge
    assert _state(hass, number) == "75"
