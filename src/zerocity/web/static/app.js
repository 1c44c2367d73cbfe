// zerocity dashboard: draws every embedded plotly figure; district maps link to district pages.
// A drawn figure gets data-drawn="true" and sends the event "zerocity:drawn" (page scripts hook in there).
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var fig = JSON.parse(source.textContent);
      var config = { responsive: true, displaylogo: false };
      window.Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
        var link = el.getAttribute("data-link");
        if (link) {
          el.on("plotly_click", function (ev) {
            var p = ev.points && ev.points[0];
            var code = p && p.customdata;
            if (code) { window.location.href = link.replace("{code}", encodeURIComponent(code)); }
          });
        }
        el.setAttribute("data-drawn", "true");
        el.dispatchEvent(new CustomEvent("zerocity:drawn", { bubbles: true }));
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
