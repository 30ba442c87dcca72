// Small behaviours of the shell: the phone navigation toggle; a failed htmx request says so.
(function () {
  "use strict";

  // htmx leaves the page as it was when a request fails: without this the click would seem to do nothing.
  function showRequestError(text) {
    var main = document.querySelector("main.content");
    if (!main || !text) {
      return;
    }
    var list = main.querySelector(".messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      main.insertBefore(list, main.firstChild);
    }
    var item = list.querySelector("[data-request-error]");
    if (!item) {
      item = document.createElement("li");
      item.className = "error";
      item.setAttribute("role", "alert");
      item.setAttribute("data-request-error", "");
      list.appendChild(item);
    }
    item.textContent = text;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : "";
    var key = status === 503 ? "busyText" : "errorText";
    showRequestError((document.body.dataset[key] || "").replace("{status}", String(status)));
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError(document.body.dataset.offlineText || "");
  });

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("mainnav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  });
})();
