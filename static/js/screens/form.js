// The form screen: a form definition rendered as questions, its draft kept
// on every change, checked on save like the server checks it, then saved on
// this phone through the outbox. The same screen fixes a record the server
// refused: its answers open with the server's messages next to the fields,
// and corrects a record held on this phone (its answers in the words of its
// own form version; a reason asked when the server already has it).

import { answersToSend, checkAnswers } from "../form/checks.js";
import { draftKeeper, draftKey, loadDraft } from "../form/drafts.js";
import { renderForm } from "../form/render.js";
import { inLanguage } from "../form/translate.js";
import { countTimer, timedCount } from "../form/timer.js";
import {
  NEEDS_ATTENTION, WAITING, correctRecord, listOutbox, outboxItem, saveRecord, updateRejected,
} from "../outbox.js";
import { backLink, h, leadIn, notice, replace, teamHash, whenWords } from "./common.js";
import {
  allSubjects, definitionOf, exactDefinition, findForm, findRecord, findSubject, findTeam, listSubjects,
} from "./local.js";
import { MAX_REASON, reasonForm } from "./record.js";
import { savedNotice } from "./saved.js";
import { formatNumber, t, tn } from "../i18n.js";

export const NAME = "form";

/** Return the error summary box: what to fix, each a link to its question. */
export function errorSummary(form, errors, general = []) {
  const items = [];
  for (const message of general) items.push(h("li", {}, message));
  for (const [name, messages] of Object.entries(errors)) {
    if (!form.has(name)) continue;
    items.push(h("li", {}, h("a", {
      href: `#${name}`,
      onclick: (event) => {
        event.preventDefault();
        form.focus(name);
      },
    }, `${leadIn(form.label(name))} ${[].concat(messages).join(" ")}`)));
  }
  return h("div", { class: "error-summary", role: "alert", tabindex: "-1", "aria-labelledby": "summary-h" },
    h("h2", { id: "summary-h" }, tn("There is a problem", "There are problems", items.length)),
    h("ul", {}, items));
}

/** Split server errors into those of questions the form shows and the rest (messages). */
function splitErrors(form, errors, known = []) {
  const byField = {};
  const general = [];
  for (const [name, messages] of Object.entries(errors || {})) {
    if (form.has(name) || known.includes(name)) byField[name] = messages;
    else general.push(...[].concat(messages));
  }
  return { byField, general };
}

async function subjectChoices(team, definition) {
  const kind = definition.subject_kind;
  const subjects = kind ? await listSubjects(team, kind) : await allSubjects(team);
  const markets = new Map((await listSubjects(team, "market")).map((market) => [market.id, market.label]));
  return subjects.map((subject) => {
    const market = subject.data && markets.get(subject.data.market_id);
    return { value: subject.id, label: market ? `${subject.label} (${market})` : subject.label };
  });
}

/** Return the reason already given with a correction of this record still waiting, or "". */
async function waitingReason(team, id) {
  const items = (await listOutbox({ team, state: WAITING })).filter((item) => item.change.id === id);
  const newest = items.at(-1);
  return (newest && newest.change.reason) || "";
}

async function correcting(slug, id) {
  const record = await findRecord(slug, id);
  if (!record) return { gone: true };
  const form = await findForm(slug, record.form);
  return {
    record,
    form,
    formId: record.form,
    // Only the record's own version: answers checked against another could not be sent with it.
    definition: exactDefinition(form, record.form_version),
    subjectId: record.subject_id || null,
    subject: record.subject_id ? await findSubject(slug, record.subject_id) : null,
    answers: record.data || {},
    errors: {},
    // The server has it: a correction says why, in its history.
    asksReason: (record.rev || 0) > 0,
    reason: await waitingReason(slug, id),
    key: draftKey({ team: slug, form: record.form, recordId: `correct-${id}` }),
  };
}

