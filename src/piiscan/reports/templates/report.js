(function () {
  "use strict";
  // Accent- and case-insensitive, so "numero" finds "Numéro".
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setupViolations() {
    var table = document.getElementById("violations-table");
    if (!table) return;
    var body = table.tBodies[0];
    var rule = document.getElementById("filter-rule");
    var sev = document.getElementById("filter-severity");
    var search = document.getElementById("filter-search");
    var shown = document.getElementById("violations-shown");
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (tr) { tr.dataset.text = fold(tr.textContent); });

    function apply() {
      var r = rule.value, s = sev.value, q = fold(search.value.trim());
      var n = 0;
      rows.forEach(function (tr) {
        var ok = (!r || tr.dataset.rule === r) && (!s || tr.dataset.severity === s) &&
                 (!q || tr.dataset.text.indexOf(q) !== -1);
        tr.classList.toggle("is-filtered", !ok);
        if (ok) n++;
      });
      shown.textContent = shown.dataset.template.replace("{shown}", n).replace("{total}", rows.length);
    }
    [rule, sev].forEach(function (el) { el.addEventListener("change", apply); });
    search.addEventListener("input", apply);

    Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-sort]"), function (th) {
      th.addEventListener("click", function () {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.dataset.sort === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(table.tHead.querySelectorAll("th"), function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.value || a.cells[index].textContent;
          var y = b.cells[index].dataset.value || b.cells[index].textContent;
          if (numeric) return dir * (parseFloat(x) - parseFloat(y));
          return dir * x.localeCompare(y);
        });
        rows.forEach(function (tr) { body.appendChild(tr); });
      });
    });
    apply();
  }

  function setupPlaces() {
    var box = document.getElementById("places-search");
    if (!box) return;
    var places = Array.prototype.slice.call(document.querySelectorAll("details.place"));
    places.forEach(function (d) { d.dataset.text = fold(d.dataset.location); });
    box.addEventListener("input", function () {
      var q = fold(box.value.trim());
      places.forEach(function (d) { d.classList.toggle("is-filtered", !!q && d.dataset.text.indexOf(q) === -1); });
    });
  }

  // Paper shows everything: open every drill-down while printing, then restore.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true; return true;
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  setupViolations();
  setupPlaces();
})();
