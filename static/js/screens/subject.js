// A subject's page. A person: key facts, the last visits (concerns stand
// out), "Record a visit" and the other forms. A market: its pitches with
// today's status, "Start survey visit", "Count footfall", "Add a pitch".
// Anything else: its facts, its records and its forms.

import { NEEDS_ATTENTION, WAITING, listOutbox } from "../outbox.js";
import { answerWords, raisedFields, todayText } from "../form/render.js";
import { currentSession } from "../session.js";
import { olderRecords } from "./older.js";
import { showing } from "../keep.js";
import {
  backLink, bigLink, dataValue, h, humanise, leadIn, notice, replace, searchList, teamHash, whenText,
} from "./common.js";
import {
  definitionOf, findSubject, findTeam, formsAbout, listForms, memberName, pitchesOf, recordsAbout, recordsOfDay,
} from "./local.js";
import { formatNumber, locale, t, tn } from "../i18n.js";

export const NAME = "subject";

const VISIT_FORM = "home-visit";
const MARKET_VISIT_FORM = "market-visit";
const FOOTFALL_FORM = "footfall-count";
const PITCH_FORM = "pitch-survey";
const LAST_RECORDS = 10;
// Keys of subject data that wire subjects together rather than describe them.
// concerns_resolved: {record id: {status, note, by, at}}, the coordinators' resolutions (teams/concerns.py).
const RESOLVED_KEY = "concerns_resolved";
const HIDDEN_KEYS = new Set(["market_id", RESOLVED_KEY]);

/** Return the words of each pitch status, in the phone's language. */
function pitchStatus() {
  return { trading: t("Trading"), vacant: t("Vacant"), closed_today: t("Closed today"), casual: t("Casual") };
}

/** Return the words for a kind of subject ("Person"); a kind a team made up shows as written. */
function subjectKindWords(kind) {
  const words = { person: t("Person"), participant: t("Participant"), pitch: t("Pitch"), market: t("Market") };
  return words[kind] || humanise(kind);
}

/** Show the page of the subject in the route. */
export async function render(view) {
  const { team: slug, subject: id } = view.params;
  const [team, subject] = await Promise.all([findTeam(slug), findSubject(slug, id)]);
  if (!team || !subject) {
    view.title(t("Not found"));
    replace(view.root, h("h1", { tabindex: "-1" }, t("Not on this phone")),
      h("p", {}, t("It may have been archived by your coordinator.")),
      h("p", {}, h("a", { href: team ? teamHash(slug) : "#/" }, t("Back"))));
    return;
  }
  view.title(subject.label);
  const forms = await listForms(slug);
  const page = { view, team, subject, forms, canRecord: team.role !== "viewer" };
  if (subject.kind === "market") await marketPage(page);
  else await recordsPage(page);
}

/** A subject's detail named as the coordinators' pages name it (teams/words.py SUBJECT_DATA). */
function factLabel(key) {
  switch (key) {
    case "important": return t("What's important to them");
    case "essentials": return t("Essentials");
    case "contacts": return t("Key contacts");
    case "address": return t("Address or area");
    case "notes": return t("Notes");
    default: return humanise(key);
  }
}

function facts(subject) {
  const entries = Object.entries(subject.data || {}).filter(([key]) => !HIDDEN_KEYS.has(key));
  if (!entries.length) return null;
  return h("section", { class: "section", "aria-labelledby": "facts-h" },
    h("h2", { id: "facts-h" }, t("Key facts")),
    h("dl", { class: "facts" }, entries.map(([key, value]) => h("div", { class: "fact" },
      h("dt", {}, factLabel(key)), h("dd", {}, dataValue(value, key))))));
}

function formButtons(team, subject, forms, primaryId) {
  return forms.filter((form) => form.id !== primaryId).map((form) => bigLink(
    teamHash(team.slug, "s", subject.id, "new", form.id), form.data.title));
}

/**
 * Return what of the team's documents is still on this phone only: ids
 * whose change waits, and the items the server refused, by id. Badges come
 * from the outbox itself, so they agree with the status bar after any sync.
 */
async function unsentOf(team) {
  const items = await listOutbox({ team });
  return {
    waiting: new Set(items.filter((item) => item.state === WAITING).map((item) => item.change.id)),
    attention: new Map(items.filter((item) => item.state === NEEDS_ATTENTION).map((item) => [item.change.id, item])),
  };
}

/** Return who recorded a record, in words: "You", or their name from the team's members. */
export function authorWords(team, record) {
  const session = currentSession();
  // No author yet: the server names it, and its copy has not come back (pull).
  if (!record.author || (session && session.user && record.author === session.user.id)) return t("You");
  // The session lists the team's members now; someone who left is no longer named.
  return memberName(team, record.author) || t("Someone no longer in the team");
}

