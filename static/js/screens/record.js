// One record as it stands on this phone: every answer in the words of its
// form version, who recorded it and when, what of it still waits to sync.
// From here a member corrects it (the form screen, "correct") or deletes it
// with a reason (a tombstone through the outbox, sent at the next sync).
// Works offline: everything comes from IndexedDB.

import { NEEDS_ATTENTION, WAITING, deleteRecord, listOutbox } from "../outbox.js";
import { answerWords, renderForm } from "../form/render.js";
import { itemDefinition, recordFields } from "../form/checks.js";
import { inLanguage } from "../form/translate.js";
import { otherName } from "../form/choices.js";
import { backLink, h, humanise, notice, replace, teamHash, whenText } from "./common.js";
import {
  definitionOf, exactDefinition, findForm, findRecord, findSubject, findTeam,
} from "./local.js";
import { savedNotice } from "./saved.js";
import { showing } from "../keep.js";
import { authorWords, raisedBox, resolvedWords } from "./subject.js";
import { formatNumber, t } from "../i18n.js";

export const NAME = "record";

// As the server's checks bound it (fvfield/sync/checks.py MAX_REASON).
export const MAX_REASON = 500;

/** Return [(label, words)] of a record's answers, in its form version's order (unknown keys last). */
export function answerRows(definition, data) {
  const fields = definition ? recordFields(definition) : [];
  const known = new Set(fields.flatMap((field) => (field.or_other ? [field.name, otherName(field)] : [field.name])));
  // An "Other, please say" answer reads with its words: "Other – Kawran Bazar".
  const withOther = (field, words) => (field.or_other && data[otherName(field)]
    ? `${words} – ${data[otherName(field)]}` : words);
  const rows = [];
  for (const field of fields) {
    if (field.type === "note") continue;
    if (field.type === "repeat") {
      // Each item as its own rows: "Household member 2: Age", under the item's number.
      (Array.isArray(data[field.name]) ? data[field.name] : []).forEach((item, index) => {
        const lead = `${field.label} ${formatNumber(index + 1)}: `;
        for (const [label, words] of answerRows(itemDefinition(field), item || {})) rows.push([`${lead}${label}`, words]);
      });
      continue;
    }
    const words = withOther(field, answerWords(field, data[field.name]));
    if (words !== "") rows.push([field.label, words]);
  }
  for (const [name, value] of Object.entries(data || {})) {
    if (!known.has(name) && value !== null && value !== undefined) rows.push([humanise(name), String(value)]);
  }
  return rows;
}

/** Return the question that asks why, as the form screen and this one draw it. */
export function reasonForm(label, hint, answers = {}) {
  return renderForm({
    fields: [{ name: "reason", type: "textarea", label, hint, required: true, max_length: MAX_REASON }],
  }, { answers, prefix: "why" });
}

async function unsentOf(team, id) {
  const items = (await listOutbox({ team })).filter((item) => item.change.id === id);
  return {
    waiting: items.some((item) => item.state === WAITING),
    attention: items.find((item) => item.state === NEEDS_ATTENTION),
  };
}

