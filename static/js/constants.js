// Names shared by the page and the service worker. fvfield/pwa.py reads every
// `export const NAME = value;` line below (one line each, a JSON value) and
// injects them into /sw.js, so the two sides can never disagree.

export const DB_NAME = "fvfield";
export const DB_VERSION = 2;

export const STORE_META = "meta";
export const STORE_TEAMS = "teams";
export const STORE_FORMS = "forms";
export const STORE_SUBJECTS = "subjects";
export const STORE_RECORDS = "records";
export const STORE_OUTBOX = "outbox";
export const STORE_DRAFTS = "drafts";
export const STORE_PHOTOS = "photos";

export const APP_SCOPE = "/app/";
export const CACHE_PREFIX = "fvfield";
export const PHOTO_CACHE = "fvfield-photos";
export const PHOTO_CACHE_MAX_ENTRIES = 300;
export const PHOTO_CACHE_MAX_AGE_SECONDS = 2592000;

export const SYNC_TAG = "fvfield-sync";
export const MESSAGE_SYNC = "fv:sync";
export const MESSAGE_SKIP_WAITING = "SKIP_WAITING";

export const SYNC_INTERVAL_MS = 180000;
export const BACKOFF_FIRST_MS = 5000;
export const BACKOFF_MAX_MS = 300000;

// How long a request may take before the phone gives up and tries again
// later (docs/field-app.md, "Bad networks"): the base covers a slow link's
// round trips and the server's work; a body adds the time it needs at the
// slowest upload rate we plan for (EDGE, 64 kbit/s), so a photo gets longer.
// At start-up a phone that holds a session waits less before using it.
export const REQUEST_TIMEOUT_MS = 30000;
export const UPLOAD_BYTES_PER_SECOND = 8000;
export const SESSION_START_TIMEOUT_MS = 8000;

export const EVENT_SYNC_STATE = "fv:sync-state";
export const EVENT_OUTBOX_CHANGED = "fv:outbox-changed";
export const EVENT_SAVE_DRAFTS = "fv:save-drafts";
export const EVENT_SESSION = "fv:session";

export const EXPORT_FORMAT = "fvfield-outbox";
export const EXPORT_VERSION = 1;
