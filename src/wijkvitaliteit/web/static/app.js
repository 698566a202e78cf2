// wijkvitaliteit: sortable and filterable tables, map zoom (and wijken when zoomed in). No external requests.
(function () {
  "use strict";
  // a choice that changes the page (year, map layer) submits its form: no inline handlers (the CSP forbids them)
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th button[data-sort]").forEach(function (button) {
      button.addEventListener("click", function () {
        var th = button.closest("th");
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = button.dataset.sort === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.value || a.cells[index].textContent;
          var y = b.cells[index].dataset.value || b.cells[index].textContent;
          if (numeric) { x = parseFloat(x); y = parseFloat(y); x = isNaN(x) ? -Infinity : x; y = isNaN(y) ? -Infinity : y; }
          var c = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang);
          return ascending ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.dataset.filter);
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  });
  document.querySelectorAll("[data-zoomable]").forEach(function (box) {
    var svgs = function () { return box.querySelectorAll("svg.map"); };
    var first = svgs()[0];
    if (!first) { return; }
    var base = first.getAttribute("viewBox").split(" ").map(Number);
    var view = base.slice();
    var wijkLayer = box.querySelector(".wijk-layer");
    var gemeenteLayer = box.querySelector(".gemeente-layer");
    var loading = false;
    function apply() {
      svgs().forEach(function (svg) { svg.setAttribute("viewBox", view.join(" ")); });
      var factor = base[2] / view[2];
      var level = box.querySelector(".zoom-level");
      if (wijkLayer && box.dataset.wijken) {
        var showWijken = factor >= 3;
        if (showWijken && !wijkLayer.innerHTML && !loading) {
          loading = true;
          fetch(box.dataset.wijken).then(function (r) { return r.text(); }).then(function (text) {
            wijkLayer.innerHTML = text; loading = false; apply();
          });
        }
        wijkLayer.hidden = !showWijken || !wijkLayer.innerHTML;
        gemeenteLayer.hidden = !wijkLayer.hidden;
        if (level) { level.textContent = wijkLayer.hidden ? "" : (document.documentElement.lang === "en" ? "districts" : "wijken"); }
      }
    }
    function zoom(f, cx, cy) {
      var w = view[2] / f, h = view[3] / f;
      if (w > base[2]) { view = base.slice(); apply(); return; }
      cx = cx === undefined ? view[0] + view[2] / 2 : cx; cy = cy === undefined ? view[1] + view[3] / 2 : cy;
      view = [cx - w / 2, cy - h / 2, w, h]; apply();
    }
    box.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (b.dataset.zoom === "in") { zoom(1.6); } else if (b.dataset.zoom === "out") { zoom(1 / 1.6); }
        else { view = base.slice(); apply(); }
      });
    });
    box.addEventListener("wheel", function (e) {
      var svg = e.target.closest("svg.map"); if (!svg) { return; }
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      var cx = view[0] + (e.clientX - r.left) / r.width * view[2];
      var cy = view[1] + (e.clientY - r.top) / r.height * view[3];
      zoom(e.deltaY < 0 ? 1.25 : 0.8, cx, cy);
    }, { passive: false });
    var drag = null;
    box.addEventListener("pointerdown", function (e) {
      var svg = e.target.closest("svg.map"); if (!svg || e.button !== 0) { return; }
      drag = { x: e.clientX, y: e.clientY, view: view.slice(), svg: svg, moved: false };
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var r = drag.svg.getBoundingClientRect();
      var dx = (e.clientX - drag.x) / r.width * view[2], dy = (e.clientY - drag.y) / r.height * view[3];
      if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 4) { drag.moved = true; }
      if (drag.moved) { view = [drag.view[0] - dx, drag.view[1] - dy, view[2], view[3]]; apply(); }
    });
    window.addEventListener("pointerup", function () { setTimeout(function () { drag = null; }, 0); });
    box.addEventListener("click", function (e) { if (drag && drag.moved) { e.preventDefault(); } }, true);
  });
})();
