// The person's language on this phone and in their account: a choice made
// here is kept at once (localStorage, so it outlives logout) and sent to the
// account when the server can be reached; otherwise the account's choice,
// made on the web or on another phone, is adopted.
import {request} from './api.js';
import {choiceUnsent, hasChoice, keepChoice, language, loadLanguage, offered} from './i18n.js';

export const LANGUAGE_URL = '/api/v1/session/language';
// The server's pages read the same choice before anyone logs in (fvfield/i18n.py COOKIE).
const COOKIE = 'fvfield_language';

function rememberForPages(code) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${COOKIE}=${encodeURIComponent(code)}; Path=/; Max-Age=${400 * 86400}; SameSite=Lax${secure}`;
}

async function sendChoice(code) {
  try {
    await request('PUT', LANGUAGE_URL, {json: {language: code}, expectJSON: true});
    keepChoice(code);
    return true;
  } catch {
    keepChoice(code, {unsent: true});
    return false;
  }
}

/** Choose a language on this phone: shown at once, kept offline, sent to the account. */
export async function chooseLanguage(code, {online = true} = {}) {
  const wanted = offered(code);
  if (!wanted) {
    return language();
  }
  keepChoice(wanted.code, {unsent: true});
  rememberForPages(wanted.code);
  await loadLanguage(wanted.code);
  if (online) {
    await sendChoice(wanted.code);
  }
  return language();
}

/**
 * After the session loads from the server: send a choice made here offline,
 * or follow the account's. Resolve whether the language changed.
 */
export async function settleLanguage(user) {
  if (!user) {
    return false;
  }
  if (choiceUnsent()) {
    await sendChoice(language().code);
    return false;
  }
  const saved = offered(user.language);
  if (!saved) {
    if (hasChoice()) {
      // Chosen on this phone before the account kept languages: the account learns it.
      await sendChoice(language().code);
    }
    return false;
  }
  keepChoice(saved.code);
  rememberForPages(saved.code);
  if (saved.code === language().code) {
    return false;
  }
  await loadLanguage(saved.code);
  return true;
}
