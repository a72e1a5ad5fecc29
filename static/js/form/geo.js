// A position question: "Get position" asks the phone's GPS once and shows
// how accurate the fix is, so a volunteer under a market roof can try again.

import { h, replace } from "./dom.js";
import { formatNumber, t } from "../i18n.js";

const OPTIONS = { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 };

function round(number, places) {
  const factor = 10 ** places;
  return Math.round(number * factor) / factor;
}

/** Return a position answer {lat, lon, accuracy} from a Geolocation position. */
export function positionAnswer(position) {
  const { latitude, longitude, accuracy } = position.coords;
  return {
    lat: round(latitude, 6),
    lon: round(longitude, 6),
    accuracy: Number.isFinite(accuracy) ? round(accuracy, 1) : null,
  };
}

/** Return the words that describe a position answer to a person. */
export function describePosition(answer) {
  const where = `${answer.lat.toFixed(5)}, ${answer.lon.toFixed(5)}`;
  if (answer.accuracy === null || answer.accuracy === undefined) return where + " " + t("(accuracy unknown)");
  return t("{where}, accurate to {metres} m", { where, metres: formatNumber(Math.round(answer.accuracy)) });
}

function failure(error) {
  if (error.code === 1) {
    return t("The phone did not allow this app to use its location. "
      + "Allow location for this site in the browser's settings, then try again.");
  }
  if (error.code === 3) return t("No position yet. Step outside or near a window, then try again.");
  return t("The phone could not find its position. Try again in a moment.");
}

/** Ask the phone for its position once; resolve with an answer or reject with a sentence. */
export function getPosition() {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error(t("This phone's browser cannot give a position.")));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(positionAnswer(position)),
      (error) => reject(new Error(failure(error))),
      OPTIONS,
    );
  });
}

/** Build the widget of a geopoint question (see render.js for the contract). */
export function positionWidget(field, ids, emit) {
  let answer = null;
  const status = h("p", { class: "geo-status", id: `${ids.input}-status`, role: "status" });
  const button = h("button", {
    type: "button", class: "primary geo-get", id: ids.input, "aria-describedby": status.id,
  }, t("Get position"));
  const clear = h("button", { type: "button", class: "link clear", hidden: true }, t("Remove position"));
  const show = () => {
    replace(status, answer ? describePosition(answer) : t("No position yet."));
    button.textContent = answer ? t("Get position again") : t("Get position");
    clear.hidden = !answer || field.required;
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(status, t("Finding the position…"));
    try {
      answer = await getPosition();
      emit(answer);
    } catch (error) {
      replace(status, error.message);
      button.disabled = false;
      return;
    }
    button.disabled = false;
    show();
  });
  clear.addEventListener("click", () => {
    answer = null;
    emit(null);
    show();
    button.focus();
  });
  return {
    body: [h("div", { class: "geo" }, button, status), clear],
    set(value) {
      answer = value && typeof value === "object" && Number.isFinite(value.lat) ? value : null;
      show();
    },
    focus: () => button.focus(),
  };
}
