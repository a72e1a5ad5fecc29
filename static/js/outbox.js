// The outbox: every change saved on this phone, waiting for the server.
// A save writes the local document (for the screens) and its outbox item in
// ONE IndexedDB transaction, and resolves only once that transaction has
// committed: when the app says "Saved on this phone", it is.
import {t} from './i18n.js';
import {
  EVENT_OUTBOX_CHANGED, STORE_OUTBOX, STORE_RECORDS, STORE_SUBJECTS,
} from './constants.js';
import {all, count, get, promised, tx} from './db.js';

export const WAITING = 'waiting';
export const NEEDS_ATTENTION = 'needs_attention';
// Changes of a team the person was removed from: saved to a copy file, never pushed (ended.js).
export const SAVED_TO_FILE = 'saved_to_file';

const STORE_OF = {records: STORE_RECORDS, subjects: STORE_SUBJECTS};

function changed(detail) {
  window.dispatchEvent(new CustomEvent(EVENT_OUTBOX_CHANGED, {detail}));
}

/** Return the local time now as ISO 8601 with its offset (as recorded_at wants). */
export function localTimestamp(date = new Date()) {
  const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/**
 * Write the document and its change in one transaction. `fields` are the
 * document's own fields (data, form, label...), the same in both; `reason`
 * (why a record was corrected or deleted) goes with the change only.
 *
 * With `inPlace`, a change of this document still waiting (never answered
 * by the server) is updated where it is rather than followed by another:
 * one change reaches the server. It gets a new change_id, so that an answer
 * the phone missed for the old one can never swallow the edit ("duplicate");
 * sync.js sees that the item changed under a push in flight and keeps it.
 */
async function saveChange(team, collection, id, baseRev, deleted, fields, {reason = null, inPlace = false} = {}) {
  const store = STORE_OF[collection];
  const changeId = crypto.randomUUID();
  const savedAt = new Date().toISOString();
  const result = await tx([store, STORE_OUTBOX], 'readwrite', async (stores) => {
    const existing = await promised(stores[store].get([team, id]));
    const waiting = await promised(
      stores[STORE_OUTBOX].index('by_document').getAll([team, collection, id]),
    );
    const doc = {
      ...(existing || {rev: 0, has_conflict: false}),
      ...fields, team, id, deleted, pending: true, change_id: changeId, saved_at: savedAt,
    };
    const newest = waiting.sort((a, b) => a.seq - b.seq).at(-1);
    if (inPlace && newest && newest.state === WAITING && !newest.change.deleted) {
      const change = {...newest.change, ...fields, change_id: changeId, deleted};
      if (reason) {
        change.reason = reason;
      }
      await promised(stores[store].put(doc));
      await promised(stores[STORE_OUTBOX].put({
        ...newest, change_id: changeId, change, saved_at: savedAt, edited_at: savedAt,
      }));
      return {id, changeId, seq: newest.seq, inPlace: true};
    }
    // A document with changes still waiting was last seen by the server at
    // its stored rev; the sync engine moves the later changes' base_rev on
    // as the earlier ones are acknowledged (see sync.js, "rebase").
    let base = baseRev ?? (existing ? existing.rev : 0);
    if (waiting.length && existing) {
      base = existing.rev;
    }
    const change = {
      change_id: changeId, collection, id, base_rev: base, deleted, ...fields,
    };
    if (reason) {
      change.reason = reason;
    }
    await promised(stores[store].put(doc));
    const seq = await promised(stores[STORE_OUTBOX].add({
      change_id: changeId, team, change, state: WAITING, errors: null, saved_at: savedAt,
    }));
    return {id, changeId, seq, inPlace: false};
  });
  changed({team, collection, id, seq: result.seq});
  return result;
}

/**
 * Save a record on this phone and queue it for the server. `baseRev` is the
 * rev of the record as the form opened it (0 or absent for a new record).
 */
export function saveRecord({
  team, form, formVersion, subjectId = null, id, baseRev, data, recordedAt, deleted = false,
}) {
  return saveChange(team, 'records', id || crypto.randomUUID(), baseRev, deleted, {
    form,
    form_version: formVersion,
    subject_id: subjectId,
    recorded_at: recordedAt || localTimestamp(),
    data,
  });
}

/**
 * Correct a record held on this phone: its answers become `data`, saying
 * `reason` (asked when the server already has the record). One not yet
 * sent is corrected in its outbox item, in place; one the server has gets
 * a new change on the rev the phone holds, its base_rev.
 */
export function correctRecord({team, record, data, reason = null}) {
  return saveChange(team, 'records', record.id, record.rev || 0, false, {
    form: record.form,
    form_version: record.form_version,
    subject_id: record.subject_id ?? null,
    recorded_at: record.recorded_at,
    data,
  }, {reason, inPlace: true});
}

/**
 * Delete a record held on this phone, saying why: a tombstone change after
 * whatever of it still waits, so the server gets the record and then its
 * deletion, and nothing saved is ever dropped unsent.
 */
export function deleteRecord({team, record, reason}) {
  return saveChange(team, 'records', record.id, record.rev || 0, true, {}, {reason});
}

/** Save a subject (a person, a market, a pitch) on this phone and queue it. */
export function saveSubject({team, id, kind, label, data = {}, baseRev, deleted = false}) {
  return saveChange(team, 'subjects', id || crypto.randomUUID(), baseRev, deleted, {
    kind, label, data,
  });
}

/** Return the outbox items, oldest first, optionally of one team and/or state. */
export async function listOutbox({team, state} = {}) {
  const items = team
    ? await all(STORE_OUTBOX, {index: 'by_team', query: team})
    : await all(STORE_OUTBOX);
  return items.filter((item) => !state || item.state === state).sort((a, b) => a.seq - b.seq);
}

/** Return the outbox item `seq`, or undefined. */
export function outboxItem(seq) {
  return get(STORE_OUTBOX, seq);
}

/** Return the items the server rejected, with its reasons in `errors`. */
export function needsAttention(team) {
  return listOutbox({team, state: NEEDS_ATTENTION});
}

/** Return {waiting, needsAttention}: how many changes are still on this phone only. */
export async function outboxCounts() {
  const waiting = await count(STORE_OUTBOX, {index: 'by_state', query: WAITING});
  const attention = await count(STORE_OUTBOX, {index: 'by_state', query: NEEDS_ATTENTION});
  return {waiting, needsAttention: attention};
}

/** Return how many changes have not reached the server (waiting or needing attention). */
export function unsentCount() {
  return count(STORE_OUTBOX);
}

/**
 * Fix a rejected change and send it again: `fix` holds the document fields
 * to replace (data, form_version, label...). It gets a new change_id and
 * waits again; the local document follows.
 */
export async function updateRejected(seq, fix) {
  const result = await tx([STORE_OUTBOX, STORE_RECORDS, STORE_SUBJECTS], 'readwrite', async (stores) => {
    const item = await promised(stores[STORE_OUTBOX].get(seq));
    if (!item || item.state !== NEEDS_ATTENTION) {
      throw new Error(t('That change is no longer waiting for a fix.'));
    }
    const fields = {...fix};
    for (const key of ['change_id', 'collection', 'id', 'base_rev']) {
      delete fields[key];
    }
    const changeId = crypto.randomUUID();
    const change = {...item.change, ...fields, change_id: changeId};
    await promised(stores[STORE_OUTBOX].put({
      ...item, change, change_id: changeId, state: WAITING, errors: null,
    }));
    const store = stores[STORE_OF[change.collection]];
    const doc = await promised(store.get([item.team, change.id]));
    if (doc && doc.change_id === item.change_id) {
      await promised(store.put({...doc, ...fields, pending: true, change_id: changeId}));
    }
    return {team: item.team, seq, changeId};
  });
  changed(result);
  return result;
}
