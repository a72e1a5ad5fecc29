// The first screen: the team picker. Someone in one team goes straight to it.

import { h, notice, replace, rowLink, teamHash } from "./common.js";
import { listTeams } from "./local.js";

export const NAME = "teams";

const KIND_WORDS = {
  "care-circle": "Care circle",
  "market-survey": "Market survey",
  evaluation: "Evaluation",
};
const ROLE_WORDS = { coordinator: "you coordinate", member: "you record", viewer: "you read" };

/** Return the words for a team's kind ("Care circle"). */
export function kindWords(kind) {
  return KIND_WORDS[kind] || kind;
}

/** Show the user's teams, or open the only one. */
export async function render(view) {
  const teams = await listTeams();
  if (teams.length === 1) {
    view.go(teamHash(teams[0].slug), { replace: true });
    return;
  }
  view.title("Your teams");
  if (!teams.length) {
    replace(view.root,
      h("h1", { tabindex: "-1" }, "No team yet"),
      notice("info", h("p", {}, "You are not in a team on this phone yet. Ask your coordinator for an invite link, "
        + "then open fvfield again while you have a connection.")));
    return;
  }
  replace(view.root,
    h("h1", { tabindex: "-1" }, "Your teams"),
    h("p", { class: "lead" }, "Choose the team you are working with today."),
    h("ul", { class: "rows" }, teams.map((team) => h("li", {},
      rowLink(teamHash(team.slug), team.name,
        `${kindWords(team.kind)} · ${ROLE_WORDS[team.role] || team.role}`)))));
}
