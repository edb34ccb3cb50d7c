// Keyboard of the review page: a accept, 1–9 pick a candidate (1 = the top candidate of what is in
// doubt), w apply the pick to all rows with this wording, c choose from the catalogue, e edit another
// field, s/j next, k previous, u undo my last action. Ignored while typing in a field.
document.addEventListener("keydown", function (event) {
  const t = event.target;
  if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) {
    if (event.key === "Escape") t.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const click = (selector) => { const el = document.querySelector(selector); if (el) { el.click(); event.preventDefault(); } };
  const focus = (selector) => { const el = document.querySelector(selector); if (el) { el.focus(); event.preventDefault(); } };
  switch (event.key) {
    case "a": click("#accept"); break;
    case "u": click("#undo"); break;
    case "s": case "j": click("#next"); break;
    case "k": click("#prev"); break;
    case "w": click("#all-wording"); break;
    case "c": focus("#picker-value"); break;
    case "e": { const d = document.querySelector("#edit"); if (d) d.open = true; focus("#edit-value"); break; }
    default:
      if (/^[1-9]$/.test(event.key)) click('button[data-key="' + event.key + '"]');
  }
});

document.addEventListener("DOMContentLoaded", function () {
  // "apply to all rows with this wording" travels with every pick form
  const all = document.querySelector("#all-wording");
  const sync = () => document.querySelectorAll("input.all-wording").forEach((i) => { i.value = all && all.checked ? "1" : ""; });
  if (all) { all.addEventListener("change", sync); sync(); }
  // the catalogue picker searches the list of the chosen kind
  const kind = document.querySelector("#picker-kind"), value = document.querySelector("#picker-value");
  if (kind && value) kind.addEventListener("change", () => { value.setAttribute("list", "list-" + kind.value); value.value = ""; value.focus(); });
  // the source crop: click to see it larger (rendered sharper, not stretched)
  const crop = document.querySelector("#crop");
  if (crop) crop.addEventListener("click", () => {
    const zoomed = crop.classList.toggle("zoomed");
    if (!crop.dataset.small) crop.dataset.small = crop.getAttribute("src");
    crop.setAttribute("src", zoomed ? crop.dataset.zoomSrc : crop.dataset.small);
  });
});

// A refused edit (422) carries its reason as HTML: show it instead of dropping it.
if (window.htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
}
