// The sync engine, owned by the page (docs/field-app.md, "Sync triggers").
// For each team: upload the photos that waiting records need, push the
// outbox oldest first in batches within the server's limits, then pull until
// `more` is false. An outbox item leaves only when the server answered
// applied, duplicate, merged or conflict. Triggers only *wake* the engine.
// Every request has a deadline and every answer is checked (api.js,
// answers.js), so a sync always ends, and says why in words (failure.js).
import {ApiError, getJSON, postJSON, putBytes} from './api.js';
import {ACKNOWLEDGED, answersPush, isPullPage, storedPhoto} from './answers.js';
import {
  BACKOFF_FIRST_MS, BACKOFF_MAX_MS, EVENT_OUTBOX_CHANGED, EVENT_SYNC_STATE, MESSAGE_SYNC,
  STORE_FORMS, STORE_META, STORE_OUTBOX, STORE_PHOTOS, STORE_RECORDS,
  STORE_SUBJECTS, SYNC_INTERVAL_MS, SYNC_TAG,
} from './constants.js';
import {deviceId, get, getMeta, promised, put, setMeta, tx} from './db.js';
import {dropOlder, dropUnusedPhotos, historyOf, keepsMore} from './keep.js';
import {MEMBERSHIP_ENDED, membershipEnded} from './ended.js';
import {PUSH_STATUSES} from '/field/registry.js';
import {appProblem, expectedFailure, failureMessage, sessionEnded} from './failure.js';
import {NEEDS_ATTENTION, WAITING, listOutbox, outboxCounts} from './outbox.js';
import {currentSession, limits, markLoginNeeded, refreshToken} from './session.js';
import {t, tn} from './i18n.js';

const STORE_OF = {forms: STORE_FORMS, subjects: STORE_SUBJECTS, records: STORE_RECORDS};
// A status the server may send that this phone has not learnt (a newer
// server than this phone's copy of /field/registry.js) keeps its change
// waiting: it is sent again at the next sync.
const KNOWN_STATUSES = new Set(PUSH_STATUSES);
const MAX_CONFLICT_NOTICES = 50;
// The body around the changes: {"device_id": "<uuid>", "changes": [...]}.
const BODY_OVERHEAD = 100;
const encoder = new TextEncoder();


/** Return what the person should know in a quiet state: unread conflicts, records to fix. */
export function notices({conflicts, needsAttention}) {
  const said = [];
  if (conflicts) {
    said.push(t('Someone else changed the same answers while you were away. '
      + 'Both versions were kept; your coordinator will choose which one stays.'));
  }
  if (needsAttention) {
    said.push(needsAttention === 1
      ? t('One record needs your attention: the server could not accept it as it is. Open Sync to see why and fix it.')
      : tn('{count} record needs your attention: the server could not accept it as it is. Open Sync to see why and fix it.',
        '{count} records need your attention: the server could not accept it as it is. Open Sync to see why and fix it.',
        needsAttention));
  }
  return said.join(' ');
}

/** The server no longer knows this session: stop, keep everything, ask for a login. */
class LoginNeeded extends Error {}

/** Return the key of the document an outbox item changes: "records/<id>". */
function documentKey(item) {
  return `${item.change.collection}/${item.change.id}`;
}

function teamPath(team, rest) {
  return `/api/v1/teams/${encodeURIComponent(team)}/${rest}`;
}

/**
 * Return the photo answers ({sha256, content_type, size}) of a change, with their field names;
 * the items of a repeat are looked into, their photos named "repeat.index.question".
 */
export function photoAnswers(change) {
  const found = [];
  const look = (data, prefix) => {
    for (const [field, value] of Object.entries(data || {})) {
      const answers = Array.isArray(value) ? value : [value];
      answers.forEach((answer, index) => {
        if (!answer || typeof answer !== 'object') return;
        if (/^[0-9a-f]{64}$/.test(answer.sha256 || '')) {
          found.push({field: `${prefix}${field}`, sha256: answer.sha256});
        } else if (Array.isArray(value) && !prefix) {
          look(answer, `${field}.${index}.`);
        }
      });
    }
  };
  look(change.data, '');
  return found;
}

/**
 * Return the next batch: the oldest waiting changes, at most `maxChanges`,
 * within `maxBytes`, and never two changes of one document (the second must
 * be sent on the rev the first one produces).
 */
export function takeBatch(items, maxChanges, maxBytes) {
  const batch = [];
  const documents = new Set();
  let bytes = BODY_OVERHEAD;
  for (const item of items) {
    const key = documentKey(item);
    const size = encoder.encode(JSON.stringify(item.change)).length + 1;
    if (batch.length >= maxChanges || documents.has(key) || (batch.length && bytes + size > maxBytes)) {
      break;
    }
    batch.push(item);
    documents.add(key);
    bytes += size;
  }
  return {batch, tooLarge: batch.length === 1 && bytes > maxBytes};
}

