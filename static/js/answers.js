// What each answer of the sync API must hold before the phone acts on it
// (the shapes of ../../docs/api.md). api.js turns an answer that fails its
// check into a NetworkError ("broken"): a proxy, a captive portal or a cut
// connection can hand the page anything, and the outbox must never move on it.

import {ACKNOWLEDGED_STATUSES} from '/field/registry.js';

/**
 * The push statuses that take a change out of the outbox, with the rev it
 * produced: the server's acknowledged statuses (fvfield/sync/statuses.py),
 * but for a conflict, which sync.js handles on its own (both versions kept).
 */
export const ACKNOWLEDGED = new Set(ACKNOWLEDGED_STATUSES.filter((status) => status !== 'conflict'));

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value) => typeof value === 'string' && value !== '';

/** Return whether `answer` is a /api/v1/session answer. */
export function isSession(answer) {
  return isObject(answer.user) && isText(answer.user.id)
    && Array.isArray(answer.teams) && answer.teams.every((team) => isObject(team) && isText(team.slug))
    && isText(answer.csrf_token) && isObject(answer.limits);
}

/** Return whether `answer` is a page of a pull. */
export function isPullPage(answer) {
  return Array.isArray(answer.changes)
    && answer.changes.every((change) => isObject(change) && isText(change.collection) && isText(change.id))
    && isText(answer.cursor) && typeof answer.more === 'boolean';
}

/**
 * Return a check of a push answer to `batch` (outbox items): one result per
 * change, in order, each with a status; those that give a rev give a number.
 * A status this phone does not know passes: sync.js keeps its change for later.
 */
export function answersPush(batch) {
  return (answer) => Array.isArray(answer.results) && answer.results.length === batch.length
    && answer.results.every((result, index) => isObject(result)
      && result.change_id === batch[index].change_id && isText(result.status)
      && (!ACKNOWLEDGED.has(result.status) || Number.isInteger(result.rev)));
}

/** Return a check of the answer to an upload of the photo `sha256`. */
export function storedPhoto(sha256) {
  return (answer) => answer.sha256 === sha256;
}
