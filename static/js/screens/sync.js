// The sync screen: what waits on this phone, what the server refused (each
// opens in its form to be fixed), when the phone last synced, "Sync now",
// the storage used, "Save a copy to a file" and "Log out".

import { EVENT_OUTBOX_CHANGED, EVENT_SYNC_STATE } from "../constants.js";
import { storageEstimate } from "../db.js";
import { logOut, saveOutboxFile } from "../logout.js";
import { NEEDS_ATTENTION, SAVED_TO_FILE, WAITING, listOutbox } from "../outbox.js";
import { dismissConflicts, listConflicts } from "../sync.js";
import { backLink, h, notice, replace, rowLink, teamHash, whenWords } from "./common.js";
import { listForms, listTeams, subjectLabel } from "./local.js";
import { formatNumber, t, tn } from "../i18n.js";

export const NAME = "sync";

/** Return "2.4 MB" for a number of bytes. */
export function bytesText(bytes) {
  if (!Number.isFinite(bytes)) return t("unknown");
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return unit ? `${formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${units[unit]}`
    : t("{count} bytes", { count: formatNumber(bytes) });
}

async function describeItem(item, titles, teams) {
  const change = item.change;
  const teamName = teams.size > 1 && teams.get(item.team) ? ` · ${teams.get(item.team)}` : "";
  if (change.collection === "subjects") {
    const what = change.kind === "pitch" ? t("New pitch") : t("New {kind}", { kind: change.kind });
    return { title: `${what}: ${change.label}`, detail: t("Saved {when}", { when: whenWords(item.saved_at) }) + teamName };
  }
  const about = change.subject_id ? await subjectLabel(item.team, change.subject_id) : null;
  const title = titles.get(`${item.team}/${change.form}`) || change.form;
  return {
    title: about ? `${title}: ${about}` : title,
    detail: t("Saved {when}", { when: whenWords(item.saved_at) }) + teamName,
  };
}

function errorWords(errors) {
  return Object.values(errors || {}).flat().map(String);
}

async function outboxSection(state) {
  const [teams, items] = await Promise.all([listTeams(), listOutbox()]);
  const teamNames = new Map(teams.map((team) => [team.slug, team.name]));
  const titles = new Map();
  for (const team of teams) {
    for (const form of await listForms(team.slug)) titles.set(`${team.slug}/${form.id}`, form.data.title);
  }
  const waiting = items.filter((item) => item.state === WAITING);
  const attention = items.filter((item) => item.state === NEEDS_ATTENTION);
  // Records of a team the person was removed from: in a file, not on the server (ended.js).
  const inFile = items.filter((item) => item.state === SAVED_TO_FILE).length;
  const inFileNote = inFile ? h("p", { class: "meta saved-to-file" }, tn(
    "{count} record of a team you were removed from did not reach the server: it is in the copy file saved for your coordinator.",
    "{count} records of a team you were removed from did not reach the server: they are in the copy file saved for your coordinator.",
    inFile)) : null;
  const waitingRows = await Promise.all(waiting.map(async (item) => {
    const { title, detail } = await describeItem(item, titles, teamNames);
    return h("li", { class: "row" }, h("span", { class: "row-title" }, title), h("span", { class: "row-detail" }, detail));
  }));
  const attentionRows = await Promise.all(attention.map(async (item) => {
    const { title, detail } = await describeItem(item, titles, teamNames);
    const reasons = h("ul", { class: "server-messages" }, errorWords(item.errors).map((m) => h("li", {}, m)));
    if (item.change.collection !== "records") {
      return h("li", { class: "attention" }, h("p", { class: "row-title" }, title), reasons,
        h("p", { class: "meta" }, t("Your coordinator can fix this on the web after you save a copy to a file.")));
    }
    return h("li", { class: "attention" },
      rowLink(teamHash(item.team, "fix", String(item.seq)), title, detail, t("Open it to fix it")), reasons);
  }));
  state.waiting = waiting.length;
  return h("div", {},
    h("section", { class: "section", "aria-labelledby": "attention-h" },
      h("h2", { id: "attention-h" }, t("Needs attention ({count})", { count: formatNumber(attention.length) })),
      attention.length
        ? [h("p", {}, t("The server could not accept these. Nothing is lost: open each one, fix it and save; it is sent again.")),
          h("ul", { class: "rows attention-list" }, attentionRows)]
        : h("p", { class: "meta" }, t("Nothing needs your attention."))),
    h("section", { class: "section", "aria-labelledby": "waiting-h" },
      h("h2", { id: "waiting-h" }, t("Waiting to sync ({count})", { count: formatNumber(waiting.length) })),
      waiting.length
        ? [h("p", {}, tn("{count} record is saved on this phone only. It is sent by itself when there is a connection.",
          "{count} records are saved on this phone only. They are sent by themselves when there is a connection.",
          waiting.length)),
        h("ul", { class: "rows plain-rows" }, waitingRows)]
        : h("p", { class: "meta" }, inFile ? t("Nothing else waits.") : t("Everything saved on this phone has reached the server.")),
      inFileNote));
}

