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
      // An <output>: setting its value keeps what the page brought as its default, so a draft sees the change.
      chosen.value = option.getAttribute("data-path");
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
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

// The registration map: grids on a blank base (tiles only when configured). A click sets the longitude and
// latitude, typed coordinates move the marker, and the point is resolved to its grid, which fills the place
// select. Without this script the fields work alone; the map stays hidden.
(function () {
  "use strict";
  var DIGITS = 6;
  var COLOURS = { community: "#2563eb", grid: "#f59e0b" };

  function announce(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-register-map]");
    if (!box || !window.L) { return; }
    var form = box.closest("form");
    var lngField = form.querySelector("[data-point=lng]");
    var latField = form.querySelector("[data-point=lat]");
    var placeField = form.querySelector("select[name=place]");
    var resolved = box.querySelector("[data-resolved]");
    var el = box.querySelector(".map");
    var tileUrl = box.getAttribute("data-tile-url");
    box.hidden = false;
    var map = L.map(el, { zoomSnap: 0.25, keyboard: false, attributionControl: !!tileUrl });
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: box.getAttribute("data-tile-attribution"), maxZoom: 19 }).addTo(map);
    }
    map.setView([30, 120], 4);
    var marker = null;
    var timer = null;
    var asked = 0;

    function typedPoint() {
      var lng = parseFloat(lngField.value);
      var lat = parseFloat(latField.value);
      if (isNaN(lng) || isNaN(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) { return null; }
      return L.latLng(lat, lng);
    }

    function choosePlace(places) {
      for (var i = 0; i < places.length; i++) {
        if (places[i] && placeField.querySelector('option[value="' + places[i].id + '"]')) {
          if (placeField.value !== String(places[i].id)) {
            placeField.value = String(places[i].id);
            announce(placeField);
          }
          return;
        }
      }
    }

    function resolve(latlng) {
      var ticket = ++asked;
      var url = box.getAttribute("data-resolve-url") + "?lng=" + latlng.lng + "&lat=" + latlng.lat;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (ticket !== asked) { return; }  // a later point was asked for meanwhile
          if (!data.found) {
            resolved.textContent = data.message || data.error || "—";
            resolved.removeAttribute("data-grid-id");
            return;
          }
          resolved.textContent = [data.grid, data.community].filter(Boolean)
            .map(function (p) { return p.name; }).join(" · ");
          resolved.setAttribute("data-grid-id", String(data.grid.id));
          choosePlace([data.grid, data.community]);
        });
    }

    function pointMoved() {
      var latlng = typedPoint();
      clearTimeout(timer);
      if (!latlng) {
        if (marker) { map.removeLayer(marker); marker = null; }
        resolved.textContent = "—";
        return;
      }
      if (marker) { marker.setLatLng(latlng); }
      else { marker = L.circleMarker(latlng, { radius: 7, color: "#dc2626", fillOpacity: 0.8, interactive: false }).addTo(map); }
      if (!map.getBounds().contains(latlng)) { map.panTo(latlng); }
      timer = setTimeout(function () { resolve(latlng); }, 250);
    }

    lngField.addEventListener("input", pointMoved);
    latField.addEventListener("input", pointMoved);
    map.on("click", function (ev) {
      lngField.value = ev.latlng.lng.toFixed(DIGITS);
      latField.value = ev.latlng.lat.toFixed(DIGITS);
      announce(lngField);
      announce(latField);
    });

    fetch(box.getAttribute("data-layer-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // Drawn only: clicks go through the polygons to the map, which sets the point.
        data.features.sort(function (a, b) { return (a.properties.level === "grid") - (b.properties.level === "grid"); });
        var layer = L.geoJSON(data, {
          interactive: false,
          style: function (feature) {
            var isGrid = feature.properties.level === "grid";
            var colour = isGrid ? COLOURS.grid : COLOURS.community;
            return {
              color: colour, fillColor: colour, weight: isGrid ? 1 : 3, fillOpacity: isGrid ? 0.15 : 0.03,
              className: "place-" + feature.properties.id
            };
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        if (marker && !map.getBounds().contains(marker.getLatLng())) { map.panTo(marker.getLatLng()); }
        el.setAttribute("data-features", String(data.features.length));
      });

    if (typedPoint()) { pointMoved(); }  // the form came back with a point (an error elsewhere)
  });
})();
