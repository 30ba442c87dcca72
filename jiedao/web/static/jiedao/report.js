// The report from the field: the phone's location resolved to a grid, photo previews, the on-the-spot fields.
(function () {
  "use strict";

  function setupLocation(form) {
    var button = form.querySelector("[data-locate]");
    var out = form.querySelector("[data-located]");
    var lng = form.querySelector("input[name=lng]");
    var lat = form.querySelector("input[name=lat]");
    if (!button || !out || !lng || !lat || !navigator.geolocation) { return; }
    button.hidden = false;

    function show(text) { out.textContent = text; }

    function resolve(x, y) {
      var url = form.getAttribute("data-resolve-url") + "?lng=" + encodeURIComponent(x) + "&lat=" + encodeURIComponent(y);
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.found && body.grid) {
            var where = body.grid.name + (body.community ? " · " + body.community.name : "");
            show(out.getAttribute("data-text-grid") + "：" + where + " (" + x + ", " + y + ")");
          } else {
            show((body.message || body.error || out.getAttribute("data-text-outside")) + " (" + x + ", " + y + ")");
          }
        });
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      show(out.getAttribute("data-text-locating"));
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var x = position.coords.longitude.toFixed(6);
          var y = position.coords.latitude.toFixed(6);
          lng.value = x;
          lat.value = y;
          resolve(x, y)
            .catch(function () { show(x + ", " + y); })
            .then(function () { button.disabled = false; });
        },
        function () {
          show(out.getAttribute("data-text-failed"));
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function setupPreviews(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-previews-for]"), function (box) {
      var input = document.getElementById(box.getAttribute("data-previews-for"));
      if (!input) { return; }
      var urls = [];
      input.addEventListener("change", function () {
        urls.forEach(function (url) { URL.revokeObjectURL(url); });
        urls = [];
        box.textContent = "";
        Array.prototype.forEach.call(input.files || [], function (file) {
          if (file.type.indexOf("image/") !== 0) { return; }
          var url = URL.createObjectURL(file);
          urls.push(url);
          var img = document.createElement("img");
          img.src = url;
          img.alt = file.name;
          box.appendChild(img);
        });
      });
    });
  }

  function setupOnTheSpot(form) {
    var box = form.querySelector("input[name=handled]");
    var fields = form.querySelector("[data-on-the-spot]");
    if (!box || !fields) { return; }
    function sync() { fields.hidden = !box.checked; }
    box.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-report-form]");
    if (!form) { return; }
    setupLocation(form);
    setupPreviews(form);
    setupOnTheSpot(form);
  });
})();
