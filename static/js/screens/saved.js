// The notice after a save: "Saved on this phone. 2 records wait to sync."
// Its second sentence follows the outbox for as long as the notice is on
// screen, so it never says records wait beside a status bar that says
// "Nothing waiting" (the counts come with every fv:sync-state).

import { EVENT_SYNC_STATE } from "../constants.js";
import { outboxCounts } from "../outbox.js";
import { h, replace } from "./common.js";
import { t, tn } from "../i18n.js";

/** Return what waits, in words: "2 records wait to sync.", or that it has all arrived. */
export function waitingWords({ waiting, needsAttention }) {
  if (waiting) return tn("{count} record waits to sync.", "{count} records wait to sync.", waiting);
  // A record the server refused is said by the status bar and the Sync screen.
  return needsAttention ? "" : t("It has reached the server.");
}

/** Return the notice's paragraph: `what` ("Saved on this phone.") and what waits, kept current. */
export async function savedNotice(what) {
  const words = h("span", { class: "saved-waiting" }, waitingWords(await outboxCounts()));
  const paragraph = h("p", {}, what, " ", words);
  let shown = false;
  const follow = (event) => {
    if (!paragraph.isConnected) {
      if (shown) window.removeEventListener(EVENT_SYNC_STATE, follow);
      return;
    }
    shown = true;
    replace(words, waitingWords(event.detail));
  };
  window.addEventListener(EVENT_SYNC_STATE, follow);
  return paragraph;
}