async function opening(params) {
  const { team: slug } = params;
  if (params.correct) return correcting(slug, params.correct);
  if (params.fix) {
    const item = await outboxItem(Number(params.fix));
    if (!item || item.team !== slug || item.state !== NEEDS_ATTENTION || item.change.collection !== "records") {
      return { gone: true };
    }
    const form = await findForm(slug, item.change.form);
    const subjectId = item.change.subject_id;
    return {
      item,
      form,
      formId: item.change.form,
      definition: definitionOf(form, item.change.form_version),
      subjectId,
      subject: subjectId ? await findSubject(slug, subjectId) : null,
      answers: item.change.data || {},
      errors: item.errors || {},
      key: draftKey({ team: slug, form: item.change.form, recordId: `fix-${item.seq}` }),
    };
  }
  const form = await findForm(slug, params.form);
  const subjectId = params.subject || null;
  return {
    form,
    formId: params.form,
    definition: form && form.data,
    subjectId,
    subject: subjectId ? await findSubject(slug, subjectId) : null,
    answers: {},
    errors: {},
    key: draftKey({ team: slug, form: params.form, subjectId }),
  };
}

function wayBack(team, state) {
  if (state.item) return { href: "#/sync", label: t("Sync") };
  if (state.record) return { href: teamHash(team.slug, "r", state.record.id), label: t("The record") };
  if (state.subject) return { href: teamHash(team.slug, "s", state.subject.id), label: state.subject.label };
  return { href: teamHash(team.slug), label: team.name };
}

// A volunteer walks from pitch to pitch: after a pitch, back to its market's list.
function afterSave(team, state) {
  const { subject } = state;
  if (subject && subject.kind === "pitch" && subject.data && subject.data.market_id) {
    return teamHash(team.slug, "s", subject.data.market_id);
  }
  return subject ? teamHash(team.slug, "s", subject.id) : teamHash(team.slug);
}

