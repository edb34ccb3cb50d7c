// Keyboard shortcuts of the review page: a accept, 1-3 pick an indicator candidate, e edit,
// s skip (next), k previous, u undo. Ignored while typing in a field.
document.addEventListener("keydown", function (event) {
  const t = event.target;
  if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const click = (selector) => { const el = document.querySelector(selector); if (el) { el.click(); event.preventDefault(); } };
  switch (event.key) {
    case "a": click("#accept"); break;
    case "u": click("#undo"); break;
    case "s": case "j": click("#next"); break;
    case "k": click("#prev"); break;
    case "e": { const v = document.querySelector("#edit-value"); if (v) { v.focus(); event.preventDefault(); } break; }
    case "1": case "2": case "3": click('button[data-key="' + event.key + '"]'); break;
  }
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
