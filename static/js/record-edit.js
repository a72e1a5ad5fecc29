// A coordinator's correction of a record on the web: the record's answers in
// the phone's own form (form/render.js and its checks, as the form preview
// uses them), so there is one renderer and one set of checks of answers. On
// submit the answers go, as JSON in a hidden field, with the page's form
// (its CSRF token, the rev it was loaded on and the reason); the server
// checks them again as it checks a phone's push, and its messages come back
// next to the questions. Definition, answers and errors come in JSON data
// blocks, which the page's Content Security Policy lets through.

import { t } from "./i18n.js";
import { answersToSend, checkAnswers } from "./form/checks.js";
import { h, replace } from "./form/dom.js";
import { renderForm } from "./form/render.js";
import { errorSummary } from "./screens/form.js";

function readJSON(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function start() {
  const definition = readJSON("form-definition");
  const form = renderForm(definition, { answers: readJSON("record-answers-data"), prefix: "correct" });
  const root = document.getElementById("record-answers");
  replace(root, form.element);
  form.showErrors(readJSON("record-errors"));
  const page = document.getElementById("correct-form");
  const summarySlot = page.querySelector(".summary-slot");
  page.addEventListener("submit", (event) => {
    const raw = form.answers();
    const errors = checkAnswers(definition, raw);
    form.showErrors(errors);
    if (Object.keys(errors).length) {
      event.preventDefault();
      const summary = errorSummary(form, errors);
      replace(summarySlot, summary);
      summary.focus();
      return;
    }
    document.getElementById("answers").value = JSON.stringify(answersToSend(definition, raw));
  });
}

try {
  start();
} catch (error) {
  replace(document.getElementById("record-answers"), h("div", { class: "notice notice-problem", role: "alert" },
    h("p", {}, t("The answers cannot be shown ({problem}). Go back to the record and try again.", { problem: error.message }))));
}
