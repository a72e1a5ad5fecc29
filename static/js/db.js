// IndexedDB: the phone's copy of everything (docs/field-app.md, "IndexedDB").
// A versioned schema: MIGRATIONS[n] takes a database from version n to n + 1,
// so a phone that skipped releases runs every step it missed, in order.
import {t} from './i18n.js';
import {
  DB_NAME, DB_VERSION, STORE_DRAFTS, STORE_FORMS, STORE_META, STORE_OUTBOX, STORE_PHOTOS,
  STORE_RECORDS, STORE_SUBJECTS, STORE_TEAMS,
} from './constants.js';

const MIGRATIONS = [
  function createStores(db) {
    db.createObjectStore(STORE_META, {keyPath: 'key'});
    db.createObjectStore(STORE_TEAMS, {keyPath: 'slug'});
    db.createObjectStore(STORE_FORMS, {keyPath: ['team', 'id']});
    const subjects = db.createObjectStore(STORE_SUBJECTS, {keyPath: ['team', 'id']});
    subjects.createIndex('by_kind', ['team', 'kind']);
    const records = db.createObjectStore(STORE_RECORDS, {keyPath: ['team', 'id']});
    records.createIndex('by_subject', ['team', 'subject_id']);
    const outbox = db.createObjectStore(STORE_OUTBOX, {keyPath: 'seq', autoIncrement: true});
    outbox.createIndex('by_team', 'team');
    outbox.createIndex('by_state', 'state');
    outbox.createIndex('by_document', ['team', 'change.collection', 'change.id']);
    db.createObjectStore(STORE_DRAFTS, {keyPath: 'key'});
    db.createObjectStore(STORE_PHOTOS, {keyPath: 'sha256'});
  },
  // Records by team and when they were recorded: a market page reads today's
  // (screens/local.js), and keep.js finds the ones older than the window,
  // without reading every record of the team. Existing records stay.
  function indexRecordsByTime(db, transaction) {
    transaction.objectStore(STORE_RECORDS).createIndex('by_recorded', ['team', 'recorded_at']);
  },
];

if (MIGRATIONS.length !== DB_VERSION) {
  throw new Error(`db.js has ${MIGRATIONS.length} migrations for DB_VERSION ${DB_VERSION}`);
}

/** The stores that hold a user's data: all but meta (which keeps the device id). */
export const USER_STORES = [
  STORE_TEAMS, STORE_FORMS, STORE_SUBJECTS, STORE_RECORDS, STORE_OUTBOX, STORE_DRAFTS,
  STORE_PHOTOS,
];

let opening = null;

/** Turn an IDBRequest into a promise of its result. */
export function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Open the database (once per page), creating or upgrading its stores. */
export function openDatabase() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        for (let version = event.oldVersion; version < DB_VERSION; version += 1) {
          MIGRATIONS[version](request.result, request.transaction);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading or a logout wiping the database: let it.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error(t('The database is held by an older tab of fvfield: close it.')));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

/** Resolve true when IndexedDB can be opened here (not in some private modes). */
export async function databaseAvailable() {
  if (!('indexedDB' in self) || !self.indexedDB) {
    return false;
  }
  try {
    await openDatabase();
    return true;
  } catch (error) {
    return false;
  }
}

/**
 * Run work(stores) in one transaction over `names`; resolve with its result
 * only once the transaction has committed (so "saved" means on disk).
 */
export async function tx(names, mode, work) {
  const db = await openDatabase();
  const list = Array.isArray(names) ? names : [names];
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(list, mode, {durability: 'strict'});
    const stores = Object.fromEntries(list.map((name) => [name, transaction.objectStore(name)]));
    let result;
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error(t('The change to this phone was cancelled.')));
    Promise.resolve()
      .then(() => work(stores, transaction))
      .then((value) => { result = value; })
      .catch((error) => {
        try { transaction.abort(); } catch (ignored) { /* already finished */ }
        reject(error);
      });
  });
}

/** Return the value stored under `key`, or undefined. */
export function get(store, key) {
  return tx(store, 'readonly', (s) => promised(s[store].get(key)));
}

/** Store `value` (its key is inside it); resolve when committed. */
export function put(store, value) {
  return tx(store, 'readwrite', (s) => promised(s[store].put(value)));
}

/** Delete what is stored under `key`. */
export function del(store, key) {
  return tx(store, 'readwrite', (s) => promised(s[store].delete(key)));
}

/** Return every value of a store, or of an index of it matching `query`. */
export function all(store, {index, query} = {}) {
  return tx(store, 'readonly', (s) => {
    const source = index ? s[store].index(index) : s[store];
    return promised(source.getAll(query));
  });
}

/** Return how many values a store (or an index matching `query`) holds. */
export function count(store, {index, query} = {}) {
  return tx(store, 'readonly', (s) => {
    const source = index ? s[store].index(index) : s[store];
    return promised(source.count(query));
  });
}

/** Return the meta value under `key`, or `fallback`. */
export async function getMeta(key, fallback = undefined) {
  const row = await get(STORE_META, key);
  return row === undefined ? fallback : row.value;
}

/** Store a meta value under `key`. */
export function setMeta(key, value) {
  return put(STORE_META, {key, value});
}

/** Return this installed app's device id, made once. */
export async function deviceId() {
  return tx(STORE_META, 'readwrite', async (s) => {
    const row = await promised(s[STORE_META].get('device_id'));
    if (row) {
      return row.value;
    }
    const value = crypto.randomUUID();
    await promised(s[STORE_META].put({key: 'device_id', value}));
    return value;
  });
}

/** Delete the whole database (logout of a shared phone). */
export async function deleteDatabase() {
  if (opening) {
    const db = await opening.catch(() => null);
    if (db) {
      db.close();
    }
    opening = null;
  }
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    // Open tabs close their connection on versionchange (above), so a
    // "blocked" event only delays the deletion: wait for success.
    request.onerror = () => reject(request.error);
  });
}

/** Ask the browser not to evict this app's data under storage pressure. */
export async function requestPersistence() {
  if (!(navigator.storage && navigator.storage.persist)) {
    return false;
  }
  if (await navigator.storage.persisted()) {
    return true;
  }
  return navigator.storage.persist();
}

/** Return {usage, quota, persisted} in bytes, or null where the browser cannot say. */
export async function storageEstimate() {
  if (!(navigator.storage && navigator.storage.estimate)) {
    return null;
  }
  const {usage, quota} = await navigator.storage.estimate();
  const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  return {usage, quota, persisted};
}