export class SyncEngine {
  constructor({intervalMs = SYNC_INTERVAL_MS} = {}) {
    this.intervalMs = intervalMs;
    this.running = null;
    this.again = false;
    this.failures = 0;
    this.retryTimer = null;
    this.intervalTimer = null;
    this.soonTimer = null;
    this.started = false;
    // Teams the person was removed from, and what the phone said of each (until the page reloads).
    this.ended = new Map();
    this.state = {
      state: 'idle', waiting: 0, needsAttention: 0, conflicts: 0, lastSync: null, message: '',
      online: navigator.onLine, nextRetry: null, reason: null,
    };
    this.listeners = {
      online: () => this.run('online'),
      offline: () => this.publish({state: 'offline'}),
      visibilitychange: () => {
        if (document.visibilityState === 'visible') {
          this.run('visible');
        }
      },
      outbox: () => this.outboxChanged(),
      message: (event) => {
        if (event.data && event.data.type === MESSAGE_SYNC) {
          this.run('background-sync');
        }
      },
    };
  }

  /** Listen to every trigger and sync once now. */
  start() {
    if (!this.started) {
      this.started = true;
      window.addEventListener('online', this.listeners.online);
      window.addEventListener('offline', this.listeners.offline);
      document.addEventListener('visibilitychange', this.listeners.visibilitychange);
      window.addEventListener(EVENT_OUTBOX_CHANGED, this.listeners.outbox);
      if ('serviceWorker' in navigator) {
        navigator.serviceWorker.addEventListener('message', this.listeners.message);
      }
      this.intervalTimer = setInterval(() => {
        if (!this.retryTimer && document.visibilityState === 'visible') {
          this.run('interval');
        }
      }, this.intervalMs);
    }
    return this.run('start');
  }

