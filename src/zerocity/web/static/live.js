// zerocity live monitoring: subscribes to the server-sent events of /live/stream and updates the page.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var lang = root.getAttribute("data-lang") || "en";
  var fmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var names = JSON.parse(document.getElementById("live-names").textContent);
  var text = JSON.parse(document.getElementById("live-text").textContent);
  var plot = document.getElementById("live-hourly");
  function set(key, value, shown) {
    var el = root.querySelector('[data-live="' + key + '"]');
    if (!el) { return; }
    if (el.hasAttribute("data-value")) { el.setAttribute("data-value", String(value)); }
    el.textContent = shown;
  }
  function chart(view) {
    if (!window.Plotly) { return; }
    var x = view.hourly.map(function (h) { return h.hour; });
    var y = view.hourly.map(function (h) { return h.tco2e; });
    var layout = { title: { text: plot.getAttribute("data-title") }, margin: { l: 56, r: 16, t: 48, b: 48 },
      yaxis: { title: { text: "tCO2e" } }, paper_bgcolor: "white", plot_bgcolor: "white" };
    window.Plotly.react(plot, [{ type: "bar", x: x, y: y, marker: { color: "#0b5d3b" } }], layout,
      { responsive: true, displaylogo: false });
  }
  function rows(view) {
    var body = document.getElementById("live-entities");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    view.entities.forEach(function (e) {
      var tr = document.createElement("tr");
      [names[e.entity] || e.entity, fmt.format(e.tco2e), fmt.format(e.readings)].forEach(function (v, i) {
        var td = document.createElement("td");
        if (i > 0) { td.className = "r"; }
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  function update(view) {
    set("tco2e", view.tco2e, fmt.format(view.tco2e));
    set("readings", view.readings, fmt.format(view.readings));
    set("as_of", view.as_of, view.as_of);
    set("day", view.day, view.day);
    chart(view);
    rows(view);
    root.setAttribute("data-updates", String(Number(root.getAttribute("data-updates") || "0") + 1));
  }
  function start() {
    chart(JSON.parse(document.getElementById("live-initial").textContent));
    var source = new EventSource(root.getAttribute("data-stream"));
    source.addEventListener("live", function (ev) { set("status", "", text.live); update(JSON.parse(ev.data)); });
    source.onerror = function () { set("status", "", text.lost); };
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
