// A team's home: the people a care circle supports, or the markets a survey
// team walks, with a search box; forms about nothing in particular; drafts
// left unfinished on this phone.

import { teamDrafts } from "../form/drafts.js";
import { backLink, bigLink, h, notice, replace, rowLink, searchList, teamHash, whenWords } from "./common.js";
import { kindWords } from "./home.js";
import { allSubjects, byLabel, findTeam, listForms, listSubjects, listTeams } from "./local.js";
import { t } from "../i18n.js";

export const NAME = "team";

// What each kind of team lists first, in its members' words.
function mainKind(kind) {
  const kinds = {
    "care-circle": {
      kind: "person", heading: t("People"), search: t("Search people"),
      empty: t("No people yet. Your coordinator adds the people your circle supports; they arrive at the next sync."),
    },
    "market-survey": {
      kind: "market", heading: t("Markets"), search: t("Search markets"),
      empty: t("No markets yet. Your coordinator adds them; they arrive at the next sync."),
    },
    // An evaluation's participants; teams made before participants were a kind listed people.
    evaluation: {
      kind: "participant", also: ["person"], heading: t("Participants"), search: t("Search participants"),
      empty: t("No participants yet. Your coordinator adds the people taking part; they arrive at the next sync."),
    },
  };
  return kinds[kind];
}
const CHILD_KINDS = new Set(["pitch"]);

function subjectRows(team, subjects) {
  return subjects.map((subject) => ({
    text: `${subject.label} ${summaryOf(subject)}`,
    node: rowLink(teamHash(team, "s", subject.id), subject.label, summaryOf(subject)),
  }));
}

function summaryOf(subject) {
  const data = subject.data || {};
  const line = data.summary || data.address || data.area || data.location || data.days || data.group || "";
  return typeof line === "string" ? line : "";
}

async function subjectsFor(team) {
  const main = mainKind(team.kind);
  if (main && main.also) {
    const lists = await Promise.all([main.kind, ...main.also].map((kind) => listSubjects(team.slug, kind)));
    return lists.flat().sort(byLabel);
  }
  if (main) return listSubjects(team.slug, main.kind);
  return (await allSubjects(team.slug)).filter((subject) => !CHILD_KINDS.has(subject.kind));
}

/** Show the team's people or markets, forms for anyone, and drafts. */
export async function render(view) {
  const team = await findTeam(view.params.team);
  if (!team) {
    view.title(t("Team not found"));
    replace(view.root, h("h1", { tabindex: "-1" }, t("This team is not on this phone")),
      h("p", {}, h("a", { href: "#/" }, t("Your teams"))));
    return;
  }
  const main = mainKind(team.kind) || { heading: t("What you record about"), search: t("Search"), empty: t("Nothing here yet.") };
  const [subjects, forms, drafts, teams] = await Promise.all([
    subjectsFor(team), listForms(team.slug), teamDrafts(team.slug), listTeams(),
  ]);
  view.title(team.name);
  const canRecord = team.role !== "viewer";
  const list = searchList({
    label: main.search, rows: subjectRows(team.slug, subjects), empty: main.empty,
  });
  // A form published meanwhile arrives with a sync: its link appears without leaving the screen.
  const others = h("div", { class: "other-forms" });
  const showForms = (found) => replace(others, canRecord ? otherForms(team.slug, found) : null);
  showForms(forms);
  view.onRefresh(async () => {
    const [now, found] = await Promise.all([subjectsFor(team), listForms(team.slug)]);
    list.update(subjectRows(team.slug, now));
    showForms(found);
  });

  replace(view.root,
    h("div", { class: "screen-head" },
      teams.length > 1 ? backLink("#/", t("Your teams")) : null,
      h("h1", { tabindex: "-1" }, team.name),
      h("p", { class: "lead" }, kindWords(team.kind))),
    canRecord ? null : notice("info", h("p", {}, t("You can read this team’s records. Recording is for members."))),
    drafts.length && canRecord ? h("section", { class: "section drafts", "aria-labelledby": "drafts-h" },
      h("h2", { id: "drafts-h" }, t("Unfinished on this phone")),
      h("ul", { class: "rows" }, drafts.map((draft) => h("li", {}, rowLink(draftHash(draft),
        draft.title || draft.form, [draft.subject_label, t("Last typed {when}", { when: whenWords(draft.saved_at) })]
          .filter(Boolean).join(" · ")))))) : null,
    h("section", { class: "section", "aria-labelledby": "main-h" },
      h("h2", { id: "main-h" }, main.heading), list.element),
    others);
}

/** The forms about nothing in particular, as big links; nothing when there are none. */
function otherForms(team, forms) {
  const general = forms.filter((form) => !form.data.subject_kind);
  if (!general.length) return null;
  return h("section", { class: "section", "aria-labelledby": "forms-h" },
    h("h2", { id: "forms-h" }, t("Other forms")),
    h("div", { class: "actions stack-actions" }, general.map((form) => bigLink(
      teamHash(team, "new", form.id), form.data.title))));
}

function draftHash(draft) {
  if (draft.fix_seq) return teamHash(draft.team, "fix", String(draft.fix_seq));
  if (draft.subject_id) return teamHash(draft.team, "s", draft.subject_id, "new", draft.form);
  return teamHash(draft.team, "new", draft.form);
}