function ratingLine(definition, record) {
  return (definition.fields || []).filter((field) => field.type === "scale" && Number.isInteger(record.data[field.name]))
    .slice(0, 2).map((field) => {
      const value = record.data[field.name];
      const labels = Array.isArray(field.labels) ? field.labels[value - field.min]
        : field.labels && field.labels[String(value)];
      return h("p", { class: "visit-rating" }, `${field.label} `,
        h("strong", {}, t("{value} of {max}", { value: formatNumber(value), max: formatNumber(field.max) })), labels ? ` – ${labels}` : "");
    });
}

function shortText(text, limit = 160) {
  const clean = String(text).replace(/\s+/g, " ").trim();
  return clean.length > limit ? `${clean.slice(0, limit - 1)}…` : clean;
}

function choiceLabel(field, value) {
  const choice = (field.choices || []).find((c) => c.value === value);
  return choice ? choice.label : String(value);
}

// The answer that says most about a record at a glance: its first required
// choice that is always asked (a pitch's "Status: Trading").
function headline(definition, record) {
  const field = (definition.fields || []).find((f) => f.type === "choice" && f.required && !f.show_if);
  if (!field || record.data[field.name] === undefined) return null;
  return h("p", { class: "visit-headline" }, `${leadIn(field.label)} `,
    h("strong", {}, choiceLabel(field, record.data[field.name])));
}

/** Return "Resolved on 3 Dec by Cora: called the GP" for a record's resolved concern, else null. */
export function resolvedWords(subject, recordId) {
  const resolved = ((subject && subject.data && subject.data[RESOLVED_KEY]) || {})[recordId];
  if (!resolved || resolved.status !== "resolved") return null;
  const day = new Date(resolved.at).toLocaleDateString(locale(), { day: "numeric", month: "short" });
  const by = String(resolved.by || t("a coordinator")).split(" ")[0];
  return resolved.note ? t("Resolved on {day} by {by}: {note}", { day, by, note: resolved.note })
    : t("Resolved on {day} by {by}", { day, by });
}

/** Return the box of a raised concern of a record (resolved or not), or null. */
export function raisedBox(definition, record, resolved) {
  const raised = raisedFields(definition, record.data);
  if (!raised.length) return null;
  const fields = definition.fields || [];
  const details = fields.filter((field) => raised.includes(field.show_if?.field)
    && record.data[field.name] !== undefined && record.data[field.name] !== null);
  return h("div", { class: `raised-box${resolved ? " raised-resolved" : ""}` },
    resolved
      ? h("p", { class: "resolved-title" }, h("span", { class: "resolved-mark", "aria-hidden": "true" }, "✓"), ` ${resolved}`)
      : h("p", { class: "raised-title" }, h("span", { class: "raised-mark", "aria-hidden": "true" }, "!"), " " + t("Concern raised")),
    details.map((field) => h("p", {}, h("span", { class: "raised-label" }, `${leadIn(field.label)} `),
      field.type === "choice" ? choiceLabel(field, record.data[field.name]) : shortText(record.data[field.name], 400))));
}

function recordCard(team, record, forms, unsent, subject) {
  const form = forms.find((f) => f.id === record.form);
  const definition = definitionOf(form, record.form_version) || { fields: [] };
  const resolved = resolvedWords(subject, record.id);
  const raised = raisedBox(definition, record, resolved);
  const item = unsent.attention.get(record.id);
  const notes = ["notes", "own_words", "what_changed"].map((name) => record.data[name]).find(Boolean);
  return h("li", { class: `visit ${raised && !resolved ? "visit-raised" : ""}`.trim() },
    h("h3", { class: "visit-title" },
      h("a", { class: "visit-open", href: teamHash(team.slug, "r", record.id) }, whenText(record.recorded_at))),
    h("p", { class: "visit-meta" }, [form ? form.data.title : record.form, authorWords(team, record)].join(" · "),
      unsent.waiting.has(record.id) && !item ? h("span", { class: "badge badge-waiting" }, t("Waiting to sync")) : null),
    record.has_conflict ? h("p", { class: "visit-conflict" },
      t("Two people changed this record at the same time. Both versions were kept; your coordinator will choose which one stays.")) : null,
    item ? notice("problem", h("p", {}, t("The server could not accept this record.")),
      h("a", { class: "button", href: teamHash(team.slug, "fix", String(item.seq)) }, t("Fix it"))) : null,
    raised,
    headline(definition, record),
    ratingLine(definition, record),
    notes ? h("p", { class: "visit-notes" }, shortText(notes)) : null);
}

// The questions a handover carries from one visit to the next: what was
// chosen (medicines, what was done or declined) and what was written down
// (food and drink, notes), by their types in the form version. Concerns
// have their own box; ratings, times and counts are on the visit's card.
const HANDOVER_TYPES = new Set(["choice", "multiple_choice", "textarea", "text"]);

