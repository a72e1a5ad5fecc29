// A position question: "Get position" asks the phone's GPS once and shows
// how accurate the fix is, so a volunteer under a market roof can try again.

import { h, replace } from "./dom.js";

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
  if (answer.accuracy === null || answer.accuracy === undefined) return `${where} (accuracy unknown)`;
  return `${where}, accurate to ${Math.round(answer.accuracy)} m`;
}

function failure(error) {
  if (error.code === 1) {
    return "The phone did not allow this app to use its location. Allow location for this site in the browser's settings, then try again.";
  }
  if (error.code === 3) return "No position yet. Step outside or near a window, then try again.";
  return "The phone could not find its position. Try again in a moment.";
}

/** Ask the phone for its position once; resolve with an answer or reject with a sentence. */
export function getPosition() {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error("This phone's browser cannot give a position."));
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
  }, "Get position");
  const clear = h("button", { type: "button", class: "link clear", hidden: true }, "Remove position");
  const show = () => {
    replace(status, answer ? describePosition(answer) : "No position yet.");
    button.textContent = answer ? "Get position again" : "Get position";
    clear.hidden = !answer || field.required;
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(status, "Finding the position…");
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
