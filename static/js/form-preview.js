// The form editor's preview: a form definition rendered by the phone's own
// modules (form/render.js, its checks and the count timer) inside the
// phone's markup and stylesheets, so a coordinator sees exactly what carers
// and volunteers will see. "Save" runs the phone's checks and saves nothing.
// The definition comes from a <script type="application/json"> block: data
// the page's Content Security Policy lets through because it never runs.

import { t, tn } from "./i18n.js";
import { answersToSend, checkAnswers } from "./form/checks.js";
import { h, replace } from "./form/dom.js";
import { renderForm } from "./form/render.js";
import { countTimer, timedCount } from "./form/timer.js";
import { errorSummary } from "./screens/form.js";

function readDefinition() {
  const block = document.getElementById("form-definition");
  return JSON.parse(block.textContent);
}

function showPreview(root, definition) {
  const form = renderForm(definition, { prefix: "preview" });
  const timing = timedCount(definition);
  const timer = timing ? countTimer(form, timing, {}) : null;
  const summarySlot = h("div", { class: "summary-slot" });
  const saveButton = h("button", { type: "submit", class: "primary big save" }, t("Save on this phone"));
  const element = h("form", { class: "record-form", novalidate: true, "aria-labelledby": "form-h" },
    timer ? timer.element : null,
    form.element,
    h("div", { class: "form-actions" }, saveButton));
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    const raw = form.answers();
    const errors = checkAnswers(definition, raw);
    form.showErrors(errors);
    let shown;
    if (Object.keys(errors).length) {
      shown = errorSummary(form, errors);
    } else {
      const answered = Object.keys(answersToSend(definition, raw)).length;
      shown = h("div", { class: "notice notice-saved", role: "status", tabindex: "-1" },
        h("p", {}, tn(
          "The phone would accept these answers ({count} answer). This is a preview: nothing was saved.",
          "The phone would accept these answers ({count} answers). This is a preview: nothing was saved.",
          answered)));
    }
    replace(summarySlot, shown);
    shown.focus();
  });
  replace(root, summarySlot, element);
}

const root = document.getElementById("preview-form");
try {
  showPreview(root, readDefinition());
} catch (error) {
  replace(root, h("div", { class: "notice notice-problem", role: "alert" },
    h("p", {}, t("This form cannot be shown yet ({problem}). Fix its problems in the editor, then preview it again.", { problem: error.message }))));
}
