// fetch for the sync API: JSON in and out, the CSRF header on every change,
// and every failure turned into one of two errors a caller can act on.

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

/** The server could not be reached (offline, a dead connection, a stopped server). */
export class NetworkError extends Error {
  constructor(message = 'The server cannot be reached.') {
    super(message);
    this.name = 'NetworkError';
  }
}

let csrfToken = null;

/** Remember the CSRF token from /api/v1/session for state-changing requests. */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Return whether a request with this method changes state (and needs the token). */
function changesState(method) {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (ignored) {
    // A proxy's HTML error page, or an empty body: described below.
  }
  const error = body && body.error;
  if (error && error.code) {
    return new ApiError(response.status, error.code, error.message || '', body);
  }
  const message = response.status >= 500
    ? 'The server had a problem. Nothing was lost; it will try again.'
    : `The server answered ${response.status}.`;
  return new ApiError(response.status, `http_${response.status}`, message, body);
}

/**
 * Send a request; resolve with the parsed JSON (or null), reject with
 * ApiError or NetworkError. `json` is sent as JSON; `body` as it is, with
 * `contentType`. With `redirect: 'manual'` a redirect answer counts as done.
 */
export async function request(method, path, {json, body, contentType, signal, redirect = 'follow'} = {}) {
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
  let response;
  try {
    response = await fetch(path, {
      method, headers, body, signal, redirect, credentials: 'same-origin', cache: 'no-store',
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new NetworkError();
  }
  if (response.type === 'opaqueredirect') {
    return null;
  }
  if (!response.ok) {
    throw await errorFrom(response);
  }
  if (response.status === 204) {
    return null;
  }
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : null;
}

/** GET a JSON resource. */
export function getJSON(path, options) {
  return request('GET', path, options);
}

/** POST a JSON body. */
export function postJSON(path, json, options = {}) {
  return request('POST', path, {...options, json});
}

/** PUT raw bytes with their content type. */
export function putBytes(path, body, contentType, options = {}) {
  return request('PUT', path, {...options, body, contentType});
}
