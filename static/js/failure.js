// What a person reads when a sync stops: what went wrong, in the app's own
// words, then what happens next, true to the outbox (records still wait, or
// everything has reached the server and only the team's news is late).
// Never a JavaScript message: a bug in the app is logged for the developer
// and said as one calm sentence (docs/field-app.md, "Bad networks").
import {ApiError, NetworkError} from './api.js';
import {t} from './i18n.js';

// Functions, not constants: the words are in the phone's language of the moment.
const stillHere = () => t('Everything stays on this phone; it will try again.');
const allSent = () => t('Everything you saved has reached the server; '
  + 'it will try again to fetch your team’s latest changes.');

/** Return what a person reads when sync stops on a bug in the app. */
export function appProblem() {
  return t('Sync stopped on a problem inside this app; everything stays on this phone and it will try again.');
}

/** Return what a person reads when the server no longer knows the session. */
export function sessionEnded() {
  return t('Your session has ended. Log in again to send what waits; nothing on this phone was lost.');
}

// The server's own 5xx messages tell a person to try again; the phone does
// that itself, so it says only what happened.
function serverWords(status) {
  const words = {
    429: t('The server is busy.'),
    500: t('The server had a problem.'),
    502: t('The server is not answering just now.'),
    503: t('The server is busy or being updated.'),
    504: t('The server is not answering just now.'),
  };
  return words[status] || words[500];
}

/** Return whether a sync failure is the network's or the server's (else it is the app's own bug). */
export function expectedFailure(error) {
  return error instanceof NetworkError || error instanceof ApiError;
}

function asSentence(text) {
  const clean = String(text || '').trim();
  return !clean || /[.!?]$/.test(clean) ? clean : `${clean}.`;
}

function cause(error) {
  if (error instanceof NetworkError) {
    return error.message;
  }
  if (error.status >= 500 || error.status === 429) {
    return serverWords(error.status);
  }
  if (error.code === 'csrf_failed') {
    return t("The server did not accept this phone's security token.");
  }
  return asSentence(error.message) || t('The server answered {status}.', {status: error.status});
}

/** Return the message of a failed sync; `counts` are the outbox's {waiting, needsAttention} after it. */
export function failureMessage(error, {waiting = 0, needsAttention = 0} = {}) {
  if (!expectedFailure(error)) {
    return appProblem();
  }
  return `${cause(error)} ${waiting + needsAttention ? stillHere() : allSent()}`;
}