  /** Stop listening and cancel timers (a sync in flight finishes). */
  stop() {
    this.started = false;
    window.removeEventListener('online', this.listeners.online);
    window.removeEventListener('offline', this.listeners.offline);
    document.removeEventListener('visibilitychange', this.listeners.visibilitychange);
    window.removeEventListener(EVENT_OUTBOX_CHANGED, this.listeners.outbox);
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.removeEventListener('message', this.listeners.message);
    }
    for (const timer of [this.retryTimer, this.soonTimer]) {
      clearTimeout(timer);
    }
    clearInterval(this.intervalTimer);
    this.retryTimer = this.soonTimer = this.intervalTimer = null;
  }

  /**
   * Sync now; a call during a sync makes it go round once more. Resolves when
   * done. `reason` (start, online, visible, interval, sync-now...) is in the state.
   */
  run(reason = 'manual') {
    this.reason = reason;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.syncOnce();
          } catch (error) {
            // syncOnce says why any request failed; this is the phone's own
            // storage failing while it did. "Syncing…" must not stay.
            console.error('fvfield sync', error);
            this.announce({...this.state, state: 'error', message: appProblem()});
          }
        } while (this.again && this.state.state === 'idle');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Tell listeners the state, with fresh counts (window event 'fv:sync-state').
   * Without a message of its own, the state says what the person should know:
   * conflicts not yet read, records that need attention.
   */
  async publish(patch = {}) {
    const counts = await outboxCounts();
    const conflicts = (await getMeta('conflicts', [])).length;
    const state = {
      ...this.state, message: '', ...patch, ...counts, conflicts,
      lastSync: await getMeta('last_sync', null),
      online: navigator.onLine,
    };
    if (!state.message) {
      state.message = notices(state) || [...this.ended.values()].join(' ');
    }
    return this.announce(state);
  }

  /** Tell listeners this state as it is (publish() reads fresh counts first). */
  announce(state) {
    this.state = state;
    window.dispatchEvent(new CustomEvent(EVENT_SYNC_STATE, {detail: state}));
    return state;
  }

  async outboxChanged() {
    await this.publish();
    requestBackgroundSync();
    // Send a fresh save soon when there is a connection, without waiting
    // for the browser's Background Sync (which not every browser has).
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      if (navigator.onLine && !this.retryTimer) {
        this.run('saved');
      }
    }, 1000);
  }

  async syncOnce() {
    const session = currentSession();
    if (!session || !session.user || session.blocked) {
      return;
    }
    if (!navigator.onLine) {
      await this.publish({state: 'offline'});
      return;
    }
    await this.publish({state: 'syncing', reason: this.reason});
    try {
      const slugs = new Set(session.teams.map((team) => team.slug));
      for (const item of await listOutbox({state: WAITING})) {
        slugs.add(item.team);
      }
      for (const team of slugs) {
        await this.uploadPhotos(team);
        await this.pushTeam(team);
      }
      for (const team of session.teams) {
        if (!this.ended.has(team.slug)) await this.pullTeam(team.slug);
      }
      await setMeta('last_sync', new Date().toISOString());
      this.succeeded();
      await this.publish({state: 'idle', nextRetry: null});
    } catch (error) {
      await this.failed(error);
    }
  }

  succeeded() {
    this.failures = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  async failed(error) {
    if (error instanceof LoginNeeded) {
      markLoginNeeded();
      await this.publish({state: 'login-needed', nextRetry: null, message: sessionEnded()});
      return;
    }
    this.failures += 1;
    const delay = Math.min(BACKOFF_FIRST_MS * 2 ** (this.failures - 1), BACKOFF_MAX_MS);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.run('retry');
    }, delay);
    if (!expectedFailure(error)) {
      console.error('fvfield sync', error);
    }
    await this.publish({
      state: navigator.onLine ? 'error' : 'offline',
      nextRetry: new Date(Date.now() + delay).toISOString(),
      message: failureMessage(error, await outboxCounts()),
    });
  }

  /** Call the API; on csrf_failed fetch a fresh token and try once more; 401 stops the sync. */
  async call(send) {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'csrf_failed') {
        try {
          await refreshToken();
        } catch (refreshError) {
          throw loginOr(refreshError);
        }
        try {
          return await send();
        } catch (retryError) {
          throw loginOr(retryError);
        }
      }
      throw loginOr(error);
    }
  }

  /** Upload the photos that this team's waiting changes refer to and the server lacks. */
  async uploadPhotos(team) {
    const items = await listOutbox({team, state: WAITING});
    const users = new Map();
    for (const item of items) {
      for (const {field, sha256} of photoAnswers(item.change)) {
        users.set(sha256, [...(users.get(sha256) || []), {item, field}]);
      }
    }
    for (const [sha256, usedBy] of users) {
      const photo = await get(STORE_PHOTOS, sha256);
      if (!photo || (photo.uploaded_to || []).includes(team)) {
        continue;
      }
      try {
        await this.call(() => putBytes(teamPath(team, `attachments/${sha256}`), photo.blob, photo.content_type,
          {check: storedPhoto(sha256)}));
      } catch (error) {
        if (error instanceof ApiError && [400, 413, 415].includes(error.status)) {
          await markForAttention(usedBy.map(({item, field}) => [item, {[field]: [error.message]}]));
          continue;
        }
        throw error;
      }
      // Attachments belong to a team: the same photo in two teams goes twice.
      await put(STORE_PHOTOS, {...photo, uploaded: true, uploaded_to: [...(photo.uploaded_to || []), team]});
    }
  }

  /** Push the team's waiting changes, oldest first. */
  async pushTeam(team) {
    const device = await deviceId();
    let maxChanges = limits().max_changes;
    // Documents whose change met a status this phone does not know: they,
    // and their later changes, wait for the next sync.
    const later = new Set();
    for (;;) {
      const items = (await listOutbox({team, state: WAITING})).filter((item) => !later.has(documentKey(item)));
      if (!items.length) {
        return;
      }
      const {batch, tooLarge} = takeBatch(items, maxChanges, limits().max_body_bytes);
      if (tooLarge) {
        await markForAttention([[batch[0], {_: [t('This record is larger than the server accepts. Remove a long answer or a photo.')]}]]);
        continue;
      }
      let answer;
      try {
        answer = await this.call(() => postJSON(teamPath(team, 'push'), {
          device_id: device, changes: batch.map((item) => item.change),
        }, {check: answersPush(batch)}));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500 || error.status === 429) {
          throw error;
        }
        if (error.code === MEMBERSHIP_ENDED) {
          this.ended.set(team, await membershipEnded(team));
          return;
        }
        if ([400, 413].includes(error.status) && batch.length > 1) {
          // Find the change the server cannot take by halving the batch.
          maxChanges = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        await markForAttention(batch.map((item) => [item, {_: [error.message]}]));
        continue;
      }
      for (const item of await applyResults(team, batch, answer.results)) {
        later.add(documentKey(item));
      }
      maxChanges = limits().max_changes;
    }
  }

  /**
   * Pull what changed on the server since the team's cursor, until `more` is
   * false: only the team's window (keep.js), then drop what left it. A window
   * that keeps more than the cursor was made with pulls from the start.
   */
  async pullTeam(team) {
    const history = historyOf((currentSession().teams || []).find((known) => known.slug === team));
    let cursor = await getMeta(`cursor:${team}`, null);
    if (keepsMore(history, await getMeta(`history:${team}`, null))) {
      cursor = null;
    }
    await setMeta(`history:${team}`, history);
    const fresh = !cursor && !(await holdsAnything(team));
    for (;;) {
      const query = `?window=recent${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`;
      let page;
      try {
        page = await this.call(() => getJSON(teamPath(team, `pull${query}`), {check: isPullPage}));
      } catch (error) {
        if (error instanceof ApiError && error.code === 'cursor_expired' && cursor) {
          cursor = null;
          continue;
        }
        if (error instanceof ApiError && error.code === MEMBERSHIP_ENDED) {
          this.ended.set(team, await membershipEnded(team));
          return;
        }
        if (error instanceof ApiError && [403, 404].includes(error.status)) {
          return;
        }
        throw error;
      }
      await applyPulled(team, page.changes, page.cursor, {fresh});
      cursor = page.cursor;
      if (!page.more) {
        // Photos follow the records that left (a scan of what the phone holds, so only then).
        if (await dropOlder(team, history)) {
          await dropUnusedPhotos();
        }
        return;
      }
    }
  }
}

