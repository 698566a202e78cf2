// Draw the buurt page's charts with the plotly.js served by this server (no CDN).
(function () {
  "use strict";
  [["trend-chart", "trend-data"], ["corp-chart", "corp-data"]].forEach(function (pair) {
    var target = document.getElementById(pair[0]), source = document.getElementById(pair[1]);
    if (!target || !source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(target, figure.data, figure.layout, { displaylogo: false, responsive: true });
  });
})();
