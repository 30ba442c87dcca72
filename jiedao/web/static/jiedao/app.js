// Small behaviours of the shell: the phone navigation toggle; a failed htmx request says so; typed forms keep a draft.
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

  // Drafts (jiedao/web/drafts.py): a form marked data-draft="KEY" keeps its typed fields in this tab's sessionStorage
  // until a success message marked data-draft-done="KEY" says the server saved them; rendered empty
  // (data-draft-restore), it fills them back in. Password, file and search inputs are never kept, nor hidden ones
  // unless marked data-draft-keep (a picker's value, kept with the <output> that names it).
  var DRAFT = "jiedao-draft:";
  var SKIPPED = ["hidden", "password", "file", "search", "submit", "button", "reset", "image"];

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !field.disabled && (SKIPPED.indexOf(field.type) < 0 || field.hasAttribute("data-draft-keep"));
    });
  }

  function readDraft(key) {
    try {
      return JSON.parse(window.sessionStorage.getItem(DRAFT + key) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeDraft(key, values) {
    try {
      if (values) {
        window.sessionStorage.setItem(DRAFT + key, JSON.stringify(values));
      } else {
        window.sessionStorage.removeItem(DRAFT + key);
      }
    } catch (error) {
      // Storage full or forbidden (a private window): the form works as before, without a draft.
    }
  }

  function fieldValue(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked;
    }
    if (field.multiple) {
      return Array.prototype.filter.call(field.options, function (o) { return o.selected; }).map(function (o) {
        return o.value;
      });
    }
    return field.value;
  }

  function saveDraft(form) {
    var values = {};
    var typed = false;
    draftFields(form).forEach(function (field) {
      var value = fieldValue(field);
      var changed = field.type === "checkbox" || field.type === "radio" ? value !== field.defaultChecked
        : field.tagName === "SELECT" ? Array.prototype.some.call(field.options, function (o) {
          return o.selected !== o.defaultSelected;
        }) : value !== field.defaultValue;
      typed = typed || changed;
      values[field.name + (field.type === "radio" ? "=" + field.value : "")] = value;
    });
    writeDraft(form.dataset.draft, typed ? values : null);
  }

  function restoreDraft(form) {
    var values = readDraft(form.dataset.draft);
    if (!values) {
      return;
    }
    var restored = [];
    draftFields(form).forEach(function (field) {
      var key = field.name + (field.type === "radio" ? "=" + field.value : "");
      if (!(key in values)) {
        return;
      }
      var value = values[key];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = Boolean(value);
      } else if (field.multiple && Array.isArray(value)) {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
      } else if (typeof value === "string" && field.value !== value) {
        field.value = value;
        restored.push(field);
      }
    });
    if (!restored.length) {
      return;
    }
    var details = form.closest("details");
    if (details) {
      details.open = true;
    }
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.setAttribute("data-draft-note", "");
    note.textContent = (document.body.dataset.draftText || "") + " ";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = document.body.dataset.draftClearText || "";
    clear.addEventListener("click", function () {
      writeDraft(form.dataset.draft, null);
      form.reset();
      // A hidden input's value is its default: reset leaves it, so it goes back to what the page brought.
      form.querySelectorAll("input[type=hidden][data-draft-keep]").forEach(function (field) {
        field.value = field.dataset.draftDefault || "";
      });
      note.remove();
    });
    note.appendChild(clear);
    form.insertBefore(note, form.firstChild);
    // What listens to typing (suggestions, the duplicate hint, the map marker) hears the restored text too.
    restored.forEach(function (field) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setUpDrafts() {
    document.querySelectorAll("[data-draft-done]").forEach(function (done) {
      writeDraft(done.getAttribute("data-draft-done"), null);
    });
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      form.querySelectorAll("input[type=hidden][data-draft-keep]").forEach(function (field) {
        field.dataset.draftDefault = field.value;
      });
      if (form.hasAttribute("data-draft-restore")) {
        restoreDraft(form);
      }
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpDrafts();
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
