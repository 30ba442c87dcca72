// The category picker of the registration form: htmx fills the options; a click or Enter chooses one.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var picker = document.querySelector("[data-category-picker]");
    if (!picker) { return; }
    var hidden = picker.querySelector("input[type=hidden]");
    var search = picker.querySelector("input[type=search]");
    var list = picker.querySelector("[role=listbox]");
    var chosen = picker.querySelector("[data-category-chosen]");
    function choose(option) {
      hidden.value = option.getAttribute("data-category-id");
      chosen.textContent = option.getAttribute("data-path");
      list.innerHTML = "";
      search.value = "";
    }
    list.addEventListener("click", function (ev) {
      var option = ev.target.closest("[role=option]");
      if (option) { choose(option); }
    });
    search.addEventListener("keydown", function (ev) {
      var options = Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
      if (!options.length) { return; }
      var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        var next = ev.key === "ArrowDown" ? Math.min(current + 1, options.length - 1) : Math.max(current - 1, 0);
        options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        choose(options[current >= 0 ? current : 0]);
      }
    });
  });
})();