/** Show the form of the route: new, or a refused record to fix. */
export async function render(view) {
  const team = await findTeam(view.params.team);
  const state = team ? await opening(view.params) : { gone: true };
  if (state.gone || !state.definition) {
    view.title(t("Not found"));
    const [heading, words] = view.params.fix && state.gone
      ? [t("This record is not waiting for a fix"), t("It may have been fixed and sent already.")]
      : view.params.correct && state.gone ? [t("This record is not on this phone"), t("It may have been deleted.")]
        : view.params.correct ? [t("This record cannot be corrected on this phone"),
          t("The phone does not hold the version of the form it was made with. Sync, then try again.")]
          : [t("This form is not on this phone"),
            t("Your coordinator may have removed it. Sync to fetch the team's latest forms.")];
    replace(view.root, h("h1", { tabindex: "-1" }, heading), h("p", {}, words),
      h("p", {}, h("a", { href: view.params.fix ? "#/sync" : "#/" }, t("Back"))));
    return;
  }
  if (team.role === "viewer") {
    view.title(state.definition.title);
    replace(view.root, h("h1", { tabindex: "-1" }, state.definition.title),
      notice("info", h("p", {}, t("You can read this team’s records. Recording is for members."))));
    return;
  }
  // The form in the member's language, else its default (records keep values, not words).
  const definition = inLanguage(state.definition);
  const draft = await loadDraft(state.key);
  const answers = draft ? draft.answers : state.answers;
  const chooseSubject = Boolean(state.item && (state.errors.subject_id || (state.subjectId && !state.subject)));

  const keeper = draftKeeper(state.key, {
    team: team.slug, form: state.formId, title: definition.title,
    subject_id: state.subjectId, subject_label: state.subject ? state.subject.label : null,
    fix_seq: state.item ? state.item.seq : null,
  });
  view.onLeave(() => keeper.stop());

  let subjectForm = null;
  if (chooseSubject) {
    const choices = await subjectChoices(team.slug, definition);
    subjectForm = renderForm({
      fields: [{
        name: "subject_id", type: "choice", required: Boolean(definition.subject_kind),
        label: t("What is this record about?"), choices,
        hint: t("The one it was about is no longer on the list. Choose the right one."),
      }],
    }, { answers: {}, prefix: "about" });
  }

  const form = renderForm(definition, {
    answers,
    team: team.slug,
    onChange: (raw) => keeper.change(raw),
  });
  const why = state.asksReason
    ? reasonForm(t("Why correct it"), t("For the team's record: it goes with the correction to your coordinator."),
      { reason: state.reason })
    : null;
  const timing = timedCount(definition);
  const timer = timing ? countTimer(form, timing, answers) : null;
  if (timer) view.onLeave(() => timer.stop());

  const summarySlot = h("div", { class: "summary-slot" });
  const { byField, general } = splitErrors(form, state.errors, chooseSubject ? ["subject_id"] : []);
  if (chooseSubject && byField.subject_id) {
    subjectForm.showErrors({ subject_id: byField.subject_id });
    delete byField.subject_id;
  }
  form.showErrors(byField);

  const back = wayBack(team, state);
  const saveButton = h("button", { type: "submit", class: "primary big save" }, t("Save on this phone"));
  const element = h("form", { class: "record-form", novalidate: true, "aria-labelledby": "form-h" },
    subjectForm ? h("div", { class: "about-chooser" }, subjectForm.element) : null,
    timer ? timer.element : null,
    form.element,
    why ? h("div", { class: "why-chooser" }, why.element) : null,
    h("div", { class: "form-actions" }, saveButton));

  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const raw = form.answers();
    const errors = checkAnswers(definition, raw);
    const chosen = subjectForm ? subjectForm.answers().subject_id : state.subjectId;
    const aboutErrors = {};
    if (subjectForm && definition.subject_kind && !chosen) {
      aboutErrors.subject_id = [t("Choose what this record is about.")];
    }
    const general = [...(aboutErrors.subject_id || [])];
    // An empty record is a slip of the thumb, not a visit.
    if (!Object.keys(errors).length && !Object.keys(answersToSend(definition, raw)).length) {
      general.push(t("Answer at least one question before saving."));
    }
    form.showErrors(errors);
    if (subjectForm) subjectForm.showErrors(aboutErrors);
    const reason = why ? String(why.answers().reason || "").trim() : null;
    const whyErrors = {};
    if (why && !reason) whyErrors.reason = [t("Say why you correct it.")];
    else if (why && reason.length > MAX_REASON) whyErrors.reason = [t("Say why in at most {count} characters.", { count: formatNumber(MAX_REASON) })];
    if (why) why.showErrors(whyErrors);
    general.push(...(whyErrors.reason || []));
    if (Object.keys(errors).length || general.length) {
      const summary = errorSummary(form, errors, general);
      replace(summarySlot, summary);
      summary.focus();
      return;
    }
    saveButton.disabled = true;
    saveButton.textContent = t("Saving…");
    try {
      const data = answersToSend(definition, raw);
      if (state.item) {
        await updateRejected(state.item.seq, {
          data, form_version: definition.version, subject_id: chosen || null,
        });
      } else if (state.record) {
        await correctRecord({ team: team.slug, record: state.record, data, reason });
      } else {
        await saveRecord({
          team: team.slug, form: state.formId, formVersion: definition.version,
          subjectId: state.subjectId, data,
        });
      }
      await keeper.discard();
    } catch (error) {
      saveButton.disabled = false;
      saveButton.textContent = t("Save on this phone");
      const problem = notice("problem", h("p", {},
        t("This phone could not save it: {reason}. Your answers are still here; try again.", { reason: error.message || error })));
      problem.tabIndex = -1;
      replace(summarySlot, problem);
      problem.focus();
      return;
    }
    const next = state.item ? "#/sync" : state.record ? teamHash(team.slug, "r", state.record.id) : afterSave(team, state);
    const words = state.item ? t("Fixed and saved on this phone.")
      : state.record ? t("Corrected on this phone.") : t("Saved on this phone.");
    view.go(next, { flash: await savedNotice(words) });
  });

  view.title(state.record ? t("Correct: {form}", { form: definition.title }) : definition.title);
  const about = state.subject ? t("About {subject}", { subject: state.subject.label }) : null;
  replace(view.root,
    h("div", { class: "screen-head" },
      backLink(back.href, back.label),
      h("h1", { tabindex: "-1", id: "form-h" }, state.record ? t("Correct: {form}", { form: definition.title }) : definition.title),
      about ? h("p", { class: "lead" }, about) : null),
    state.item ? notice("problem",
      h("p", {}, h("strong", {}, t("The server could not accept this record.") + " "),
        t("Its reasons are next to the answers below. Fix them, then save: it will be sent again.")),
      general.length ? h("ul", { class: "server-messages" }, general.map((message) => h("li", {}, message))) : null,
      h("p", { class: "meta" }, t("Saved {when}.", { when: whenWords(state.item.saved_at) }))) : null,
    draft ? notice("info", h("p", {}, t("Restored what you typed {when}.", { when: whenWords(draft.saved_at) })),
      h("button", {
        type: "button", class: "link",
        onclick: async () => {
          await keeper.discard();
          view.go(window.location.hash);
        },
      }, t("Start again"))) : null,
    summarySlot,
    element);
}
