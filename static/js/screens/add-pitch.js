// "Add a pitch": a volunteer finds a stall that is not on the list and adds
// it, offline, as a subject of kind pitch with data.market_id pointing at the
// market (the convention in docs/field-app.md, "Markets and pitches").

import { checkAnswers } from "../form/checks.js";
import { renderForm } from "../form/render.js";
import { saveSubject } from "../outbox.js";
import { backLink, h, notice, replace, teamHash } from "./common.js";
import { errorSummary } from "./form.js";
import { findSubject, findTeam, pitchesOf } from "./local.js";
import { savedNotice } from "./saved.js";
import { locale, t } from "../i18n.js";

export const NAME = "add-pitch";

/** Return the questions of a new pitch (a form definition the phone checks like any other). */
export function pitchQuestions() {
  return {
    id: "new-pitch",
    title: t("Add a pitch"),
    fields: [
      {
        name: "label", type: "text", label: t("Pitch number or name"), required: true, max_length: 120,
        hint: t("As it is painted on the ground or shown on the stall, for example 14B."),
      },
      {
        name: "unit_type", type: "choice", label: t("Type of unit"), required: true,
        choices: [
          { value: "stall", label: t("Stall") },
          { value: "kiosk", label: t("Kiosk") },
          { value: "shop", label: t("Shop") },
        ],
      },
    ],
  };
}

/** Show the "Add a pitch" form for the market in the route. */
export async function render(view) {
  const { team: slug, subject: marketId } = view.params;
  const [team, market] = await Promise.all([findTeam(slug), findSubject(slug, marketId)]);
  if (!team || !market || market.kind !== "market") {
    view.title(t("Not found"));
    replace(view.root, h("h1", { tabindex: "-1" }, t("This market is not on this phone")),
      h("p", {}, h("a", { href: team ? teamHash(slug) : "#/" }, t("Back"))));
    return;
  }
  view.title(t("Add a pitch") + " · " + market.label);
  if (team.role === "viewer") {
    replace(view.root, h("h1", { tabindex: "-1" }, t("Add a pitch")),
      notice("info", h("p", {}, t("You can read this team’s records. Adding pitches is for members."))));
    return;
  }
  const questions = pitchQuestions();
  const form = renderForm(questions, { team: slug, prefix: "pitch" });
  const summarySlot = h("div", { class: "summary-slot" });
  const saveButton = h("button", { type: "submit", class: "primary big save" }, t("Add the pitch"));
  const element = h("form", { class: "record-form", novalidate: true, "aria-labelledby": "form-h" },
    form.element, h("div", { class: "form-actions" }, saveButton));

  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = form.answers();
    const errors = checkAnswers(questions, answers);
    const label = typeof answers.label === "string" ? answers.label.trim() : "";
    const taken = (await pitchesOf(slug, market.id))
      .some((pitch) => pitch.label.trim().toLocaleLowerCase(locale()) === label.toLocaleLowerCase(locale()));
    if (label && taken) errors.label = [t("{label} is already on this market’s list: find it there to survey it.", { label })];
    form.showErrors(errors);
    if (Object.keys(errors).length) {
      const summary = errorSummary(form, errors);
      replace(summarySlot, summary);
      summary.focus();
      return;
    }
    saveButton.disabled = true;
    try {
      await saveSubject({
        team: slug, kind: "pitch", label, data: { market_id: market.id, unit_type: answers.unit_type },
      });
    } catch (error) {
      saveButton.disabled = false;
      replace(summarySlot, notice("problem", h("p", {}, t("This phone could not save it: {reason}", { reason: error.message || error }))));
      return;
    }
    view.go(teamHash(slug, "s", market.id), { flash: await savedNotice(t("Pitch {label} added on this phone.", { label })) });
  });

  replace(view.root,
    h("div", { class: "screen-head" },
      backLink(teamHash(slug, "s", market.id), market.label),
      h("h1", { tabindex: "-1", id: "form-h" }, t("Add a pitch")),
      h("p", { class: "lead" }, t("A pitch of {market} that is not on the list yet.", { market: market.label }))),
    summarySlot,
    element);
}