function loginOr(error) {
  return error instanceof ApiError && error.status === 401 ? new LoginNeeded(error.message) : error;
}

/** Ask the browser to wake the service worker when a connection returns (if it can). */
export async function requestBackgroundSync() {
  if (!('serviceWorker' in navigator)) {
    return;
  }
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (registration && 'sync' in registration) {
      await registration.sync.register(SYNC_TAG);
    }
  } catch (ignored) {
    // Refused or unsupported: the page's own triggers still sync.
  }
}

/** Move items to "needs attention" with the errors, keyed like the server's. */
async function markForAttention(pairs) {
  await tx([STORE_OUTBOX, STORE_RECORDS, STORE_SUBJECTS], 'readwrite', async (stores) => {
    for (const [item, errors] of pairs) {
      const current = await promised(stores[STORE_OUTBOX].get(item.seq));
      if (current) {
        await promised(stores[STORE_OUTBOX].put({...current, state: NEEDS_ATTENTION, errors}));
      }
    }
  });
}

/** Later changes of a document were made on top of this one: send them on its new rev. */
async function rebase(outbox, team, change, rev, afterSeq) {
  const later = await promised(
    outbox.index('by_document').getAll([team, change.collection, change.id]),
  );
  for (const item of later) {
    if (item.seq > afterSeq) {
      await promised(outbox.put({...item, change: {...item.change, base_rev: rev}}));
    }
  }
  return later.length;
}

/** Return what the phone does with a push status: acknowledged, conflict, rejected or later. */
function handlingOf(status) {
  if (!KNOWN_STATUSES.has(status)) {
    return 'later';
  }
  if (ACKNOWLEDGED.has(status)) {
    return 'acknowledged';
  }
  return ['conflict', 'rejected'].includes(status) ? status : 'later';
}

/** Return {saved_at} of a local document: when it was saved here orders the screens' lists. */
function savedAt(doc) {
  return doc && doc.saved_at ? {saved_at: doc.saved_at} : {};
}

/**
 * Apply one push answer (checked by answersPush) in one transaction; return
 * the items kept for the next sync because their status is not one this
 * phone knows.
 */
