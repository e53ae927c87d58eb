"""Screenshot pages of the running demo in headless Chromium (Chrome DevTools Protocol).

Usage: .venv/bin/python scripts/screenshot.py [--dir .demo] [--page PAGE] [--out PNG]
Start scripts/demo first (let it run a few minutes, so the cameras have posted some
pictures); this logs in with the demo's tokens and opens, per --page:

  device         the first camera's device page      -> docs/screenshot.png
  media-browser  the media browser on the first camera's newest day of pictures
                 (the history of both cameras is printed)  -> docs/media-browser.png
  camera-card    the demo's "X5 cameras" dashboard (picture cards on the camera
                 entities)                            -> docs/camera-card.png
  automation-trigger
                 the automation editor on an automation with the first camera's
                 device triggers, the first one's trigger list open (saved through
                 the config API, deleted afterwards)  -> docs/automation-editor.png
  all            the four

Needs Debian's chromium (apt-get install -y chromium).
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
from urllib.parse import quote

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = {
    "device": DOCS / "screenshot.png",
    "media-browser": DOCS / "media-browser.png",
    "camera-card": DOCS / "camera-card.png",
    "automation-trigger": DOCS / "automation-editor.png",
}
HISTORY = "media-source://milesight_x5"
FIRST_CAMERA = "Garden camera"
DASHBOARD = "/x5-cameras/cameras"
AUTOMATION_ID = "x5_demo_device_triggers"
# The device triggers the automation-trigger page shows: captures, then an alarm.
DEVICE_TRIGGERS = ("pir_capture", "noise_capture", "low_power_alarm")
# Run on a page once it rendered, before the screenshot: the automation editor's
# first trigger is opened (its device and trigger type pickers show), found through
# the shadow roots of Home Assistant's web components.
EXPAND_FIRST_TRIGGER = """(() => {
  const find = (root, selector) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const element of root.querySelectorAll("*")) {
      const inner = element.shadowRoot && find(element.shadowRoot, selector);
      if (inner) return inner;
    }
    return null;
  };
  const row = find(document, "ha-automation-trigger-row");
  const panel = row && find(row.shadowRoot, "ha-expansion-panel");
  if (!panel) return false;
  panel.expanded = true;
  setTimeout(() => {
    const picker = find(row.shadowRoot, "ha-device-trigger-picker");
    const select = picker && find(picker.shadowRoot, "ha-select");
    const anchor = select && select.shadowRoot.querySelector(".mdc-select__anchor");
    if (anchor) anchor.click();
  }, 1000);
  return true;
})()"""
AFTER_RENDER = {"automation-trigger": EXPAND_FIRST_TRIGGER}
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


async def first_device_id(session: aiohttp.ClientSession, base: str, token: str) -> str:
    """The device id of the demo's first camera."""
    async with session.post(
        f"{base}/api/template",
        headers={"Authorization": f"Bearer {token}"},
        json={"template": "{{ device_id('sensor.garden_camera_battery') }}"},
    ) as resp:
        resp.raise_for_status()
        return (await resp.text()).strip()


async def device_page(session: aiohttp.ClientSession, base: str, token: str) -> str:
    """The device page of the demo's first camera."""
    return f"{base}/config/devices/device/{await first_device_id(session, base, token)}"


async def automation_page(session: aiohttp.ClientSession, base: str, token: str) -> str:
    """The automation editor on an automation with the first camera's device triggers.

    The automation is saved (or overwritten) through Home Assistant's config API, as
    the editor's Save does; the editor then shows each trigger by its translated name.
    """
    device_id = await first_device_id(session, base, token)
    automation = {
        "alias": f"{FIRST_CAMERA}: pictures and alarms",
        "description": "The integration's device triggers, as the editor shows them.",
        "triggers": [
            {
                "trigger": "device",
                "domain": "milesight_x5",
                "device_id": device_id,
                "type": trigger_type,
            }
            for trigger_type in DEVICE_TRIGGERS
        ],
        "conditions": [],
        "actions": [
            {
                "action": "persistent_notification.create",
                "data": {
                    "notification_id": AUTOMATION_ID,
                    "message": f"{FIRST_CAMERA}: {{{{ trigger.event.data.type }}}}",
                },
            }
        ],
        "mode": "queued",
    }
    async with session.post(
        f"{base}/api/config/automation/config/{AUTOMATION_ID}",
        headers={"Authorization": f"Bearer {token}"},
        json=automation,
    ) as resp:
        if resp.status != 200:
            raise SystemExit(
                f"saving the automation failed ({resp.status}): {await resp.text()}"
            )
    return f"{base}/config/automation/edit/{AUTOMATION_ID}"


