// The sales funnel: the figure is built on the server (plotly.graph_objects.Funnel) and handed over in a
// json_script block, so the page needs no inline script (CSP script-src 'self').
(function () {
  "use strict";

  function draw() {
    var chart = document.getElementById("funnel-chart");
    var source = document.getElementById("funnel-figure");
    if (!chart || !source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(chart, figure.data, figure.layout, {displayModeBar: false, responsive: true}).then(function () {
      chart.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
