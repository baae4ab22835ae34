/* Filters for the runai-audit report. The page is complete without this script: it only
   hides rows. It reads data-* attributes and never inserts markup. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var fallback = document.getElementById("no-filters");
  if (fallback) { fallback.hidden = true; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-finding]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
  var counted = Array.prototype.slice.call(document.querySelectorAll("#by-file tr[data-finding]"));
  var count = document.getElementById("f-count");
  var field = function (name) { return form.elements.namedItem(name); };

  function matches(row, want) {
    var d = row.dataset;
    if (want.severity && d.severity !== want.severity) { return false; }
    if (want.status && d.status !== want.status) { return false; }
    if (want.rule && d.rule !== want.rule) { return false; }
    if (want.suppressed && d.suppressed !== want.suppressed) { return false; }
    if (want.path && d.path.toLowerCase().indexOf(want.path) < 0) { return false; }
    if (want.q && row.textContent.toLowerCase().indexOf(want.q) < 0) { return false; }
    return true;
  }

  function apply() {
    var want = {
      severity: field("severity").value,
      status: field("status").value,
      rule: field("rule").value,
      suppressed: field("suppressed").value,
      path: field("path").value.trim().toLowerCase(),
      q: field("q").value.trim().toLowerCase()
    };
    rows.forEach(function (row) { row.hidden = !matches(row, want); });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("tr[data-finding]:not([hidden])");
    });
    var shown = counted.filter(function (row) { return !row.hidden; }).length;
    count.textContent = "Showing " + shown + " of " + counted.length + " findings";
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());
