// Drafts: a half-filled form is written to the `drafts` store a moment after
// every change, so a reload, a phone call or a killed browser loses nothing.
// The draft is restored when the same form opens again and deleted on save.

import { EVENT_SAVE_DRAFTS, STORE_DRAFTS } from "../constants.js";
import { all, del, get, put } from "../db.js";

export const DRAFT_DELAY_MS = 300;

/** Return the key of the draft of a form: per team, form, subject and record. */
export function draftKey({ team, form, subjectId = null, recordId = null }) {
  return ["draft", team, form, subjectId || "-", recordId || "new"].join("|");
}

/** Return the draft stored under `key`, or undefined. */
export function loadDraft(key) {
  return get(STORE_DRAFTS, key);
}

/** Delete the draft stored under `key`. */
export function deleteDraft(key) {
  return del(STORE_DRAFTS, key);
}

/** Return every draft of a team, newest first. */
export async function teamDrafts(team) {
  const drafts = await all(STORE_DRAFTS);
  return drafts.filter((draft) => draft.team === team)
    .sort((a, b) => (a.saved_at < b.saved_at ? 1 : -1));
}

/**
 * Return a keeper for one open form: change(answers) schedules a save after
 * DRAFT_DELAY_MS, flush() saves now, discard() deletes the draft, stop() ends it.
 * `details` ({team, form, form_version, subject_id, record_id}) is stored with
 * the answers. Pending saves are flushed when the page hides or the update
 * prompt asks for drafts to be saved (EVENT_SAVE_DRAFTS).
 */
export function draftKeeper(key, details) {
  let pending = null;
  let timer = null;
  let stopped = false;
  let writing = Promise.resolve();

  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (!pending || stopped) return writing;
    const answers = pending;
    pending = null;
    writing = writing.then(() => put(STORE_DRAFTS, {
      key, ...details, answers, saved_at: new Date().toISOString(),
    })).catch((error) => console.error("The draft could not be kept", error));
    return writing;
  };
  const onHide = () => { if (document.visibilityState === "hidden") flush(); };
  const onSaveDrafts = (event) => {
    const done = flush();
    if (event.detail && typeof event.detail.waitUntil === "function") event.detail.waitUntil(done);
  };
  document.addEventListener("visibilitychange", onHide);
  window.addEventListener("pagehide", flush);
  window.addEventListener(EVENT_SAVE_DRAFTS, onSaveDrafts);

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onHide);
    window.removeEventListener("pagehide", flush);
    window.removeEventListener(EVENT_SAVE_DRAFTS, onSaveDrafts);
  };
  return {
    change(answers) {
      if (stopped) return;
      pending = answers;
      clearTimeout(timer);
      timer = setTimeout(flush, DRAFT_DELAY_MS);
    },
    flush,
    async discard() {
      pending = null;
      stop();
      await writing;
      await deleteDraft(key);
    },
    async stop() {
      await flush();
      stop();
    },
  };
}
