// The timer of a timed count (footfall): "Start the count" writes the start
// time into the form's date-and-time question, a clock shows how long the
// count has run, and "Stop" writes the minutes into the minutes question.
// The start time is an answer, so a reload mid-count keeps the clock going.

import { h, replace } from "./dom.js";
import { t, tn } from "../i18n.js";

/** Return the start (datetime) and minutes (integer) fields of a timed count, or null. */
export function timedCount(definition) {
  const fields = definition.fields || [];
  if (!fields.some((field) => field.type === "counter")) return null;
  const start = fields.find((field) => field.type === "datetime");
  const minutes = fields.find((field) => field.type === "integer" && /minute/i.test(`${field.name} ${field.label}`));
  return start && minutes ? { start, minutes } : null;
}

function clock(milliseconds) {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/**
 * Return the timer panel for `form` (a renderForm view) given the fields of
 * timedCount(); `answers` are the answers it opened with.
 */
export function countTimer(form, { start, minutes }, answers) {
  let startedAt = null;
  let ticker = null;
  const face = h("p", { class: "timer-face", role: "timer", "aria-live": "off" }, "00:00");
  const words = h("p", { class: "timer-words", role: "status" }, t("Start the timer when you start counting."));
  const startButton = h("button", { type: "button", class: "primary big" }, t("Start the count"));
  const stopButton = h("button", { type: "button", class: "big", hidden: true }, t("Stop"));

  const tick = () => replace(face, clock(Date.now() - startedAt));
  const run = (from) => {
    startedAt = from;
    clearInterval(ticker);
    ticker = setInterval(tick, 1000);
    tick();
    startButton.hidden = true;
    stopButton.hidden = false;
    replace(words, t("Counting. Tap + for each person who passes."));
  };
  startButton.addEventListener("click", () => {
    run(Date.now());
    form.set(start.name, isoNow());
    form.set(minutes.name, null);
  });
  stopButton.addEventListener("click", () => {
    tick();
    clearInterval(ticker);
    ticker = null;
    const counted = Math.max(1, Math.round((Date.now() - startedAt) / 60000));
    form.set(minutes.name, counted);
    startButton.hidden = false;
    startButton.textContent = t("Start a new count");
    stopButton.hidden = true;
    replace(words, tn("Stopped after {count} minute. Save the count below.", "Stopped after {count} minutes. Save the count below.", counted));
  });

  const began = Date.parse(answers[start.name]);
  if (Number.isFinite(began) && answers[minutes.name] === undefined) run(began);

  return {
    element: h("section", { class: "timer", "aria-label": t("Count timer") }, face, words,
      h("div", { class: "timer-actions" }, startButton, stopButton)),
    stop() { clearInterval(ticker); },
  };
}

// The question keeps minute precision, as a person would write the time.
function isoNow() {
  const date = new Date();
  const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:00`
    + `${offset >= 0 ? "+" : "-"}${pad(offset / 60)}:${pad(offset % 60)}`;
}
