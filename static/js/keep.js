// What this phone keeps (docs/field-app.md, "What the phone keeps"): the
// team's subjects and forms, everything not yet acknowledged by the server,
// and for each subject the history a visit needs: its last `visits` records
// and every record of the last `days` days (the coordinator sets both; the
// session gives them). Older records leave the phone after a sync, never the
// server, and load again on demand when online (screens/subject.js).
//
// The dangers, learnt from other offline apps' purging: dropping what a
// person still needs (so only records, never subjects or forms, and never
// within the window), and dropping what the server does not have yet (so
// never a record with anything in the outbox, waiting or needing attention,
// nor one whose local copy is pending). A record a screen is showing stays
// too, so nothing vanishes under someone's eyes. Photos follow their records:
// the photo store keeps a photo while anything on the phone refers to it.
import {STORE_DRAFTS, STORE_OUTBOX, STORE_PHOTOS, STORE_RECORDS} from './constants.js';
import {promised, tx} from './db.js';

/** What a phone keeps when the server does not say (an older server): as the server's default. */
export const DEFAULT_HISTORY = {visits: 10, days: 30};

// Records the screens are showing, by screen: "team/id" keys.
const onScreen = new Map();

/** Say which records a screen (by name) shows now: they stay on the phone while it does. */
export function showing(screen, team, ids) {
  onScreen.set(screen, new Set(ids.map((id) => `${team}/${id}`)));
}

function isShown(team, id) {
  return [...onScreen.values()].some((ids) => ids.has(`${team}/${id}`));
}

/** Return the team's history setting as the phone keeps it ({visits, days}), the default if absent. */
export function historyOf(team) {
  const history = team && team.phone_history;
  return history && Number.isInteger(history.visits) && Number.isInteger(history.days) ? history : DEFAULT_HISTORY;
}

/** Return whether `now` keeps more than `before` (a full pull then brings what re-entered the window). */
export function keepsMore(now, before) {
  return Boolean(before) && (now.visits > before.visits || now.days > before.days);
}

/** Return the first day ("YYYY-MM-DD", the phone's own calendar) whose records a window of `days` keeps. */
export function firstDayKept(days, now = new Date()) {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

const newestFirst = (a, b) => (Date.parse(b.recorded_at) || 0) - (Date.parse(a.recorded_at) || 0);

/**
 * Drop the team's records older than its window from this phone, in one
 * transaction; return how many left. A record stays if it is among the last
 * `visits` live records of its subject, is in the outbox (any state), is
 * pending, or a screen shows it.
 */
export function dropOlder(team, history = DEFAULT_HISTORY, now = new Date()) {
  const first = firstDayKept(history.days, now);
  return tx([STORE_RECORDS, STORE_OUTBOX], 'readwrite', async (stores) => {
    const records = stores[STORE_RECORDS];
    // Only the records recorded before the window's first day are candidates (an index range).
    const older = await promised(records.index('by_recorded').getAll(
      IDBKeyRange.bound([team, ''], [team, first], false, true)));
    if (!older.length) {
      return 0;
    }
    const unsent = new Set((await promised(stores[STORE_OUTBOX].index('by_team').getAll(team)))
      .map((item) => item.change.id));
    const lastOf = new Map();
    for (const subjectId of new Set(older.map((record) => record.subject_id).filter(Boolean))) {
      const about = await promised(records.index('by_subject').getAll([team, subjectId]));
      lastOf.set(subjectId, new Set(about.filter((record) => !record.deleted).sort(newestFirst)
        .slice(0, history.visits).map((record) => record.id)));
    }
    let dropped = 0;
    for (const record of older) {
      const last = record.subject_id && lastOf.get(record.subject_id);
      if (unsent.has(record.id) || record.pending || isShown(team, record.id) || (last && last.has(record.id))) {
        continue;
      }
      records.delete([team, record.id]);
      dropped += 1;
    }
    return dropped;
  });
}

/** How long a photo nothing refers to stays (a draft discarded, a photo retaken): a day, in ms. */
export const UNUSED_PHOTO_MS = 24 * 60 * 60 * 1000;

/** Add to `found` every photo sha256 in answers, at any depth (a repeat's items hold photos too). */
export function photosIn(value, found = new Set()) {
  if (Array.isArray(value)) {
    value.forEach((item) => photosIn(item, found));
  } else if (value && typeof value === 'object') {
    if (/^[0-9a-f]{64}$/.test(value.sha256 || '')) {
      found.add(value.sha256);
    }
    Object.values(value).forEach((item) => photosIn(item, found));
  }
  return found;
}

/**
 * Drop from the photo store the photos nothing on the phone refers to any
 * more (no record it holds, no outbox item, no draft), in one transaction;
 * return how many left. Such a photo is on the server when it was uploaded
 * (the record screen then shows the server's copy); one never uploaded (its
 * draft discarded) goes a day after it was taken, so a form being filled
 * never loses the photo it has just taken.
 */
export function dropUnusedPhotos(now = Date.now()) {
  return tx([STORE_PHOTOS, STORE_RECORDS, STORE_OUTBOX, STORE_DRAFTS], 'readwrite', async (stores) => {
    const photos = await promised(stores[STORE_PHOTOS].getAll());
    const candidates = photos.filter((photo) => (photo.uploaded_to || []).length
      || now - (Date.parse(photo.saved_at) || 0) > UNUSED_PHOTO_MS);
    if (!candidates.length) {
      return 0;
    }
    const used = new Set();
    for (const item of await promised(stores[STORE_OUTBOX].getAll())) {
      photosIn(item.change && item.change.data, used);
    }
    for (const draft of await promised(stores[STORE_DRAFTS].getAll())) {
      photosIn(draft.answers, used);
    }
    for (const record of await promised(stores[STORE_RECORDS].getAll())) {
      photosIn(record.data, used);
    }
    let dropped = 0;
    for (const photo of candidates) {
      if (!used.has(photo.sha256)) {
        stores[STORE_PHOTOS].delete(photo.sha256);
        dropped += 1;
      }
    }
    return dropped;
  });
}
