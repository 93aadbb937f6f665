// CSW view (templates/csw.html): the district picker, and the district's outline and numbered places on the map.
// The district comes in the JSON block #gw-csw-district; names reach the page as text only (tooltips are HTML
// to Leaflet, so they are escaped here).
(function () {
  "use strict";
  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var form = document.getElementById("district-form");
  document.getElementById("unit").addEventListener("change", function () { form.code.value = ""; form.submit(); });
  // A ward or 圏域 narrows the list of districts: the page comes back with that area's first district.
  document.getElementById("within").addEventListener("change", function () { form.code.value = ""; form.submit(); });
  document.getElementById("code").addEventListener("change", function () { form.submit(); });
  var print = document.getElementById("print");
  if (print) { print.addEventListener("click", function (event) { event.preventDefault(); window.print(); }); }

  var block = document.getElementById("gw-csw-district");
  var district = block ? JSON.parse(block.textContent) : null;
  var map = L.map("map", { maxZoom: 18 });
  window.gwCswMap = map;
  if (!district) { map.setView([35.68, 139.76], 12); return; }
  var outline = L.geoJSON(district.outline, { style: { color: "#111", weight: 3, fill: false } }).addTo(map);
  district.places.forEach(function (p) {
    var badge = document.createElement("div");
    badge.className = "gw-place-number";
    badge.style.borderColor = p.colour;
    badge.textContent = String(p.number);
    L.marker([p.lat, p.lon], { title: String(p.name), icon: L.divIcon({ className: "gw-place", iconSize: [26, 24],
      html: badge }) })
      .bindTooltip(escapeHtml(p.name)).addTo(map);
  });
  map.fitBounds(outline.getBounds(), { padding: [20, 20] });
})();
