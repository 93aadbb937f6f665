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
  // The walking area drawn on the downloads: the page comes back with its links asking for it.
  document.getElementById("minutes").addEventListener("change", function () { form.submit(); });
  Array.prototype.forEach.call(form.querySelectorAll('input[name="hazards"]'), function (box) {
    box.addEventListener("change", function () { form.submit(); });
  });
  var print = document.getElementById("print");
  if (print) { print.addEventListener("click", function (event) { event.preventDefault(); window.print(); }); }

  var block = document.getElementById("gw-csw-district");
  var district = block ? JSON.parse(block.textContent) : null;
  var map = L.map("map", { maxZoom: 18 });
  window.gwCswMap = map;
  if (!district) { map.setView([35.68, 139.76], 12); return; }
  var context = window.gwContext;
  context.streets(map);  // the walking network's streets: where the places are, without base tiles
  var outline = L.geoJSON(district.outline, { style: { color: "#111", weight: 3, fill: false } }).addTo(map);
  var kinds = {};
  district.places.forEach(function (p) {
    // The print map's number, shape and colour for the kind: told apart in black and white too.
    L.marker([p.lat, p.lon], { title: String(p.name), icon: context.shapeIcon(p.marker, p.colour, p.number, 24,
      "gw-place-number") }).bindTooltip(escapeHtml(p.name)).addTo(map);
    kinds[p.kind] = { marker: p.marker, colour: p.colour, text: p.kind_label };
  });
  var words = district.legend || {};
  context.legend(map, words.title, Object.keys(kinds).map(function (kind) { return kinds[kind]; }).concat([
    { className: "gw-swatch-line", style: { color: "#111" }, text: words.district },
    { className: "gw-swatch-street", style: { color: "#9e9e9e" }, text: words.streets }]));
  map.fitBounds(outline.getBounds(), { padding: [20, 20] });
})();
