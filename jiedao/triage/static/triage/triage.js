// Suggestions of the triage models: a click on a suggested category fills the registration form's category
// picker; a click on a suggested unit selects it in the dispatch form around it. The dispatcher may still
// choose anything else: what she chose is recorded next to what was suggested.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var category = ev.target.closest("[data-suggest-category]");
    if (category) {
      var picker = document.querySelector("[data-category-picker]");
      if (!picker) { return; }
      var hidden = picker.querySelector("input[type=hidden]");
      hidden.value = category.getAttribute("data-suggest-category");
      picker.querySelector("[data-category-chosen]").value = category.getAttribute("data-path");
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      category.parentNode.querySelectorAll("[data-suggest-category]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === category ? "true" : "false");
      });
      return;
    }
    var unit = ev.target.closest("[data-suggest-unit]");
    if (unit) {
      var select = unit.closest("form").querySelector("select[name$=unit]");
      if (select) {
        select.value = unit.getAttribute("data-suggest-unit");
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });
})();
