// The treatment chart (patients/templates/patients/treatment/chart.html).
// Without this script the zone table is the whole form. With it: the face map of each
// procedure is shown and ticks the zone boxes (click, tap, Enter or Space), the rows of
// untreated zones are hidden, and a number's "reason" box shows only when the number is
// outside its usual range (or already has a reason).
(function () {
  "use strict";

  function number(text) {
    var value = parseFloat(String(text).replace(/\s/g, "").replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function syncReason(input) {
    var box = document.querySelector('[data-reason-box="' + input.dataset.reason + '"]');
    if (!box) { return; }
    var reason = document.getElementById(input.dataset.reason);
    var value = number(input.value);
    var low = input.dataset.min !== undefined ? number(input.dataset.min) : null;
    var high = input.dataset.max !== undefined ? number(input.dataset.max) : null;
    var outside = value !== null && ((low !== null && value < low) || (high !== null && value > high));
    box.hidden = !(outside || (reason && reason.value.trim()));
  }

  function setUpProcedure(fieldset) {
    var map = fieldset.querySelector("svg[data-face-map]");
    var boxes = fieldset.querySelectorAll("input[data-zone-box]");
    function sync() {
      boxes.forEach(function (box) {
        var zone = box.dataset.zoneBox;
        var row = fieldset.querySelector('[data-zone-row="' + zone + '"]');
        var shape = map && map.querySelector('[data-zone="' + zone + '"]');
        var hasError = row && row.querySelector(".errornote-inline");
        if (row) { row.hidden = !box.checked && !hasError; row.classList.toggle("is-treated", box.checked); }
        if (shape) {
          shape.setAttribute("aria-checked", box.checked ? "true" : "false");
          shape.classList.toggle("is-treated", box.checked);
        }
      });
    }
    if (map) {
      map.removeAttribute("hidden");  // an SVG element has no `hidden` property
      map.querySelectorAll("[data-zone]").forEach(function (shape) {
        var box = fieldset.querySelector('input[data-zone-box="' + shape.dataset.zone + '"]');
        if (!box) { return; }  // a signed chart: the map only shows the treated zones
        function toggle() { box.checked = !box.checked; sync(); }
        shape.addEventListener("click", toggle);
        shape.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
        });
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    if (boxes.length) { sync(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-procedure]").forEach(setUpProcedure);
    document.querySelectorAll("input[data-reason]").forEach(function (input) {
      syncReason(input);
      input.addEventListener("input", function () { syncReason(input); });
    });
  });
}());
