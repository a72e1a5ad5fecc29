// The first screen: the team picker. Someone in one team goes straight to it.

import { h, notice, replace, rowLink, teamHash } from "./common.js";
import { listTeams } from "./local.js";
import { t } from "../i18n.js";

export const NAME = "teams";

/** Return the words for a team's kind ("Care circle"). */
export function kindWords(kind) {
  const words = { "care-circle": t("Care circle"), "market-survey": t("Market survey"), evaluation: t("Evaluation") };
  return words[kind] || kind;
}

/** Return the words for the person's role in a team ("you record"). */
function roleWords(role) {
  const words = { coordinator: t("you coordinate"), member: t("you record"), viewer: t("you read") };
  return words[role] || role;
}

/** Show the user's teams, or open the only one. */
export async function render(view) {
  const teams = await listTeams();
  if (teams.length === 1) {
    view.go(teamHash(teams[0].slug), { replace: true });
    return;
  }
  view.title(t("Your teams"));
  if (!teams.length) {
    replace(view.root,
      h("h1", { tabindex: "-1" }, t("No team yet")),
      notice("info", h("p", {}, t("You are not in a team on this phone yet. Ask your coordinator for an invite link, "
        + "then open fvfield again while you have a connection."))));
    return;
  }
  replace(view.root,
    h("h1", { tabindex: "-1" }, t("Your teams")),
    h("p", { class: "lead" }, t("Choose the team you are working with today.")),
    h("ul", { class: "rows" }, teams.map((team) => h("li", {},
      rowLink(teamHash(team.slug), team.name,
        `${kindWords(team.kind)} · ${roleWords(team.role)}`)))));
}