/** Return [(label, words)] of a record's handover answers, in its form version's order. */
export function handoverRows(definition, record) {
  const fields = definition.fields || [];
  // The questions that raise a concern, as if all were answered yes.
  const raising = new Set(raisedFields(definition, Object.fromEntries(fields.map((f) => [f.name, true]))));
  return fields.filter((field) => HANDOVER_TYPES.has(field.type) && !raising.has(field.show_if?.field))
    .map((field) => [field.label, answerWords(field, record.data[field.name])])
    .filter(([, words]) => words !== "");
}

/** Return the handover from the person's latest visit with the visit form: its key answers, or null. */
function handover(team, records, forms, primary) {
  const latest = primary && records.find((record) => record.form === primary.id);
  if (!latest) return null;
  const definition = definitionOf(primary, latest.form_version) || { fields: [] };
  const rows = handoverRows(definition, latest);
  if (!rows.length) return null;
  return h("section", { class: "section handover", "aria-labelledby": "handover-h" },
    h("h2", { id: "handover-h" }, t("Handover")),
    h("p", { class: "meta" }, t("From the last visit,"), " ",
      h("a", { href: teamHash(team.slug, "r", latest.id) }, whenText(latest.recorded_at)),
      ` · ${authorWords(team, latest)}`),
    h("dl", { class: "facts" }, rows.map(([label, words]) => h("div", { class: "fact" },
      h("dt", {}, label), h("dd", {}, shortText(words, 400))))));
}

async function lastRecords(page, primary = null) {
  const { team, forms } = page;
  // Read again: a sync may have brought a coordinator's resolution in the subject's data.
  const subject = (await findSubject(team.slug, page.subject.id)) || page.subject;
  const [records, unsent] = await Promise.all([recordsAbout(team.slug, subject.id), unsentOf(team.slug)]);
  const shown = records.slice(0, LAST_RECORDS);
  showing(NAME, team.slug, shown.map((record) => record.id));
  const heading = subject.kind === "person" ? t("Last visits") : t("Last records");
  return h("div", {}, subject.kind === "person" ? handover(team, records, forms, primary) : null,
    h("section", { class: "section", "aria-labelledby": "records-h" },
    h("h2", { id: "records-h" }, heading),
    shown.length
      ? h("ul", { class: "visits" }, shown.map((record) => recordCard(team, record, forms, unsent, subject)))
      : h("p", { class: "meta" }, subject.kind === "person" ? t("No visits recorded yet.") : t("Nothing recorded yet.")),
    records.length > shown.length ? h("p", { class: "meta" },
      tn("{count} older on this phone.", "{count} older on this phone.", records.length - shown.length)) : null,
    olderRecords({
      team, subject, held: records, card: (record) => recordCard(team, record, forms, unsent, subject),
    })));
}

/** Return the words of the link back to the list a subject is in. */
function backWords(kind, teamName) {
  if (kind === "person") return t("All people");
  if (kind === "participant") return t("All participants");
  return teamName;
}

async function recordsPage(page) {
  const { view, team, subject, forms, canRecord } = page;
  const own = formsAbout(forms, subject.kind);
  const primary = own.find((form) => form.id === VISIT_FORM)
    || own.find((form) => form.data.subject_kind === subject.kind);
  const market = subject.kind === "pitch" && subject.data && subject.data.market_id
    ? await findSubject(team.slug, subject.data.market_id) : null;
  const backTo = market
    ? { href: teamHash(team.slug, "s", market.id), label: market.label }
    : { href: teamHash(team.slug), label: backWords(subject.kind, team.name) };
  const primaryWords = { person: t("Record a visit"), pitch: t("Survey this pitch") }[subject.kind]
    || t("Record: {form}", { form: primary ? primary.data.title : "" });
  const records = h("div", {}, await lastRecords(page, primary));
  view.onRefresh(async () => replace(records, await lastRecords(page, primary)));
  replace(view.root,
    h("div", { class: "screen-head" },
      backLink(backTo.href, backTo.label),
      h("h1", { tabindex: "-1" }, subject.label),
      h("p", { class: "lead" }, subjectKindWords(subject.kind))),
    canRecord && primary ? h("div", { class: "actions" },
      bigLink(teamHash(team.slug, "s", subject.id, "new", primary.id), primaryWords, { primary: true, className: "record" })) : null,
    facts(subject),
    records,
    canRecord && own.length > 1 ? h("section", { class: "section", "aria-labelledby": "more-h" },
      h("h2", { id: "more-h" }, t("Other forms")),
      h("div", { class: "actions stack-actions" }, formButtons(team, subject, own, primary && primary.id))) : null);
}

