"""Screenshot a page of the running demo in headless Chromium (Chrome DevTools Protocol).

Usage: .venv/bin/python scripts/screenshot.py [--dir .demo] [--out docs/screenshot.png]
Start scripts/demo first; this logs in with the demo's tokens and opens the device page
of the first camera.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
from pathlib import Path
import shutil
import subprocess
import tempfile
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1400,1100",
]


class Page:
    """A Chrome DevTools Protocol session on one page."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.ws.send_json({"id": call_id, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json()
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))


async def device_page(session: aiohttp.ClientSession, base: str, token: str) -> str:
    """The device page of the demo's first camera."""
    async with session.post(
        f"{base}/api/template",
        headers={"Authorization": f"Bearer {token}"},
        json={"template": "{{ device_id('sensor.garden_camera_battery') }}"},
    ) as resp:
        resp.raise_for_status()
        return f"{base}/config/devices/device/{(await resp.text()).strip()}"


async def fresh_tokens(workdir: Path) -> dict[str, Any]:
    """The demo's tokens with a new access token (one lives 30 minutes).

    The refresh token stays valid; without this, a demo running longer than the
    access token fails here and leaves "Login attempt failed" notifications.
    """
    tokens: dict[str, Any] = json.loads((workdir / "tokens.json").read_text())
    base = tokens["hassUrl"]
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}/auth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": f"{base}/",
            },
        ) as resp,
    ):
        resp.raise_for_status()
        tokens.update(await resp.json())
    return tokens


async def shoot(workdir: Path, out: Path, port: int, wait: float) -> None:
    """Log in with the demo's tokens, open the device page, save a PNG."""
    tokens = await fresh_tokens(workdir)
    base = tokens["hassUrl"]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        browser = await asyncio.create_subprocess_exec(
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "about:blank",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(100):
                    try:
                        async with session.get(
                            f"http://127.0.0.1:{port}/json/list"
                        ) as resp:
                            targets = await resp.json()
                        break
                    except aiohttp.ClientError:
                        await asyncio.sleep(0.2)
                else:
                    raise SystemExit("chromium did not start")
                target = next(t for t in targets if t["type"] == "page")
                url = await device_page(session, base, tokens["access_token"])
                async with session.ws_connect(
                    target["webSocketDebuggerUrl"], max_msg_size=0
                ) as ws:
                    page = Page(ws)
                    await page.call("Page.enable")
                    await page.call("Page.navigate", url=f"{base}/auth/authorize")
                    await asyncio.sleep(2)
                    stored = {
                        "access_token": tokens["access_token"],
                        "refresh_token": tokens["refresh_token"],
                        "token_type": "Bearer",
                        "expires_in": tokens["expires_in"],
                        "hassUrl": base,
                        "clientId": f"{base}/",
                        "expires": 0,
                    }
                    script = (
                        f"const t = {json.dumps(stored)}; t.expires = Date.now() + 1500000;"
                        "localStorage.setItem('hassTokens', JSON.stringify(t));"
                        "localStorage.setItem('selectedLanguage', JSON.stringify('en'));"
                    )
                    await page.call("Runtime.evaluate", expression=script)
                    await page.call("Page.navigate", url=url)
                    await asyncio.sleep(wait)
                    shot = await page.call("Page.captureScreenshot", format="png")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(base64.b64decode(shot["data"]))
            print(f"saved {out} ({url})")
        finally:
            browser.terminate()
            await browser.wait()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=ROOT / ".demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--port", type=int, default=9333, help="DevTools port")
    parser.add_argument(
        "--wait", type=float, default=8, help="seconds to let the page render"
    )
    args = parser.parse_args()
    asyncio.run(shoot(args.dir, args.out, args.port, args.wait))


if __name__ == "__main__":
    main()
