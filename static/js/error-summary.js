// Focus the page's error summary when a form comes back with problems, as
// GOV.UK's pattern does: a screen reader reads it first, and each link
// moves to the box that needs fixing (fvfield/problems_summary.py).
const summary = document.querySelector('.error-summary');
if (summary) {
  summary.focus();
}