/** Return {pitch id: status value} from today's pitch surveys (the latest of each pitch wins). */
export async function todaysStatus(team) {
  const today = todayText();
  const status = new Map();
  // Today's records only, by index: a market's history stays off this screen.
  for (const record of await recordsOfDay(team, today)) {
    if (record.form !== PITCH_FORM || !record.subject_id || status.has(record.subject_id)) continue;
    status.set(record.subject_id, record.data.status || "surveyed");
  }
  return status;
}

function statusBadge(value) {
  const words = value ? pitchStatus()[value] || t("Surveyed") : t("Not yet surveyed");
  return h("span", { class: `badge status status-${value || "none"}` }, words);
}

async function pitchRows(team, market, canRecord) {
  const [pitches, status, unsent] = await Promise.all([
    pitchesOf(team.slug, market.id), todaysStatus(team.slug), unsentOf(team.slug)]);
  const rows = pitches.map((pitch) => {
    const value = status.get(pitch.id);
    const unit = pitch.data && pitch.data.unit_type ? humanise(pitch.data.unit_type) : "";
    const href = canRecord ? teamHash(team.slug, "s", pitch.id, "new", PITCH_FORM) : teamHash(team.slug, "s", pitch.id);
    return {
      text: `${pitch.label} ${unit} ` + (value ? pitchStatus()[value] || "" : t("not yet surveyed")),
      node: h("a", { class: "row pitch", href },
        h("span", { class: "row-title" }, pitch.label),
        h("span", { class: "row-detail" }, unit,
          unsent.waiting.has(pitch.id) || unsent.attention.has(pitch.id) ? " · " + t("added on this phone") : ""),
        statusBadge(value)),
      value,
    };
  });
  return rows;
}

function tally(rows) {
  const counts = new Map();
  for (const row of rows) counts.set(row.value || "none", (counts.get(row.value || "none") || 0) + 1);
  const parts = Object.entries(pitchStatus()).filter(([key]) => counts.get(key))
    .map(([key, words]) => `${formatNumber(counts.get(key))} ${words.toLocaleLowerCase(locale())}`);
  if (counts.get("none")) parts.push(tn("{count} not yet surveyed", "{count} not yet surveyed", counts.get("none")));
  return rows.length ? t("Today: {tally}", { tally: parts.join(" · ") }) : "";
}

async function marketPage(page) {
  const { view, team, subject: market, forms, canRecord } = page;
  const rows = await pitchRows(team, market, canRecord);
  const summary = h("p", { class: "tally", role: "status" }, tally(rows));
  const list = searchList({
    label: t("Find a pitch"), rows,
    empty: t("No pitches on this phone for this market yet. Add the first one."),
  });
  view.onRefresh(async () => {
    const fresh = await pitchRows(team, market, canRecord);
    list.update(fresh);
    replace(summary, tally(fresh));
  });
  const has = (id) => forms.some((form) => form.id === id);
  const others = formsAbout(forms, "market").filter((form) => ![MARKET_VISIT_FORM, FOOTFALL_FORM].includes(form.id));
  replace(view.root,
    h("div", { class: "screen-head" },
      backLink(teamHash(team.slug), t("All markets")),
      h("h1", { tabindex: "-1" }, market.label),
      h("p", { class: "lead" }, t("Market"))),
    canRecord ? h("div", { class: "actions market-actions" },
      has(MARKET_VISIT_FORM) ? bigLink(teamHash(team.slug, "s", market.id, "new", MARKET_VISIT_FORM), t("Start survey visit"), { primary: true }) : null,
      has(FOOTFALL_FORM) ? bigLink(teamHash(team.slug, "s", market.id, "new", FOOTFALL_FORM), t("Count footfall")) : null,
      bigLink(teamHash(team.slug, "s", market.id, "add-pitch"), t("Add a pitch"))) : null,
    h("section", { class: "section", "aria-labelledby": "pitches-h" },
      h("h2", { id: "pitches-h" }, t("Pitches ({count})", { count: formatNumber(rows.length) })),
      summary,
      canRecord && rows.length ? h("p", { class: "meta" }, t("Tap a pitch to survey it.")) : null,
      list.element),
    facts(market),
    await lastRecords(page),
    canRecord && others.length ? h("section", { class: "section", "aria-labelledby": "more-h" },
      h("h2", { id: "more-h" }, t("Other forms")),
      h("div", { class: "actions stack-actions" }, formButtons(team, market, others, null))) : null);
  // The pitch count in the heading follows the list after a sync.
  view.onRefresh(async () => {
    const count = (await pitchesOf(team.slug, market.id)).length;
    const heading = view.root.querySelector("#pitches-h");
    if (heading) heading.textContent = t("Pitches ({count})", { count: formatNumber(count) });
  });
}
