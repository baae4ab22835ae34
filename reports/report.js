/* Filters for the runai-audit report. The page is complete without this script: it hides
   rows, and in a large report (one with a JSON data block) it turns findings the page left out
   into rows on demand ("Show more"). It builds elements with textContent and never inserts
   markup. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var fallback = document.getElementById("no-filters");
  if (fallback) { fallback.hidden = true; }
  var count = document.getElementById("f-count");
  var field = function (name) { return form.elements.namedItem(name); };
  var block = document.getElementById("report-data");
  var data = block ? JSON.parse(block.textContent) : null;
  var BATCH = 200;  // rows a click adds to a group
  var GROUP_BATCH = 50;  // groups a click adds to a section
  // Columns of a finding in the data block (text columns are indexes into data.strings).
  var SEV = 0, STATUS = 1, RULE = 2, PATH = 3, POS = 4, SUBJECT = 5, MESSAGE = 6, EVIDENCE = 7,
    TITLE = 8, WHY = 9, PRINT = 10, QUIET = 11, CALLS = 12, LINE = 13;
  var haystacks = [];
  var matched = null;  // per finding, 1 when the current filters let it through
  var rendered = {};  // per section, 1 for each group on the page
  if (data) {
    ["plan", "files"].forEach(function (section) {
      rendered[section] = new Uint8Array(data[section].length);
      var p = document.querySelector("[data-more-groups='" + section + "']");
      var first = p ? Number(p.dataset.from) : data[section].length;
      for (var g = 0; g < first; g++) { rendered[section][g] = 1; }
    });
  }

  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function text(i, col) { return data.strings[data.findings[i][col]]; }

  function wanted() {
    return {
      severity: field("severity").value,
      status: field("status").value,
      rule: field("rule").value,
      suppressed: field("suppressed").value,
      path: field("path").value.trim().toLowerCase(),
      q: field("q").value.trim().toLowerCase()
    };
  }

  function rowMatches(row, want) {
    var d = row.dataset;
    if (want.severity && d.severity !== want.severity) { return false; }
    if (want.status && d.status !== want.status) { return false; }
    if (want.rule && d.rule !== want.rule) { return false; }
    if (want.suppressed && d.suppressed !== want.suppressed) { return false; }
    if (want.path && d.path.toLowerCase().indexOf(want.path) < 0) { return false; }
    if (want.q && row.textContent.toLowerCase().indexOf(want.q) < 0) { return false; }
    return true;
  }

  function haystack(i) {
    if (haystacks[i] === undefined) {
      haystacks[i] = [SEV, PATH, POS, RULE, SUBJECT, MESSAGE, EVIDENCE, WHY]
        .map(function (col) { return text(i, col); }).join(" ").toLowerCase();
    }
    return haystacks[i];
  }

  function dataMatches(i, want) {
    if (want.severity && text(i, SEV) !== want.severity) { return false; }
    if (want.status && text(i, STATUS) !== want.status) { return false; }
    if (want.rule && text(i, RULE) !== want.rule) { return false; }
    if (want.suppressed && (data.findings[i][QUIET] ? "yes" : "no") !== want.suppressed) { return false; }
    if (want.path && text(i, PATH).toLowerCase().indexOf(want.path) < 0) { return false; }
    if (want.q && haystack(i).indexOf(want.q) < 0) { return false; }
    return true;
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function findingRow(i, section) {
    var f = data.findings[i];
    var tr = el("tr", f[QUIET] ? "is-quiet" : "");
    tr.setAttribute("data-finding", "");
    tr.dataset.severity = text(i, SEV);
    tr.dataset.status = text(i, STATUS);
    tr.dataset.rule = text(i, RULE);
    tr.dataset.path = text(i, PATH);
    tr.dataset.suppressed = f[QUIET] ? "yes" : "no";
    tr.dataset.fingerprint = text(i, PRINT);
    tr.dataset.line = String(f[LINE]);
    var sev = el("td", "sev-cell");
    sev.appendChild(el("span", "badge sev-" + text(i, SEV), text(i, SEV)));
    var loc = el("td", "loc");
    if (section === "plan") { loc.appendChild(el("span", "path", text(i, PATH))); }
    if (text(i, POS)) { loc.appendChild(el("span", "pos", text(i, POS))); }
    var rule = el("td");
    var id = el("span", "rule", text(i, RULE));
    id.title = text(i, TITLE);
    rule.appendChild(id);
    var what = el("td", "what");
    if (section === "files" || f[CALLS] || text(i, WHY)) {
      var head = el("div", "head");
      if (section === "files") { head.appendChild(el("code", "subject", text(i, SUBJECT))); }
      if (f[CALLS]) { head.appendChild(el("span", "calls", f[CALLS].toLocaleString("en-US") + (f[CALLS] === 1 ? " call" : " calls"))); }
      if (text(i, WHY)) { head.appendChild(el("span", "why", text(i, WHY))); }
      what.appendChild(head);
    }
    what.appendChild(el("div", "msg", text(i, MESSAGE)));
    if (text(i, EVIDENCE)) { what.appendChild(el("code", "evidence", text(i, EVIDENCE))); }
    [sev, loc, rule, what].forEach(function (td) { tr.appendChild(td); });
    return tr;
  }

  function moreRow(section, index) {
    var tr = el("tr", "more-row");
    tr.dataset.more = section;
    tr.dataset.index = String(index);
    var td = el("td");
    td.colSpan = 4;
    td.appendChild(el("button", "more", "Show more"));
    td.firstChild.type = "button";
    tr.appendChild(td);
    return tr;
  }

  // Rows of one group past those on the page: the next BATCH of them, above its "more" row.
  function showMoreRows(tr) {
    var list = data[tr.dataset.more][Number(tr.dataset.index)];
    var from = Number(tr.dataset.loaded || data.rows);
    var to = Math.min(list.length, from + BATCH);
    for (var k = from; k < to; k++) { tr.parentNode.insertBefore(findingRow(list[k], tr.dataset.more), tr); }
    tr.dataset.loaded = String(to);
  }

  function groupBody(section, index, parent) {
    var list = data[section][index];
    for (var k = 0; k < Math.min(list.length, data.rows); k++) { parent.appendChild(findingRow(list[k], section)); }
    if (list.length > data.rows) { parent.appendChild(moreRow(section, index)); }
  }

  function planCard(index, template) {
    var card = el("article", "subject-card sev-edge-" + text(data.plan[index][0], SEV));
    card.setAttribute("data-group", "");
    var title = el("h3");
    title.appendChild(el("code", "", data.groups.plan[index]));
    card.appendChild(title);
    var table = el("table", "findings");
    if (template) { table.appendChild(template.cloneNode(true)); }
    var body = el("tbody");
    groupBody("plan", index, body);
    table.appendChild(body);
    card.appendChild(table);
    return card;
  }

  function fileGroup(index) {
    var body = el("tbody");
    body.setAttribute("data-group", "");
    var head = el("tr", "file-row");
    var th = el("th");
    th.scope = "rowgroup";
    th.colSpan = 4;
    var size = data.files[index].length;
    th.appendChild(el("span", "path", data.groups.files[index]));
    th.appendChild(document.createTextNode(" "));
    th.appendChild(el("span", "uses", size + (size === 1 ? " finding" : " findings")));
    head.appendChild(th);
    body.appendChild(head);
    groupBody("files", index, body);
    return body;
  }

  // The next GROUP_BATCH groups of a section that the page left out and that hold a finding
  // the filters let through.
  function showMoreGroups(p) {
    var section = p.dataset.moreGroups;
    var template = document.querySelector("#plan table.findings thead");
    var table = document.querySelector("#by-file table.by-file");
    var added = 0;
    for (var g = 0; g < data[section].length && added < GROUP_BATCH; g++) {
      if (rendered[section][g] || !remaining(data[section][g], 0, matched)) { continue; }
      rendered[section][g] = 1;
      added += 1;
      if (section === "plan") { p.parentNode.insertBefore(planCard(g, template), p); } else { table.appendChild(fileGroup(g)); }
    }
  }

  function remaining(list, from, ok) {
    var n = 0;
    for (var k = from; k < list.length; k++) { n += ok[list[k]]; }
    return n;
  }

  function applyData(want) {
    var ok = new Uint8Array(data.findings.length);
    var total = 0;
    for (var i = 0; i < ok.length; i++) { ok[i] = dataMatches(i, want) ? 1 : 0; total += ok[i]; }
    matched = ok;
    all("tr.more-row").forEach(function (tr) {
      var n = remaining(data[tr.dataset.more][Number(tr.dataset.index)], Number(tr.dataset.loaded || data.rows), ok);
      tr.hidden = n === 0;
      tr.querySelector("button").textContent = "Show more (" + n.toLocaleString("en-US") + " not shown)";
    });
    all("[data-more-groups]").forEach(function (p) {
      var section = p.dataset.moreGroups;
      var n = 0;
      for (var g = 0; g < data[section].length; g++) { n += rendered[section][g] ? 0 : remaining(data[section][g], 0, ok); }
      p.hidden = n === 0;
      p.querySelector("button").textContent = "Show more groups (" + n.toLocaleString("en-US") + " findings not shown)";
    });
    return total;
  }

  function apply() {
    var want = wanted();
    all("tr[data-finding]").forEach(function (row) { row.hidden = !rowMatches(row, want); });
    var total = data ? applyData(want) : null;
    all("[data-group]").forEach(function (group) {
      group.hidden = !group.querySelector("tr[data-finding]:not([hidden]), tr.more-row:not([hidden])");
    });
    var counted = all("#by-file tr[data-finding]");
    var shown = total !== null ? total : counted.filter(function (row) { return !row.hidden; }).length;
    var of = data ? data.findings.length : counted.length;
    count.textContent = "Showing " + shown + " of " + of + " findings";
  }

  if (data) {
    all("[data-more] .more-note, [data-more-groups] .more-note").forEach(function (note) { note.hidden = true; });
    all("button.more").forEach(function (button) { button.hidden = false; });
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.more") : null;
      if (!button) { return; }
      var holder = button.closest("[data-more], [data-more-groups]");
      if (holder.dataset.moreGroups) { showMoreGroups(holder); } else { showMoreRows(holder); }
      apply();
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());
