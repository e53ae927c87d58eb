"""A real mosquitto for the session, and simulated cameras on it."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
import contextlib
import os
from pathlib import Path
import pwd
import shutil
import socket
import subprocess
import time

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import pytest_socket


def _mosquitto_binary() -> str | None:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class Mosquitto:
    """mosquitto on a free loopback port; can be restarted on the same port."""

    def __init__(
        self,
        binary: str,
        workdir: Path,
        extra: Iterable[str] = (),
        *,
        anonymous: bool = True,
    ) -> None:
        """``extra``: configuration lines after the listener's (a TLS certificate,
        a password file, a bridge, ...); ``anonymous``: whether it lets clients in
        without a login."""
        self.binary = binary
        self.workdir = workdir
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.config = workdir / "mosquitto.conf"
        lines = [
            # Started by root, it would drop to the "mosquitto" user, who cannot
            # read the test's files (a certificate, a password file); by anyone
            # else the line does nothing.
            f"user {pwd.getpwuid(os.getuid()).pw_name}",
            f"listener {self.port} 127.0.0.1",
            f"allow_anonymous {'true' if anonymous else 'false'}",
            "persistence false",
            *extra,
        ]
        self.config.write_text("".join(f"{line}\n" for line in lines))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "mosquitto.log").open("ab"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def mosquitto_binary() -> str:
    """The mosquitto program (installed by scripts/setup); the test skips without."""
    binary = _mosquitto_binary()
    if binary is None:
        pytest.skip(
            "END-TO-END TESTS NOT RUN: mosquitto is not installed and scripts/setup could"
            " not install it (it needs root and apt-get)"
        )
    return binary


@pytest.fixture(scope="session")
def broker(
    mosquitto_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Generator[Mosquitto]:
    """mosquitto for the whole session (installed by scripts/setup)."""
    pytest_socket.enable_socket()
    server = Mosquitto(mosquitto_binary, tmp_path_factory.mktemp("mosquitto"))
    server.start()
    yield server
    server.stop()


async def wait_for(
    condition: Callable[[], bool], limit: float = 15.0, what: str = "condition"
) -> None:
    """Poll ``condition`` in the event loop until true, or fail after ``limit`` s."""
    import asyncio

    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {limit} s for {what} in vain")
        await asyncio.sleep(0.05)


async def setup_mqtt(hass: HomeAssistant, broker: Mosquitto) -> MockConfigEntry:
    """Home Assistant's MQTT integration, for real, on ``broker``; connected."""
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN,
        data={mqtt.CONF_BROKER: "127.0.0.1", "port": broker.port},
        options={"birth_message": {}, "will_message": {}, "discovery": False},
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(lambda: hass.data[mqtt.DATA_MQTT].client.connected, what="HA's MQTT")
    return entry


__all__ = ["Mosquitto", "setup_mqtt", "wait_for"]
