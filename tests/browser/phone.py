"""What a person does with the field app, for the screen, form and accessibility tests.

Helpers drive the app the way a carer or a volunteer does (labels, roles,
buttons), plus a few that prepare the world: a form published on the server,
a camera picture made by the browser itself, a page's axe-core report.
"""

import base64
import json
import struct
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect
from realserver import REPO, server_environment

from .conftest import call

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"

PUBLISH = """
import json, sys
from fvfield import create_app
from fvfield.accounts import find_team
from fvfield.extensions import db
from fvfield.sync.forms import publish_form_version

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    publish_form_version(find_team(spec["team"]), spec["definition"])
    db.session.commit()
"""


def phone_context(browser, server, locale="en-GB"):
    """Return a new phone (390x844, touch, service workers on) on the server, a browser of that locale."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        base_url=server.url,
        service_workers="allow",
        locale=locale,
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    return context


def publish_form(server, team, definition):
    """Publish a form definition as the next version of a team's form, on the server's file."""
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH, json.dumps({"team": team, "definition": definition})],
        env=server_environment(server.instance),
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"publishing {definition['id']} failed:\n{done.stdout}{done.stderr}")


CAMERA = """async ([width, height]) => {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#d9480f');
  gradient.addColorStop(1, '#2b8a3e');
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#ffffff';
  context.font = `${Math.round(height / 5)}px sans-serif`;
  context.fillText('Pitch 14B', width / 10, height / 2);
  const blob = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.95});
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}"""


def camera_picture(page, width=4000, height=3000):
    """Return a JPEG as a phone's camera makes one (large), drawn by the browser: file payload."""
    data = base64.b64decode(page.evaluate(CAMERA, [width, height]))
    return {"name": "IMG_20261125_101500.jpg", "mimeType": "image/jpeg", "buffer": data}


def jpeg_size(data):
    """Return (width, height) of JPEG bytes, read from its frame header."""
    index = 2
    while index < len(data):
        marker, length = data[index + 1], struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise ValueError("no JPEG frame header")


def open_screen(page, hash_):
    """Open a screen of the app by its address (a hash route) and wait for its heading."""
    page.evaluate("(hash) => { window.location.hash = hash; }", hash_)
    expect(page.locator("#main h1")).to_be_visible()


def snap(page, screens, name):
    """Save a screenshot of the whole screen, from its top (as a person first sees it)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    return screens(page, name)


def question(page, label):
    """Return a question (a fieldset or a labelled block) by the start of its label."""
    return page.locator(".q").filter(has=page.locator(".q-label", has_text=label)).first


def choose(page, label, option):
    """Tick an option of a choice, yes/no or multiple choice question."""
    question(page, label).get_by_label(option, exact=True).check()


def save(page):
    """Press the form's save button."""
    page.get_by_role("button", name="Save on this phone").click()


def saved_records(page, form):
    """Return the records of a form that the phone holds (saved here or pulled), oldest first."""
    records = [r for r in call(page, "db", "all", "records") if r["form"] == form and not r["deleted"]]
    return sorted(records, key=lambda r: r["recorded_at"])


def drafts(page):
    """Return the drafts kept on the phone."""
    return call(page, "db", "all", "drafts")


def wait_for(page, check, tries=200):
    """Call check() until it returns something true (each try waits for the page 50 ms)."""
    for _ in range(tries):
        value = check()
        if value:
            return value
        page.wait_for_timeout(50)
    raise AssertionError("gave up waiting")


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core on the page; return its violations of the given impacts."""
    if not page.evaluate("() => Boolean(window.axe)"):
        # Evaluated, not added as a <script>: the app's CSP refuses inline scripts.
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


# Save `count` home visits about one subject through the outbox, as the app does; return their ids.
SAVE_VISITS = """async ([count, team, subject]) => {
  const {saveRecord} = await import('/static/js/outbox.js');
  const ids = [];
  for (let n = 0; n < count; n += 1) {
    const saved = await saveRecord({team, form: 'home-visit', formVersion: 1, subjectId: subject,
                                    data: {time_in: '09:30', concern: false, notes: `Visit ${n}`}});
    ids.push(saved.id);
  }
  return ids;
}"""