async def remove_automation(
    session: aiohttp.ClientSession, base: str, token: str
) -> None:
    """Delete the automation-trigger page's automation: the demo stays as it was."""
    async with session.delete(
        f"{base}/api/config/automation/config/{AUTOMATION_ID}",
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        resp.raise_for_status()


async def browse(
    session: aiohttp.ClientSession, base: str, token: str, media_content_id: str
) -> dict[str, Any]:
    """One media_source/browse_media call over Home Assistant's websocket."""
    async with session.ws_connect(
        f"{base.replace('http', 'ws', 1)}/api/websocket"
    ) as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            raise SystemExit("the demo refused the login")
        await ws.send_json(
            {
                "id": 1,
                "type": "media_source/browse_media",
                "media_content_id": media_content_id,
            }
        )
        answer = await ws.receive_json()
    if not answer.get("success"):
        raise SystemExit(f"browsing {media_content_id} failed: {answer.get('error')}")
    result: dict[str, Any] = answer["result"]
    return result


async def print_history(session: aiohttp.ClientSession, base: str, token: str) -> None:
    """What the media browser lists for each camera: days, then picture titles."""
    for camera in (await browse(session, base, token, HISTORY))["children"]:
        print(f"{camera['title']}:")
        days = await browse(session, base, token, camera["media_content_id"])
        for day in days["children"]:
            pictures = await browse(session, base, token, day["media_content_id"])
            titles = [picture["title"] for picture in pictures["children"]]
            print(f"  {day['title']} ({len(titles)}): {', '.join(titles)}")


async def media_browser_page(
    session: aiohttp.ClientSession, base: str, token: str
) -> str:
    """The media browser opened on the first camera's newest day of pictures.

    The panel's path is one ``type,id`` segment per level below the root (as its
    own navigation writes it).
    """
    cameras = await browse(session, base, token, HISTORY)
    camera = next(c for c in cameras["children"] if c["title"] == FIRST_CAMERA)
    days = (await browse(session, base, token, camera["media_content_id"]))["children"]
    if not days:
        raise SystemExit(f"{FIRST_CAMERA} has no pictures yet: let the demo run longer")
    levels = [("app", HISTORY), ("", camera["media_content_id"])]
    levels.append(("", days[0]["media_content_id"]))
    path = "".join("/" + quote(f"{kind},{item}", safe="") for kind, item in levels)
    return f"{base}/media-browser/browser{path}"


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


async def page_url(
    session: aiohttp.ClientSession, base: str, token: str, page: str
) -> str:
    """The address of a --page."""
    if page == "device":
        return await device_page(session, base, token)
    if page == "media-browser":
        await print_history(session, base, token)
        return await media_browser_page(session, base, token)
    if page == "automation-trigger":
        return await automation_page(session, base, token)
    return f"{base}{DASHBOARD}"


async def shoot(workdir: Path, shots: dict[str, Path], port: int, wait: float) -> None:
    """Log in with the demo's tokens, open each page, save a PNG of each."""
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
                    for name, out in shots.items():
                        url = await page_url(
                            session, base, tokens["access_token"], name
                        )
                        await page.call("Page.navigate", url=url)
                        await asyncio.sleep(wait)
                        if name in AFTER_RENDER:
                            done = await page.call(
                                "Runtime.evaluate",
                                expression=AFTER_RENDER[name],
                                returnByValue=True,
                            )
                            if done.get("result", {}).get("value") is not True:
                                print(f"{name}: the page did not render as expected")
                            await asyncio.sleep(3)
                        shot = await page.call("Page.captureScreenshot", format="png")
                        out.parent.mkdir(parents=True, exist_ok=True)
                        out.write_bytes(base64.b64decode(shot["data"]))
                        print(f"saved {out} ({url})")
                        if name == "automation-trigger":
                            await remove_automation(
                                session, base, tokens["access_token"]
                            )
        finally:
            browser.terminate()
            await browser.wait()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=ROOT / ".demo")
    parser.add_argument(
        "--page", choices=[*PAGES, "all"], default="device", help="what to take"
    )
    parser.add_argument(
        "--out", type=Path, help="where to save it (one page; default: docs/)"
    )
    parser.add_argument("--port", type=int, default=9333, help="DevTools port")
    parser.add_argument(
        "--wait", type=float, default=8, help="seconds to let the page render"
    )
    args = parser.parse_args()
    shots = dict(PAGES) if args.page == "all" else {args.page: PAGES[args.page]}
    if args.out is not None:
        if len(shots) > 1:
            parser.error("--out takes one --page")
        shots = {args.page: args.out}
    asyncio.run(shoot(args.dir, shots, args.port, args.wait))


if __name__ == "__main__":
    main()
