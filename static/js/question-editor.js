// The form editor's question page, tidied: only the options of the chosen
// type, and only the answers of the question a rule depends on. Without this
// script every group shows, each saying what it is for, and the server reads
// only the ones that apply.

function showMatching(select, attribute) {
  const groups = document.querySelectorAll(`[${attribute}]`);
  const update = () => {
    for (const group of groups) {
      group.hidden = !group.getAttribute(attribute).split(" ").includes(select.value);
    }
  };
  select.addEventListener("change", update);
  update();
}

const kind = document.getElementById("kind");
const rule = document.getElementById("show_if_field");
if (kind) showMatching(kind, "data-types");
if (rule) showMatching(rule, "data-rule-for");
