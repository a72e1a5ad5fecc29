// fetch for the sync API: JSON in and out, the CSRF header on every change,
// a deadline on every request, and every failure turned into one of two
// errors a caller can act on. A weak signal breaks answers in many ways (a
// cut inside the headers reaches fetch as a 200 with no body, a cut inside
// the body rejects response.json(), a captive portal answers 200 with HTML):
// each is a NetworkError, so no caller ever dereferences a missing answer.
import {REQUEST_TIMEOUT_MS, UPLOAD_BYTES_PER_SECOND} from './constants.js';
import {t} from './i18n.js';

/** The server answered with an error: {status, code, message} from its body. */
export class ApiError extends Error {
  constructor(status, code, message, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Why an answer did not arrive, in the words the person reads (docs/field-app.md), in their language. */
export function networkWords(kind) {
  switch (kind) {
    case 'broken':
      return t("The connection broke before the server's answer arrived.");
    case 'timeout':
      return t('The server did not answer in time.');
    default:
      return t('The server cannot be reached.');
  }
}

/** No usable answer arrived: `kind` is unreachable, broken or timeout (networkWords). */
export class NetworkError extends Error {
  constructor(kind = 'unreachable') {
    super(networkWords(kind));
    this.name = 'NetworkError';
    this.kind = kind;
  }
}

let csrfToken = null;
const timeouts = {requestMs: REQUEST_TIMEOUT_MS, bytesPerSecond: UPLOAD_BYTES_PER_SECOND};
const encoder = new TextEncoder();

/** Remember the CSRF token from /api/v1/session for state-changing requests. */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Change the deadlines ({requestMs, bytesPerSecond}); the browser tests shorten them. */
export function setRequestTimeouts(changes) {
  Object.assign(timeouts, changes);
  return {...timeouts};
}

/** Return how long a request with a body of `bytes` may take, in ms. */
export function deadlineFor(bytes) {
  return timeouts.requestMs + Math.ceil((bytes * 1000) / timeouts.bytesPerSecond);
}

function sizeOf(body) {
  if (!body) {
    return 0;
  }
  if (typeof body === 'string') {
    return encoder.encode(body).length;
  }
  return body.size ?? body.byteLength ?? 0;
}

/** Return whether a request with this method changes state (and needs the token). */
function changesState(method) {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

/** Abort `controller` when `ms` pass; `restart(ms)` moves the deadline on. */
function deadline(controller, ms) {
  const state = {passed: false, timer: null};
  state.restart = (wait) => {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.passed = true;
      controller.abort(new DOMException(t('The request took too long.'), 'TimeoutError'));
    }, wait);
  };
  state.clear = () => clearTimeout(state.timer);
  state.restart(ms);
  return state;
}

/** Abort `controller` when the caller's `signal` aborts. */
function follow(controller, signal) {
  if (!signal) {
    return;
  }
  if (signal.aborted) {
    controller.abort(signal.reason);
  } else {
    signal.addEventListener('abort', () => controller.abort(signal.reason), {once: true});
  }
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (ignored) {
    // A proxy's HTML error page, an empty or a cut body: described below.
  }
  const error = body && body.error;
  if (error && error.code) {
    return new ApiError(response.status, error.code, error.message || '', body);
  }
  return new ApiError(response.status, `http_${response.status}`, t('The server answered {status}.', {status: response.status}), body);
}

/** Read the whole answer as JSON; a cut, a hang or a body that is not JSON is a NetworkError. */
async function readJSON(response, clock) {
  let text;
  try {
    text = await response.text();
  } catch (error) {
    throw new NetworkError(clock.passed ? 'timeout' : 'broken');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NetworkError('broken');
  }
}

/**
 * Send a request; resolve with the parsed JSON (or null), reject with
 * ApiError or NetworkError. `json` is sent as JSON; `body` as it is, with
 * `contentType`. With `expectJSON` a 2xx must carry a JSON object that
 * `check` (if given) accepts, else the answer counts as broken. With
 * `redirect: 'manual'` a redirect answer counts as done. The deadline is
 * `timeoutMs`, else sized from the body (deadlineFor); it runs again while
 * the answer's body arrives.
 */
export async function request(method, path, {
  json, body, contentType, signal, redirect = 'follow', expectJSON = false, check, timeoutMs,
} = {}) {
  const headers = {Accept: 'application/json'};
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  if (changesState(method) && csrfToken) {
    headers['X-CSRFToken'] = csrfToken;
  }
  const controller = new AbortController();
  follow(controller, signal);
  const clock = deadline(controller, timeoutMs ?? deadlineFor(sizeOf(body)));
  try {
    let response;
    try {
      response = await fetch(path, {
        method, headers, body, redirect, signal: controller.signal,
        credentials: 'same-origin', cache: 'no-store',
      });
    } catch (error) {
      if (clock.passed) {
        throw new NetworkError('timeout');
      }
      if (signal && signal.aborted) {
        throw error;
      }
      throw new NetworkError('unreachable');
    }
    clock.restart(timeoutMs ?? timeouts.requestMs);
    if (response.type === 'opaqueredirect') {
      return null;
    }
    if (!response.ok) {
      throw await errorFrom(response);
    }
    if (!expectJSON) {
      const type = response.headers.get('Content-Type') || '';
      return response.status !== 204 && type.includes('json') ? await readJSON(response, clock) : null;
    }
    const answer = await readJSON(response, clock);
    if (!answer || typeof answer !== 'object' || (check && !check(answer))) {
      throw new NetworkError('broken');
    }
    return answer;
  } finally {
    clock.clear();
  }
}

/** GET a JSON object; `check(answer)` says whether it has the shape the caller needs. */
export function getJSON(path, options = {}) {
  return request('GET', path, {expectJSON: true, ...options});
}

/** POST a JSON body; resolve with the JSON object answered (see getJSON). */
export function postJSON(path, json, options = {}) {
  return request('POST', path, {expectJSON: true, ...options, json});
}

/** PUT raw bytes with their content type; resolve with the JSON object answered. */
export function putBytes(path, body, contentType, options = {}) {
  return request('PUT', path, {expectJSON: true, ...options, body, contentType});
}
