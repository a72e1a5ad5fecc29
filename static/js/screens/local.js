// What this phone holds, as the screens read it: teams, forms, subjects and
// records from IndexedDB (filled by sync.js's pull and outbox.js's saves).
// Deleted documents (tombstones) never reach a screen.

import { STORE_FORMS, STORE_RECORDS, STORE_SUBJECTS, STORE_TEAMS } from "../constants.js";
import { all, get } from "../db.js";
import { locale } from "../i18n.js";
import { inLanguage } from "../form/translate.js";

export const byLabel = (a, b) => String(a.label || "").localeCompare(String(b.label || ""), locale(), {
  numeric: true, sensitivity: "base",
});

function ofTeam(team) {
  return IDBKeyRange.bound([team], [team, []]);
}

const live = (doc) => doc && !doc.deleted;

/** Return the teams of the user on this phone, by name. */
export async function listTeams() {
  const teams = await all(STORE_TEAMS);
  return teams.sort((a, b) => a.name.localeCompare(b.name, locale()));
}

/** Return one team, or undefined. */
export function findTeam(slug) {
  return get(STORE_TEAMS, slug);
}

/** Return the team's forms (documents; `data` is the latest definition, in the phone's language), by title. */
export async function listForms(team) {
  const forms = (await all(STORE_FORMS, { query: ofTeam(team) })).filter((form) => live(form) && form.data)
    .map((form) => ({ ...form, data: inLanguage(form.data) }));
  return forms.sort((a, b) => String(a.data.title).localeCompare(String(b.data.title), locale()));
}

/** Return a form document, or undefined. */
export async function findForm(team, id) {
  const form = await get(STORE_FORMS, [team, id]);
  return live(form) && form.data ? form : undefined;
}

/** Return the definition of a form at `version` (the latest when the phone lacks it). */
export function definitionOf(form, version) {
  if (!form) return null;
  if (version !== undefined && version !== null) {
    if (form.versions && form.versions[version]) return form.versions[version];
    if (form.data.version === version) return form.data;
  }
  return form.data;
}

/** Return the forms a subject of `kind` can be recorded with (its kind's, then any subject's). */
export function formsAbout(forms, kind) {
  const own = forms.filter((form) => form.data.subject_kind === kind);
  const general = forms.filter((form) => !form.data.subject_kind);
  return [...own, ...general];
}

/** Return the live subjects of a kind, by label (numbers in labels sort as numbers). */
export async function listSubjects(team, kind) {
  const subjects = await all(STORE_SUBJECTS, { index: "by_kind", query: [team, kind] });
  return subjects.filter(live).sort(byLabel);
}

/** Return every live subject of a team, by label. */
export async function allSubjects(team) {
  return (await all(STORE_SUBJECTS, { query: ofTeam(team) })).filter(live).sort(byLabel);
}

/** Return a live subject, or undefined. */
export async function findSubject(team, id) {
  const subject = await get(STORE_SUBJECTS, [team, id]);
  return live(subject) ? subject : undefined;
}

/**
 * Return a subject's label for a list, saying so when it was archived; null when unknown.
 * A pitch is named with its market ("Ridley Road, pitch 1"): pitch 1 is in every market.
 */
export async function subjectLabel(team, id) {
  const subject = await get(STORE_SUBJECTS, [team, id]);
  if (!subject) return null;
  const marketId = subject.kind === "pitch" && subject.data ? subject.data.market_id : null;
  const market = typeof marketId === "string" ? await get(STORE_SUBJECTS, [team, marketId]) : null;
  const label = market ? `${market.label}, pitch ${subject.label}` : subject.label;
  return subject.deleted ? `${label} (archived)` : label;
}

const time = (iso) => Date.parse(iso) || 0;

// Newest first. Records of the same second (recorded_at has no more) keep
// the order they were saved in: saved_at on the phone that made them, the
// server's updated_at on others; then the id, so a list never reorders
// itself between two looks, before or after a sync.
const newestFirst = (a, b) => (time(b.recorded_at) - time(a.recorded_at))
  || (time(b.saved_at || b.updated_at) - time(a.saved_at || a.updated_at))
  || String(b.id).localeCompare(String(a.id));

/** Return the live records about a subject, newest first. */
export async function recordsAbout(team, subjectId) {
  const records = await all(STORE_RECORDS, { index: "by_subject", query: [team, subjectId] });
  return records.filter(live).sort(newestFirst);
}

/** Return a live record of the team, or undefined. */
export async function findRecord(team, id) {
  const record = await get(STORE_RECORDS, [team, id]);
  return live(record) ? record : undefined;
}

/** Return the definition of exactly `version` of a form, or null when this phone lacks it. */
export function exactDefinition(form, version) {
  if (!form) return null;
  if (form.versions && form.versions[version]) return form.versions[version];
  return form.data && form.data.version === version ? form.data : null;
}

/**
 * Return the name of a member of the team (the session lists them), or null.
 * Only the team's own members: a phone never learns other teams' people.
 */
export function memberName(team, userId) {
  const member = ((team && team.members) || []).find((m) => m.id === userId);
  return member ? member.name : null;
}

/** Return the team's live records made with one form, newest first. */
export async function recordsOfForm(team, formId) {
  const records = await all(STORE_RECORDS, { query: ofTeam(team) });
  return records.filter((record) => live(record) && record.form === formId).sort(newestFirst);
}

/**
 * Return the team's live records of one day ("YYYY-MM-DD", the phone's
 * calendar), newest first: an index range on recorded_at around the day
 * (its offset may put it a day either side), then exactly that day.
 */
export async function recordsOfDay(team, day) {
  const date = new Date(`${day}T12:00:00`);
  const around = (days) => new Date(date.getTime() + days * 86400000).toISOString().slice(0, 10);
  const records = await all(STORE_RECORDS, {
    index: "by_recorded", query: IDBKeyRange.bound([team, around(-1)], [team, `${around(1)}\uffff`]),
  });
  const dayOf = (record) => {
    const moment = new Date(record.recorded_at);
    const pad = (n) => String(n).padStart(2, "0");
    return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
  };
  return records.filter((record) => live(record) && dayOf(record) === day).sort(newestFirst);
}

/** Return the pitches of a market: subjects of kind pitch whose data.market_id is the market's id. */
export async function pitchesOf(team, marketId) {
  const pitches = await listSubjects(team, "pitch");
  return pitches.filter((pitch) => pitch.data && pitch.data.market_id === marketId);
}
