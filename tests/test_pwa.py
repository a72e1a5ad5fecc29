"""The field app's server side: the manifest, the icons, /sw.js and the app shell."""

import hashlib
import json
import re
import shutil
import struct
from html.parser import HTMLParser

import pytest
from conftest import make_user

from fvfield import create_app, web_folder
from fvfield.field.precache import ShellError, read_constants

STATIC = web_folder("static")


def png_size(data):
    """Return (width, height) of PNG bytes, failing when they are not a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def precache_entries(source):
    """Return the precache manifest injected into a served sw.js."""
    match = re.search(r"precacheAndRoute\((\[.*?\])\);", source, re.S)
    assert match, "sw.js has no precache manifest"
    return json.loads(match[1])


def injected_constants(source):
    """Return the constants object injected into a served sw.js."""
    match = re.search(r"const FV = (\{.*?\});", source, re.S)
    assert match, "sw.js has no constants"
    return json.loads(match[1])


class Links(HTMLParser):
    """Collect every src and href of a page."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_manifest_fields(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == "fvfield"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def test_manifest_icons_are_pngs_of_their_size(client):
    for icon in json.loads(client.get("/manifest.webmanifest").data)["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        width, height = png_size(response.data)
        assert f"{width}x{height}" == icon["sizes"]
        assert icon["type"] == "image/png"


def test_sw_is_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"


def test_sw_loads_the_vendored_workbox_quietly(client):
    source = client.get("/sw.js").get_data(as_text=True)
    assert "importScripts('/static/vendor/workbox-7.4.1/workbox-sw.js')" in source
    assert "modulePathPrefix: '/static/vendor/workbox-7.4.1/'" in source
    assert "debug: false" in source
    assert "self.__WB_MANIFEST" not in source
    assert "self.__FV_CONSTANTS" not in source


def test_sw_precaches_the_shell_with_md5_revisions(client):
    entries = precache_entries(client.get("/sw.js").get_data(as_text=True))
    urls = [entry["url"] for entry in entries]
    for needed in (
        "/app/",
        "/manifest.webmanifest",
        "/static/js/app.js",
        "/static/js/constants.js",
        "/static/js/sync.js",
        "/static/css/app.css",
        "/static/css/app-shell.css",
        "/static/vendor/workbox-7.4.1/workbox-window.prod.mjs",
        "/static/icons/icon-192.png",
        "/static/icons/icon-maskable-512.png",
    ):
        assert needed in urls
    assert len(urls) == len(set(urls))
    for entry in entries:
        response = client.get(entry["url"])
        assert response.status_code == 200, entry["url"]
        assert entry["revision"] == hashlib.md5(response.data).hexdigest(), entry["url"]


def test_sw_precaches_no_coordinator_page_script(client):
    urls = [e["url"] for e in precache_entries(client.get("/sw.js").get_data(as_text=True))]
    assert not [url for url in urls if url.startswith("/static/js/") and url.endswith("copy-link.js")]


def test_sw_carries_the_constants_of_the_page(client):
    constants = injected_constants(client.get("/sw.js").get_data(as_text=True))
    assert constants == read_constants(STATIC / "js" / "constants.js")
    assert constants["SYNC_TAG"] and constants["PHOTO_CACHE"] and constants["DB_VERSION"] >= 1


def static_copy_app(tmp_path, static):
    """Return an app serving `static` as its static folder."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    app.static_folder = str(static)
    return app


def test_sw_changes_when_a_shell_file_changes(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    before = static_copy_app(tmp_path, static).test_client().get("/sw.js").get_data(as_text=True)

    status = static / "js" / "status.js"
    status.write_text(status.read_text() + "\n// a new release\n")
    after = static_copy_app(tmp_path, static).test_client().get("/sw.js").get_data(as_text=True)

    assert after != before
    old = {e["url"]: e["revision"] for e in precache_entries(before)}
    new = {e["url"]: e["revision"] for e in precache_entries(after)}
    changed = {url for url in old if old[url] != new[url]}
    assert changed == {"/static/js/status.js"}


def test_sw_is_built_once_per_process(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    client = static_copy_app(tmp_path, static).test_client()
    first = client.get("/sw.js").data
    (static / "js" / "status.js").write_text("// changed on disk while serving\n")
    assert client.get("/sw.js").data == first


def test_sw_release_setting_changes_the_shell_revision(tmp_path):
    def shell_revision(release):
        app = create_app(
            {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "FIELD_APP_RELEASE": release}
        )
        entries = precache_entries(app.test_client().get("/sw.js").get_data(as_text=True))
        return next(e["revision"] for e in entries if e["url"] == "/app/")

    assert shell_revision("1") != shell_revision("2")


@pytest.mark.parametrize("path", ["/app/", "/app/people/3", "/app/index.html"])
def test_shell_is_served_under_app(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert '<link rel="manifest" href="/manifest.webmanifest">' in response.get_data(as_text=True)


def test_shell_holds_no_user_data(app, client, auth):
    anonymous = client.get("/app/").data
    with app.app_context():
        make_user("zebedee.quixote@example.org", "Zebedee Quixote-Wren")
    auth.login("zebedee.quixote@example.org")
    for path in ("/app/", "/app/people"):
        page = client.get(path).get_data(as_text=True)
        assert "Zebedee" not in page
        assert "zebedee.quixote" not in page
    assert client.get("/app/").data == anonymous


def test_shell_loads_nothing_from_another_origin(client):
    links = Links()
    links.feed(client.get("/app/").get_data(as_text=True))
    assert links.urls
    for url in links.urls:
        assert url.startswith(("/", "#")) and not url.startswith("//"), url


def test_shell_modules_import_nothing_from_another_origin():
    for module in (STATIC / "js").rglob("*.js"):
        assert not re.search(r"""(?:from|import)\s*\(?\s*['"](?:https?:)?//""", module.read_text()), module


def test_read_constants_refuses_a_value_that_is_not_json(tmp_path):
    module = tmp_path / "constants.js"
    module.write_text('export const GOOD = "yes";\nexport const BAD = 3 * 60;\n')
    with pytest.raises(ShellError, match="BAD"):
        read_constants(module)


def test_read_constants_reads_json_values(tmp_path):
    module = tmp_path / "constants.js"
    module.write_text(
        '// names\nexport const NAME = "fvfield";\nexport const LIMIT = 300;\nconst LOCAL = 1;\n'
    )
    assert read_constants(module) == {"NAME": "fvfield", "LIMIT": 300}


def test_sw_source_keeps_its_placeholders():
    source = (web_folder("sw") / "sw.js").read_text()
    assert source.count("self.__WB_MANIFEST") == 1
    assert source.count("self.__FV_CONSTANTS") == 1
    assert "skipWaiting()" in source and "MESSAGE_SKIP_WAITING" in source


def test_sw_never_skips_waiting_on_install():
    source = (web_folder("sw") / "sw.js").read_text()
    install = re.search(r"addEventListener\('install'", source)
    assert install is None
    assert (STATIC / "js" / "update.js").read_text().count("messageSkipWaiting()") == 1
