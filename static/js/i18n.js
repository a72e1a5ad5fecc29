// The field app's words in the person's language, from the same catalogue
// as the server's pages (fvfield/field/strings.py serves each language as
// /field/strings/<code>.json, precached). Every screen shows text through
// t("…") or tn("…", "…", count); pybabel extracts those calls (babel.cfg).
//
// The language: the one chosen on this phone (kept in localStorage, so it
// outlives logout and works offline), else the account's (session.js adopts
// it), else the browser's languages, else English. This module loads the
// strings before any screen imports it (top-level await), so t() is plain.
import {LANGUAGES} from '/field/registry.js';

const CHOICE_KEY = 'fvfield-language';
// Set while a choice made on this phone has not reached the account yet.
const UNSENT_KEY = 'fvfield-language-unsent';
const DEFAULT = 'en_GB';

let messages = {};
let current = LANGUAGES.find((language) => language.code === DEFAULT) || {code: DEFAULT, tag: 'en-GB', dir: 'ltr'};

function stored(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    if (value === null) {
      window.localStorage.removeItem(key);
    } else {
      window.localStorage.setItem(key, value);
    }
  } catch {
    // A browser that keeps nothing: the choice lasts this visit.
  }
}

/** Return the offered language for a code or tag ("bn", "ur-PK", "en-GB"), or undefined. */
export function offered(code) {
  if (!code) {
    return undefined;
  }
  const wanted = String(code).replace('-', '_').toLowerCase();
  return LANGUAGES.find((language) => language.code.toLowerCase() === wanted)
    || LANGUAGES.find((language) => language.code.split('_')[0].toLowerCase() === wanted.split('_')[0]
      && language.code !== 'eo' && language.code !== 'ar');
}

/** Return the language of a server page (coordinators' pages set data-server-language), or undefined. */
function serverPageLanguage() {
  return typeof document === 'undefined' ? undefined : offered(document.documentElement.dataset.serverLanguage);
}

/** Return the language this phone speaks: the server page's, else its choice, else the browser's, else English. */
export function chosenLanguage() {
  const page = serverPageLanguage();
  if (page) {
    return page;
  }
  const choice = offered(stored(CHOICE_KEY));
  if (choice) {
    return choice;
  }
  for (const tag of navigator.languages || [navigator.language]) {
    const found = offered(tag);
    if (found) {
      return found;
    }
  }
  return offered(DEFAULT) || current;
}

/** Return the language the screens speak now: {code, tag, dir, name}. */
export function language() {
  return current;
}

/** Return whether the phone's choice has still to be kept in the account. */
export function choiceUnsent() {
  return stored(UNSENT_KEY) === '1' && Boolean(offered(stored(CHOICE_KEY)));
}

/** Keep a language chosen on this phone; `unsent` until the account has it too. */
export function keepChoice(code, {unsent = false} = {}) {
  store(CHOICE_KEY, code);
  store(UNSENT_KEY, unsent ? '1' : null);
}

/** Return whether this phone has a choice of its own (otherwise the account's is adopted). */
export function hasChoice() {
  return Boolean(offered(stored(CHOICE_KEY)));
}

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Return a string in the phone's language; {name} places take `params`. */
export function t(id, params = {}) {
  const found = messages[id];
  return fill(typeof found === 'string' && found ? found : id, params);
}

/** Return the plural form for `count` ({count} is filled in, written in the language's digits). */
export function tn(one, other, count, params = {}) {
  const category = new Intl.PluralRules(current.tag).select(count);
  const forms = messages[one];
  const text = forms && typeof forms === 'object' && forms[category]
    ? forms[category]
    : (count === 1 ? one : other);
  return fill(text, {count: formatNumber(count), ...params});
}

/** Return a number written the way the language writes it (Bengali digits in bn). */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(current.tag, options).format(value);
}

/** Return the tag dates and sorting use (en-GB, bn, ur). */
export function locale() {
  return current.tag;
}

/** Set <html lang dir> and translate the shell's own words (its data-t elements). */
export function applyToDocument(root = document) {
  root.documentElement.lang = current.tag;
  root.documentElement.dir = current.dir;
  for (const node of root.querySelectorAll('[data-t]')) {
    node.textContent = t(node.dataset.t);
  }
}

/** Load the strings of `code` (from the precache offline); English when they cannot be read. */
export async function loadLanguage(code) {
  const wanted = offered(code) || offered(DEFAULT) || current;
  try {
    const response = await fetch(`/field/strings/${encodeURIComponent(wanted.code)}.json`);
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const body = await response.json();
    messages = body.messages || {};
    current = wanted;
  } catch (error) {
    console.warn('fvfield: the language could not be loaded; English is shown', error);
    messages = {};
  }
  if (typeof document !== 'undefined') {
    applyToDocument();
  }
  return current;
}

await loadLanguage(chosenLanguage().code);