function deleteSection(view, team, record, backTo) {
  const why = reasonForm(t("Why delete it"), t("For the team's record: it goes with the deletion to your coordinator."));
  const slot = h("div", {});
  const button = h("button", { type: "submit", class: "danger big" }, t("Delete the record"));
  const form = h("form", { class: "delete-form", novalidate: true, "aria-labelledby": "delete-h" },
    why.element, slot, h("div", { class: "form-actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = String(why.answers().reason || "").trim();
    if (!reason) {
      why.showErrors({ reason: [t("Say why you delete it.")] });
      why.focus("reason");
      return;
    }
    if (reason.length > MAX_REASON) {
      why.showErrors({ reason: [t("Say why in at most {count} characters.", { count: formatNumber(MAX_REASON) })] });
      why.focus("reason");
      return;
    }
    button.disabled = true;
    try {
      await deleteRecord({ team: team.slug, record, reason });
    } catch (error) {
      button.disabled = false;
      replace(slot, notice("problem", h("p", {}, t("This phone could not delete it: {reason}. Try again.", { reason: error.message || error }))));
      return;
    }
    view.go(backTo.href, { flash: await savedNotice(t("Deleted on this phone.")) });
  });
  // Closed until asked for: the screen is for reading the visit first.
  form.hidden = true;
  form.id = "delete-record";
  const open = h("button", { type: "button", class: "danger big", "aria-expanded": "false", "aria-controls": form.id,
    onclick: () => {
      form.hidden = false;
      open.hidden = true;
      why.focus("reason");
    } }, t("Delete this record…"));
  return h("section", { class: "section", "aria-labelledby": "delete-h" },
    h("h2", { id: "delete-h" }, t("Delete this record")),
    h("p", { class: "meta" }, t("For a record made by mistake or about the wrong person. "
      + "Its history stays with your coordinator.")),
    open,
    form);
}

/** Show the record of the route in full. */
export async function render(view) {
  const { team: slug, record: id } = view.params;
  showing(NAME, slug, [id]);
  const [team, record] = await Promise.all([findTeam(slug), findRecord(slug, id)]);
  if (!team || !record) {
    view.title(t("Not found"));
    replace(view.root, h("h1", { tabindex: "-1" }, t("This record is not on this phone")),
      h("p", {}, t("It may have been deleted.")),
      h("p", {}, h("a", { href: team ? teamHash(slug) : "#/" }, t("Back"))));
    return;
  }
  const form = await findForm(slug, record.form);
  const exact = exactDefinition(form, record.form_version);
  const definition = inLanguage(exact || definitionOf(form, record.form_version) || { fields: [] });
  const subject = record.subject_id ? await findSubject(slug, record.subject_id) : null;
  const unsent = await unsentOf(slug, id);
  const title = definition.title || humanise(record.form);
  const backTo = subject ? { href: teamHash(slug, "s", subject.id), label: subject.label }
    : { href: teamHash(slug), label: team.name };
  const canChange = team.role !== "viewer";
  const resolved = resolvedWords(subject, record.id);
  const rows = answerRows(definition, record.data || {});
  view.title(`${title}, ${whenText(record.recorded_at)}`);
  replace(view.root,
    h("div", { class: "screen-head" },
      backLink(backTo.href, backTo.label),
      h("h1", { tabindex: "-1" }, title),
      h("p", { class: "lead" }, [whenText(record.recorded_at), authorWords(team, record)].join(" · "))),
    unsent.attention ? notice("problem", h("p", {}, t("The server could not accept this record.")),
      h("a", { class: "button", href: teamHash(slug, "fix", String(unsent.attention.seq)) }, t("Fix it")))
      : unsent.waiting ? notice("info", h("p", {}, t("Saved on this phone; it waits to sync."))) : null,
    record.has_conflict ? notice("info", h("p", {},
      t("Two people changed this record at the same time. Both versions were kept; your coordinator will choose which one stays."))) : null,
    exact ? null : notice("info", h("p", {},
      t("This phone does not hold version {version} of this form: the answers show in its latest words. Sync to fetch it.",
        { version: formatNumber(record.form_version) }))),
    raisedBox(definition, record, resolved),
    h("section", { class: "section", "aria-labelledby": "answers-h" },
      h("h2", { id: "answers-h" }, t("Answers")),
      rows.length ? h("dl", { class: "facts answers" }, rows.map(([label, words]) => h("div", { class: "fact" },
        h("dt", {}, label), h("dd", {}, words))))
        : h("p", { class: "meta" }, t("No answers."))),
    canChange && !unsent.attention && exact ? h("div", { class: "actions" },
      h("a", { class: "button big", href: teamHash(slug, "r", id, "correct") }, t("Correct this record"))) : null,
    canChange && !unsent.attention ? deleteSection(view, team, record, backTo) : null);
}
