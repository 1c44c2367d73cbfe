// zerocity rooftop PV: a click on the district map sets the estimator's latitude and longitude
// (the map's x axis is longitude and its y axis latitude, both in degrees) and moves the marker.
(function () {
  "use strict";
  function fmt(v) { return (Math.round(v * 1e5) / 1e5).toFixed(5); }
  function position(el, ev) {
    var full = el._fullLayout;
    var drag = el.querySelector(".nsewdrag");
    if (full && drag && ev.event && typeof ev.event.clientX === "number") {
      var box = drag.getBoundingClientRect();
      return { lon: full.xaxis.p2l(ev.event.clientX - box.left), lat: full.yaxis.p2l(ev.event.clientY - box.top) };
    }
    var p = ev.points && ev.points[0];
    return p ? { lon: Number(p.x), lat: Number(p.y) } : null;
  }
  function attach(el) {
    if (el.getAttribute("data-pick-ready") === "true") { return; }
    var form = document.getElementById(el.getAttribute("data-pick"));
    if (!form || typeof el.on !== "function") { return; }
    var lat = form.querySelector('[data-pick="lat"]');
    var lon = form.querySelector('[data-pick="lon"]');
    var said = document.getElementById("pv-picked");
    el.on("plotly_click", function (ev) {
      var at = position(el, ev);
      if (!at || !isFinite(at.lat) || !isFinite(at.lon)) { return; }
      lat.value = fmt(at.lat);
      lon.value = fmt(at.lon);
      window.Plotly.restyle(el, { x: [[at.lon]], y: [[at.lat]] }, [el.data.length - 1]);
      if (said) { said.textContent = said.getAttribute("data-text").replace("{lat}", lat.value).replace("{lon}", lon.value); }
      el.setAttribute("data-picked", lat.value + "," + lon.value);
    });
    el.setAttribute("data-pick-ready", "true");
  }
  document.querySelectorAll('[data-pick][data-drawn="true"]').forEach(attach);
  document.addEventListener("zerocity:drawn", function (ev) {
    if (ev.target && ev.target.hasAttribute && ev.target.hasAttribute("data-pick")) { attach(ev.target); }
  });
})();