async function conflictsSection() {
  const conflicts = await listConflicts();
  if (!conflicts.length) return null;
  const box = notice("info",
    h("p", {}, tn("{count} record you changed was also changed by someone else. "
      + "Both versions were kept; your coordinator will choose which one stays.",
    "{count} records you changed were also changed by someone else. "
      + "Both versions were kept; your coordinator will choose which one stays.", conflicts.length)),
    h("button", {
      type: "button",
      onclick: async () => {
        await dismissConflicts();
        box.remove();
      },
    }, t("OK")));
  return box;
}

function syncLine(state) {
  if (state.state === "syncing") return t("Syncing now…");
  const last = state.lastSync ? t("Last synced {when}.", { when: whenWords(state.lastSync) }) : t("Not synced yet.");
  const online = state.online ? "" : " " + t("This phone is offline: records are sent when a connection returns.");
  return `${last}${online}`;
}

async function storageSection() {
  const estimate = await storageEstimate().catch(() => null);
  const body = estimate
    ? [h("p", {}, t("This app uses {used} of the {quota} the browser allows it.",
      { used: bytesText(estimate.usage), quota: bytesText(estimate.quota) })),
      h("p", { class: "meta" }, estimate.persisted
        ? t("The browser keeps this data even when the phone runs short of space.")
        : t("The browser may clear this data if the phone runs very short of space: sync often."))]
    : [h("p", { class: "meta" }, t("This browser does not say how much space the app uses."))];
  return h("section", { class: "section", "aria-labelledby": "storage-h" }, h("h2", { id: "storage-h" }, t("Storage")), body);
}

/** Show the sync screen. */
export async function render(view) {
  const engine = view.context.syncEngine;
  view.title(t("Sync"));
  const state = {};
  const status = h("p", { class: "sync-line", role: "status" }, syncLine(engine ? engine.state : { online: navigator.onLine }));
  const message = h("p", { class: "sync-message" });
  const syncButton = h("button", { type: "button", class: "primary big" }, t("Sync now"));
  const outbox = h("div", {}, await outboxSection(state));
  const leaveMessage = h("div", { class: "leave-message" });
  message.hidden = true;

  const redraw = async () => replace(outbox, await outboxSection(state));
  const onState = (event, first = false) => {
    const detail = event.detail;
    replace(status, syncLine(detail));
    syncButton.disabled = detail.state === "syncing";
    replace(message, detail.message || "");
    message.hidden = !detail.message;
    if (detail.state !== "syncing" && !first) redraw();
  };
  window.addEventListener(EVENT_SYNC_STATE, onState);
  window.addEventListener(EVENT_OUTBOX_CHANGED, redraw);
  view.onLeave(() => {
    window.removeEventListener(EVENT_SYNC_STATE, onState);
    window.removeEventListener(EVENT_OUTBOX_CHANGED, redraw);
  });
  syncButton.addEventListener("click", () => engine && engine.run("sync-now"));

  const saveCopy = h("button", {
    type: "button", class: "big",
    onclick: async () => {
      const name = await saveOutboxFile();
      replace(leaveMessage, notice("saved", h("p", {},
        t("Saved {name} in the phone’s downloads. Send it to your coordinator, who can import it on the web.", { name }))));
    },
  }, t("Save a copy to a file"));
  const logOutButton = h("button", {
    type: "button", class: "big danger",
    onclick: async () => {
      logOutButton.disabled = true;
      const result = await logOut();
      logOutButton.disabled = false;
      if (!result.loggedOut) {
        const box = notice("problem", h("p", {}, result.message));
        box.tabIndex = -1;
        replace(leaveMessage, box);
        box.focus();
      }
    },
  }, t("Log out"));

  replace(view.root,
    h("div", { class: "screen-head" },
      backLink("#/", t("Back")),
      h("h1", { tabindex: "-1" }, t("Sync"))),
    h("section", { class: "section sync-now", "aria-label": t("Sync now") }, status, message, syncButton),
    await conflictsSection(),
    outbox,
    await storageSection(),
    h("section", { class: "section", "aria-labelledby": "leave-h" },
      h("h2", { id: "leave-h" }, t("Leaving this phone")),
      h("p", {}, t("Logging out deletes everything fvfield keeps on this phone. It waits until every record has reached the server.")),
      leaveMessage,
      h("div", { class: "actions stack-actions" }, saveCopy, logOutButton)));
  if (engine) onState({ detail: engine.state }, true);
}