async function applyResults(team, batch, results) {
  return tx([STORE_OUTBOX, STORE_RECORDS, STORE_SUBJECTS, STORE_META], 'readwrite', async (stores) => {
    const outbox = stores[STORE_OUTBOX];
    const conflicted = [];
    const later = [];
    for (const [index, item] of batch.entries()) {
      const result = results[index];
      const store = stores[STORE_OF[item.change.collection]];
      const key = [team, item.change.id];
      if (handlingOf(result.status) === 'later') {
        console.warn(`fvfield sync: the server answered "${result.status}"; the change waits for the next sync.`);
        later.push(item);
        continue;
      }
      const now = await promised(outbox.get(item.seq));
      if (now && now.change_id !== item.change_id) {
        // Corrected on this phone while the push was in flight (outbox.js,
        // in place): the correction was not sent, so it stays. What was sent
        // now stands at result.rev, the correction's base; after a conflict or
        // a refusal it keeps its base and meets the same rules when it goes.
        if (handlingOf(result.status) === 'acknowledged') {
          await promised(outbox.put({...now, change: {...now.change, base_rev: result.rev}}));
          await rebase(outbox, team, item.change, result.rev, item.seq);
        }
        if (result.status === 'conflict') {
          conflicted.push({team, collection: item.change.collection, id: item.change.id, at: new Date().toISOString()});
        }
        continue;
      }
      if (result.status === 'rejected') {
        await promised(outbox.put({
          ...item, state: NEEDS_ATTENTION, errors: result.errors || {_: [t('The server refused this.')]},
          rejected_at: new Date().toISOString(),
        }));
        continue;
      }
      await promised(outbox.delete(item.seq));
      const doc = await promised(store.get(key));
      if (result.status === 'conflict') {
        const left = await promised(outbox.index('by_document').count([team, item.change.collection, item.change.id]));
        if (!left && (result.current || doc)) {
          // Nothing of it waits any more: the phone shows the server's version
          // and pull may bring the next one.
          await promised(store.put({...(result.current || doc), team, pending: false, ...savedAt(doc)}));
        }
        conflicted.push({team, collection: item.change.collection, id: item.change.id, at: new Date().toISOString()});
        continue;
      }
      const left = await rebase(outbox, team, item.change, result.rev, item.seq);
      if (doc) {
        await promised(store.put({...doc, rev: Math.max(doc.rev || 0, result.rev), pending: left > 0}));
      }
    }
    if (conflicted.length) {
      const row = await promised(stores[STORE_META].get('conflicts'));
      const kept = [...conflicted, ...((row && row.value) || [])].slice(0, MAX_CONFLICT_NOTICES);
      await promised(stores[STORE_META].put({key: 'conflicts', value: kept}));
    }
    return later;
  });
}

/** Return whether this phone holds any record, subject or outbox item of the team. */
async function holdsAnything(team) {
  const range = IDBKeyRange.bound([team], [team, []]);
  return tx([STORE_SUBJECTS, STORE_RECORDS, STORE_OUTBOX], 'readonly', async (stores) => {
    const counts = await Promise.all([
      promised(stores[STORE_SUBJECTS].count(range)), promised(stores[STORE_RECORDS].count(range)),
      promised(stores[STORE_OUTBOX].index('by_team').count(team))]);
    return counts.some(Boolean);
  });
}

/** Test hook: how many pulled pages were stored, and the reads they made (when fresh: the outbox and forms). */
export const pullCounts = {pages: 0, reads: 0};

/**
 * Store one page of pulled documents and the cursor, in one transaction.
 * Requests go in a batch, not one after the other: a phone that held nothing
 * of the team (`fresh`, a first login) reads nothing but the outbox, and
 * writes every document at once; otherwise it reads the page's documents at
 * once first (a local edit waiting wins; a save time and form versions stay).
 */
async function applyPulled(team, changes, cursor, {fresh = false} = {}) {
  await tx([STORE_FORMS, STORE_SUBJECTS, STORE_RECORDS, STORE_META, STORE_OUTBOX], 'readwrite', async (stores) => {
    const unsent = new Set((await promised(stores[STORE_OUTBOX].index('by_team').getAll(team)))
      .map((item) => `${item.change.collection}/${item.change.id}`));
    const known = changes.filter((change) => STORE_OF[change.collection]);
    // Forms are few and keep their versions: they are always read.
    const reading = known.filter((change) => !fresh || change.collection === 'forms');
    const read = await Promise.all(
      reading.map((change) => promised(stores[STORE_OF[change.collection]].get([team, change.id]))));
    const before = new Map(reading.map((change, index) => [change, read[index]]));
    pullCounts.pages += 1;
    pullCounts.reads += 1 + reading.length;
    for (const change of known) {
      const name = STORE_OF[change.collection];
      const store = stores[name];
      const existing = before.get(change);
      if ((existing && existing.pending) || unsent.has(`${change.collection}/${change.id}`)) {
        // A local edit still waits: the server decides when it arrives.
        continue;
      }
      const doc = {...change, team, pending: false, ...savedAt(existing)};
      if (name === STORE_FORMS) {
        doc.versions = {...((existing && existing.versions) || {})};
        if (change.data && change.data.version !== undefined) {
          doc.versions[change.data.version] = change.data;
        }
      }
      store.put(doc);
    }
    await promised(stores[STORE_META].put({key: `cursor:${team}`, value: cursor}));
  });
}

/** Return the conflicts this phone was told about, newest first. */
export function listConflicts() {
  return getMeta('conflicts', []);
}

/** Forget the conflict notices (the person has read them). */
export async function dismissConflicts() {
  await setMeta('conflicts', []);
  return syncEngine.publish();
}

/** The engine the app runs (app.js starts it; screens call syncEngine.run()). */
export const syncEngine = new SyncEngine();
