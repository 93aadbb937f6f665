// What every analysis map needs around its answers (planner, CSW): the streets of the walking network as a
// base layer where no tiles are served, a legend, and place markers told apart by shape as well as colour
// (the print map's shapes, so a photocopy in black and white and a colour-blind reader still tell kinds apart).
// Text reaches the page as text only (textContent), never as HTML.
(function () {
  "use strict";
  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text != null) { node.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  var STREETS_FROM_ZOOM = 14;  // below it a city's streets are a grey blur (and too many to send)

  // The walking network's streets in view, under everything else; reloaded as the map moves.
  function streets(map) {
    map.createPane("gwStreets");
    map.getPane("gwStreets").style.zIndex = 250;
    var layer = L.geoJSON(null, { pane: "gwStreets", interactive: false,
      style: { color: "#9e9e9e", weight: 1, opacity: 0.8 } }).addTo(map);
    function load() {
      if (map.getZoom() < STREETS_FROM_ZOOM) { layer.clearLayers(); return; }
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
      fetch("/api/streets?bbox=" + box.join(",")).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer) { return; }
          layer.clearLayers().addData(answer);
          document.body.setAttribute("data-streets", answer.features.length);
        });
    }
    map.on("moveend", load);
    return layer;
  }

  // A place's marker: its kind's shape (matplotlib's marker code, as printed) in its kind's colour, and a
  // number or nothing on top.
  function shapeIcon(marker, colour, text, size, textClass) {
    size = size || 22;
    var box = element("div", null, { "class": "gw-shape-box" });
    var shape = element("span", null, { "class": "gw-shape gw-shape-" + shapeName(marker) });
    shape.style.background = colour;
    box.appendChild(shape);
    if (text != null) { box.appendChild(element("span", text, { "class": "gw-shape-text " + (textClass || "") })); }
    return L.divIcon({ className: "gw-shape-icon", html: box, iconSize: [size, size] });
  }
  var SHAPES = { "o": "circle", "s": "square", "D": "diamond", "d": "diamond", "^": "up", "v": "down",
    "<": "left", ">": "right", "p": "pentagon", "h": "hexagon", "H": "hexagon", "8": "octagon", "P": "plus",
    "*": "star", "X": "cross" };
  function shapeName(marker) { return SHAPES[marker] || "circle"; }
  // Each shape's corners in a unit box (x right, y down): static/shapes.css draws the same polygons as clip-paths.
  var SHAPE_POINTS = {
    square: [[0, 0], [1, 0], [1, 1], [0, 1]],
    diamond: [[0.5, 0], [1, 0.5], [0.5, 1], [0, 0.5]],
    up: [[0.5, 0], [1, 1], [0, 1]],
    down: [[0, 0], [1, 0], [0.5, 1]],
    left: [[0, 0.5], [1, 0], [1, 1]],
    right: [[0, 0], [1, 0.5], [0, 1]],
    pentagon: [[0.5, 0], [1, 0.38], [0.82, 1], [0.18, 1], [0, 0.38]],
    hexagon: [[0.25, 0], [0.75, 0], [1, 0.5], [0.75, 1], [0.25, 1], [0, 0.5]],
    octagon: [[0.3, 0], [0.7, 0], [1, 0.3], [1, 0.7], [0.7, 1], [0.3, 1], [0, 0.7], [0, 0.3]],
    plus: [[0.33, 0], [0.67, 0], [0.67, 0.33], [1, 0.33], [1, 0.67], [0.67, 0.67], [0.67, 1], [0.33, 1],
      [0.33, 0.67], [0, 0.67], [0, 0.33], [0.33, 0.33]],
    star: [[0.5, 0], [0.61, 0.35], [0.98, 0.35], [0.68, 0.57], [0.79, 0.91], [0.5, 0.7], [0.21, 0.91], [0.32, 0.57],
      [0.02, 0.35], [0.39, 0.35]],
    cross: [[0.2, 0], [0.5, 0.3], [0.8, 0], [1, 0.2], [0.7, 0.5], [1, 0.8], [0.8, 1], [0.5, 0.7], [0.2, 1], [0, 0.8],
      [0.3, 0.5], [0, 0.2]]
  };
  // A matplotlib marker code's corners, or null for a circle.
  function shapePoints(marker) { return SHAPE_POINTS[shapeName(marker)] || null; }

  // The legend: rows of a swatch and words; a swatch is a shape (kind), an area style or a line style.
  function legend(map, title, rows) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = element("div", null, { "class": "gw-legend", "role": "region", "aria-label": title });
      box.appendChild(element("b", title));
      rows.forEach(function (row) {
        var line = element("div", null, { "class": "gw-legend-row" });
        var swatch;
        if (row.marker) {
          swatch = element("span", null, { "class": "gw-shape gw-legend-shape gw-shape-" + shapeName(row.marker) });
          swatch.style.background = row.colour;
        } else {
          swatch = element("span", null, { "class": "gw-swatch " + (row.className || "") });
          if (row.style) {
            swatch.style.background = row.style.fillColor || "transparent";
            swatch.style.borderColor = row.style.color;
            if (row.style.dashArray) { swatch.style.borderStyle = "dashed"; }
          }
        }
        line.appendChild(swatch);
        line.appendChild(element("span", row.text));
        box.appendChild(line);
      });
      return box;
    };
    control.addTo(map);
    return control;
  }

  window.gwContext = { streets: streets, shapeIcon: shapeIcon, legend: legend, element: element, shapeName: shapeName,
    shapePoints: shapePoints };
})();
