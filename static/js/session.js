// Who is using the app: the user, their teams, the sync limits and the CSRF
// token. From /api/v1/session when the server answers, else the copy kept in
// IndexedDB (a carer opens the app offline for days).
import {isSession} from './answers.js';
import {ApiError, getJSON, setCsrfToken} from './api.js';
import {
  EVENT_SESSION, PHOTO_CACHE, SESSION_START_TIMEOUT_MS, STORE_FORMS, STORE_META, STORE_OUTBOX, STORE_RECORDS,
  STORE_SUBJECTS, STORE_TEAMS,
} from './constants.js';
import {USER_STORES, all, count, getMeta, promised, tx} from './db.js';

export const SESSION_URL = '/api/v1/session';
export const LOGIN_URL = '/login?next=/app/';

const DEFAULT_LIMITS = {max_changes: 500, max_body_bytes: 5000000, max_attachment_bytes: 10000000};

let current = null;

/** Return the session the app runs with (null before loadSession). */
export function currentSession() {
  return current;
}

function announce(session) {
  current = session;
  window.dispatchEvent(new CustomEvent(EVENT_SESSION, {detail: session}));
  return session;
}

async function storedSession() {
  const user = await getMeta('user', null);
  return {
    user,
    teams: user ? await all(STORE_TEAMS) : [],
    limits: await getMeta('limits', DEFAULT_LIMITS),
    source: 'phone',
    loginNeeded: false,
    blocked: null,
  };
}

/** Delete everything the previous user left on this phone (the device id stays). */
export async function wipeUserData() {
  await tx([STORE_META, ...USER_STORES], 'readwrite', async (stores) => {
    for (const name of USER_STORES) {
      await promised(stores[name].clear());
    }
    const keys = await promised(stores[STORE_META].getAllKeys());
    for (const key of keys) {
      if (key !== 'device_id') {
        await promised(stores[STORE_META].delete(key));
      }
    }
  });
  if ('caches' in self) {
    await caches.delete(PHOTO_CACHE);
  }
}

/** Delete the data of teams the user left, unless something of theirs still waits. */
async function forgetTeams(slugs) {
  await tx([STORE_TEAMS, STORE_FORMS, STORE_SUBJECTS, STORE_RECORDS, STORE_OUTBOX, STORE_META],
    'readwrite', async (stores) => {
      for (const slug of slugs) {
        const waiting = await promised(stores[STORE_OUTBOX].index('by_team').count(slug));
        if (waiting) {
          continue;
        }
        const range = IDBKeyRange.bound([slug], [slug, []]);
        for (const name of [STORE_FORMS, STORE_SUBJECTS, STORE_RECORDS]) {
          await promised(stores[name].delete(range));
        }
        await promised(stores[STORE_TEAMS].delete(slug));
        await promised(stores[STORE_META].delete(`cursor:${slug}`));
      }
    });
}

/** Store the server's session: the user, their teams and the limits. */
async function keepSession(answer) {
  const known = await all(STORE_TEAMS);
  const slugs = new Set(answer.teams.map((team) => team.slug));
  await tx([STORE_META, STORE_TEAMS], 'readwrite', async (stores) => {
    await promised(stores[STORE_META].put({key: 'user', value: answer.user}));
    await promised(stores[STORE_META].put({key: 'limits', value: answer.limits}));
    for (const team of answer.teams) {
      await promised(stores[STORE_TEAMS].put(team));
    }
  });
  const gone = known.map((team) => team.slug).filter((slug) => !slugs.has(slug));
  if (gone.length) {
    await forgetTeams(gone);
  }
}

/** Fetch /api/v1/session and take its CSRF token; reject with ApiError or NetworkError. */
export async function fetchSession(options = {}) {
  const answer = await getJSON(SESSION_URL, {...options, check: isSession});
  setCsrfToken(answer.csrf_token);
  return answer;
}

/**
 * Load the session: the server's when it answers, else the phone's copy.
 * A different user logging in on a shared phone gets a clean phone, unless
 * the previous user's records still wait: then the session is `blocked`.
 */
export async function loadSession() {
  // A phone that holds a session opens with it rather than wait long on a
  // dead connection; the sync engine fetches a token when it needs one.
  const previous = await getMeta('user', null);
  let answer;
  try {
    answer = await fetchSession(previous ? {timeoutMs: SESSION_START_TIMEOUT_MS} : {});
  } catch (error) {
    const session = await storedSession();
    // Offline, a stopped server or an ended session: the phone's copy serves.
    session.loginNeeded = error instanceof ApiError && error.status === 401;
    return announce(session);
  }
  if (previous && previous.id !== answer.user.id) {
    const waiting = await count(STORE_OUTBOX);
    if (waiting) {
      return announce({
        user: null, teams: [], limits: answer.limits, source: 'server', loginNeeded: false,
        blocked: {previousUser: previous, waiting, user: answer.user},
      });
    }
    await wipeUserData();
  }
  await keepSession(answer);
  return announce({
    user: answer.user,
    teams: answer.teams,
    limits: answer.limits,
    source: 'server',
    loginNeeded: false,
    blocked: null,
  });
}

/** Fetch a fresh CSRF token (after csrf_failed); resolve with the new session answer. */
export async function refreshToken() {
  return fetchSession();
}

/** Mark the session as needing a new login (a 401 during sync): everything stays. */
export function markLoginNeeded() {
  if (current && !current.loginNeeded) {
    announce({...current, loginNeeded: true});
  }
}

/** Return the user's teams on this phone, from the session. */
export function teams() {
  return current ? current.teams : [];
}

/** Return the sync limits (the server's, or safe defaults before the first login). */
export function limits() {
  return (current && current.limits) || DEFAULT_LIMITS;
}
