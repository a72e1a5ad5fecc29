// Hash routes to screens. The shell is one precached page (/app/), so the
// screen lives in the hash: "#/t/clapton-circle/s/<id>" works offline, after
// a reload, and from the home screen icon. Hashes that do not start with
// "#/" (the skip link's "#main") are in-page links, not routes.

import { EVENT_SYNC_STATE } from "./constants.js";
import { h, replace } from "./form/dom.js";
import { notice } from "./screens/common.js";
import * as addPitch from "./screens/add-pitch.js";
import * as formScreen from "./screens/form.js";
import * as home from "./screens/home.js";
import * as languageScreen from "./screens/language.js";
import * as record from "./screens/record.js";
import * as subject from "./screens/subject.js";
import * as syncScreen from "./screens/sync.js";
import * as team from "./screens/team.js";
import { t } from "./i18n.js";

const ROUTES = [
  [/^\/?$/, home, []],
  [/^\/sync$/, syncScreen, []],
  [/^\/language$/, languageScreen, []],
  [/^\/t\/([^/]+)$/, team, ["team"]],
  [/^\/t\/([^/]+)\/s\/([^/]+)$/, subject, ["team", "subject"]],
  [/^\/t\/([^/]+)\/s\/([^/]+)\/add-pitch$/, addPitch, ["team", "subject"]],
  [/^\/t\/([^/]+)\/s\/([^/]+)\/new\/([^/]+)$/, formScreen, ["team", "subject", "form"]],
  [/^\/t\/([^/]+)\/new\/([^/]+)$/, formScreen, ["team", "form"]],
  [/^\/t\/([^/]+)\/fix\/(\d+)$/, formScreen, ["team", "fix"]],
  [/^\/t\/([^/]+)\/r\/([^/]+)$/, record, ["team", "record"]],
  [/^\/t\/([^/]+)\/r\/([^/]+)\/correct$/, formScreen, ["team", "correct"]],
];

/** Return {screen, params} for a hash such as "#/t/team/s/id", or null for an unknown one. */
export function match(hash) {
  const path = hash.replace(/^#/, "") || "/";
  for (const [pattern, screen, names] of ROUTES) {
    const found = pattern.exec(path);
    if (found) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { screen, params };
    }
  }
  return null;
}

function isRoute(hash) {
  return hash === "" || hash === "#" || hash.startsWith("#/");
}

function markCurrent(nav) {
  const hash = window.location.hash || "#/";
  for (const link of nav.querySelectorAll("a")) {
    const target = link.getAttribute("href");
    const here = target === "#/" ? !["#/sync", "#/language"].includes(hash) : hash === target;
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/**
 * Show the screen of the current hash in `root` and follow hash changes.
 * `context` is passed to every screen (the sync engine, the session...).
 * Return {go(hash, {flash}), refresh()}.
 */
export function startRouter(root, context = {}) {
  let leaving = [];
  let refreshers = [];
  let flash = null;
  let shown = 0;
  let lastHash = null;

  async function leave() {
    const steps = leaving;
    leaving = [];
    refreshers = [];
    await Promise.all(steps.map((step) => Promise.resolve().then(step).catch((error) => console.error(error))));
  }

  async function show() {
    const hash = window.location.hash;
    if (!isRoute(hash) || hash === lastHash) return;
    lastHash = hash;
    shown += 1;
    const turn = shown;
    await leave();
    if (turn !== shown) return;
    const found = match(hash);
    const content = h("div", { class: "screen" });
    const view = {
      root: content,
      params: found ? found.params : {},
      context,
      go,
      title(text) { document.title = text ? `${text} · fvfield` : "fvfield"; },
      onLeave(step) { leaving.push(step); },
      onRefresh(step) { refreshers.push(step); },
      isCurrent: () => turn === shown,
    };
    const message = flash;
    flash = null;
    try {
      if (!found) {
        view.title(t("Not found"));
        replace(content, h("h1", { tabindex: "-1" }, t("This page is not in the app")),
          h("p", {}, h("a", { href: "#/" }, t("Go to the start"))));
      } else {
        await found.screen.render(view);
      }
    } catch (error) {
      console.error("fvfield screen", error);
      view.title(t("Problem"));
      replace(content, h("h1", { tabindex: "-1" }, t("This screen could not open")),
        notice("problem", h("p", {}, error.message || String(error))),
        h("p", {}, h("a", { href: "#/" }, t("Go to the start"))));
    }
    if (turn !== shown) return;
    if (message) content.prepend(notice("saved", message instanceof Node ? message : h("p", {}, message)));
    root.replaceChildren(content);
    root.dataset.screen = found ? found.screen.NAME || "" : "not-found";
    window.scrollTo(0, 0);
    // Move focus to the new heading, so a screen reader announces the screen.
    const heading = content.querySelector("h1");
    if (heading) heading.focus({ preventScroll: true });
  }

  function go(hash, { flash: message = null, replace: replacing = false } = {}) {
    flash = message;
    if (window.location.hash === hash) {
      lastHash = null;
      return show();
    }
    if (replacing) {
      window.history.replaceState(null, "", hash);
      return show();
    }
    window.location.hash = hash;
    return null;
  }

  async function refresh() {
    for (const step of refreshers) {
      try {
        await step();
      } catch (error) {
        console.error("fvfield refresh", error);
      }
    }
  }

  const nav = document.getElementById("app-nav");
  if (nav) {
    replace(nav,
      h("a", { href: "#/", class: "nav-link" }, t("Home")),
      h("a", { href: "#/sync", class: "nav-link" }, t("Sync")),
      h("a", { href: "#/language", class: "nav-link nav-language", "aria-label": t("Language") },
        h("span", { "aria-hidden": "true" }, "Aa")));
    window.addEventListener("hashchange", () => markCurrent(nav));
    markCurrent(nav);
  }
  window.addEventListener("hashchange", show);
  // After every sync, failed or not, the screen shows what the phone now
  // holds: a push can succeed before a pull fails, and the badges must follow.
  let syncing = Boolean(context.syncEngine && context.syncEngine.state.state === "syncing");
  window.addEventListener(EVENT_SYNC_STATE, (event) => {
    const state = event.detail || {};
    if (syncing && state.state !== "syncing") refresh();
    syncing = state.state === "syncing";
  });
  show();
  return { go, refresh, show };
}
