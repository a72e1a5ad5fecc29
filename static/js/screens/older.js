// A subject's older records: on the server, no longer on this phone (keep.js
// keeps the recent ones). Online, "Show older visits" asks the server for a
// page at a time, newest first; offline the section says where they are.
// What was loaded stays on the page across syncs, and on the phone while the
// page shows it (so a card opens), until the next sync after it is left.

import { getJSON } from "../api.js";
import { STORE_RECORDS } from "../constants.js";
import { promised, tx } from "../db.js";
import { showing } from "../keep.js";
import { h, replace } from "./common.js";
import { t } from "../i18n.js";

export const NAME = "older";
const PAGE = 20;

// What each subject's page loaded: "team/subject" -> {records, cursor, done}.
const loaded = new Map();

const isOlderPage = (answer) => Array.isArray(answer.records)
  && answer.records.every((record) => record && typeof record.id === "string" && record.collection === "records")
  && (answer.cursor === null || typeof answer.cursor === "string");

/** Keep loaded records on the phone (never over a copy it already has), so their cards open. */
function store(team, records) {
  return tx(STORE_RECORDS, "readwrite", async (stores) => {
    for (const record of records) {
      const existing = await promised(stores[STORE_RECORDS].get([team, record.id]));
      if (!existing) stores[STORE_RECORDS].put({ ...record, team, pending: false });
    }
  });
}

/** Return that the server has no more (or no older) visits or records. */
function doneWords(person, shown) {
  if (person) return shown ? t("No more visits on the server.") : t("No older visits on the server.");
  return shown ? t("No more records on the server.") : t("No older records on the server.");
}

/** Return that older visits or records are on the server, for a phone offline. */
function offlineWords(person) {
  return person ? t("Older visits are on the server: connect to see them.")
    : t("Older records are on the server: connect to see them.");
}

/**
 * Return the section under a subject's records: the older ones loaded so far
 * (cards drawn by `card`), and a button for more, or words saying they are
 * on the server when offline. `held` are the records this phone holds.
 */
export function olderRecords({ team, subject, held, card }) {
  const key = `${team.slug}/${subject.id}`;
  const state = loaded.get(key) || { records: [], cursor: null, done: false };
  loaded.set(key, state);
  const person = subject.kind === "person";
  const list = h("ul", { class: "visits older-visits" });
  const said = h("p", { class: "meta", role: "status" });
  const button = h("button", { type: "button", class: "button" },
    person ? t("Show older visits") : t("Show older records"));

  // A sync may draw the section again while a page loads: the answer goes to the one on screen.
  const draw = state.draw = () => {
    const heldIds = new Set(held.map((record) => record.id));
    const records = state.records.filter((record) => !heldIds.has(record.id));
    showing(NAME, team.slug, records.map((record) => record.id));
    replace(list, ...records.map(card));
    list.hidden = !records.length;
    button.hidden = state.done || !navigator.onLine;
    if (state.done) replace(said, doneWords(person, records.length));
    else if (!navigator.onLine) replace(said, offlineWords(person));
    else replace(said);
  };

  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(said, person ? t("Loading older visits…") : t("Loading older records…"));
    try {
      const query = `?limit=${PAGE}${state.cursor ? `&cursor=${encodeURIComponent(state.cursor)}` : ""}`;
      const path = `/api/v1/teams/${encodeURIComponent(team.slug)}/subjects/${encodeURIComponent(subject.id)}/records`;
      const answer = await getJSON(path + query, { check: isOlderPage });
      const live = answer.records.filter((record) => !record.deleted);
      await store(team.slug, live);
      state.records.push(...live.filter((record) => !state.records.some((known) => known.id === record.id)));
      state.cursor = answer.cursor;
      state.done = !answer.cursor;
      state.draw();
    } catch (error) {
      state.draw();
      replace(said, navigator.onLine
        ? (person ? t("The server could not send older visits just now. Try again in a moment.")
          : t("The server could not send older records just now. Try again in a moment."))
        : offlineWords(person));
    } finally {
      button.disabled = false;
    }
  });
  draw();
  return h("div", { class: "older" }, list, said, button);
}
