/* The map page's own script (templates/map.html): the places, cluster icons, lazy overlays, the areas by view.
 *
 * folium writes the map and its layers as window variables in the page's last script (map.py puts
 * the layer control, which folium declares with let, there too); their names, and everything else
 * this script needs, come in the JSON block #gw-map-config, so the page holds no inline code of its
 * own.  Loaded in the head, before folium's script.
 */
(function () {
  // Stored text for Leaflet's tooltips, which insert a string as HTML (the overlays' names, a colour).
  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"'{]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "{": "&#123;" }[c];
    });
  }

  // A cluster drawn in its kind's colour with the count inside, so clusters keep the legend's meaning.
  window.gwClusterIcon = function (colour) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : 42;
      return L.divIcon({
        html: '<div style="background:' + escapeHtml(colour) + '"><span>' + Number(count) + '</span></div>',
        className: 'gw-cluster', iconSize: L.point(size, size)
      });
    };
  };

  // The places, one layer per kind (clustered in the kind's colour when there are many): circles with
  // a tooltip and a popup written as text.  Drawn when the document is parsed, before editing.js
  // (signed-in editors) turns them into draggable markers.
  function textElement(tag, text) {
    var node = document.createElement(tag);
    node.textContent = text == null ? "" : String(text);
    return node;
  }

  function popupOf(name, rows) {
    var box = document.createElement("div"), table = document.createElement("table");
    box.className = "gw-popup";
    box.appendChild(textElement("h4", name));
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(textElement("th", row[0]));
      tr.appendChild(textElement("td", row[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  // A place's marker: an SVG path in its kind's shape (the print map's; corners from static/context.js), so
  // that kinds differ by shape as well as by colour.  Still a CircleMarker to everything else (the editing
  // script, the clusters, the popups); a circle where the renderer draws no paths.
  var ShapeMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var points = window.gwContext ? window.gwContext.shapePoints(this.options.shape) : null;
      if (!points || !this._renderer._setPath) { return L.CircleMarker.prototype._updatePath.call(this); }
      var p = this._point, r = this._radius * 1.2;  // a polygon in the circle's box looks smaller: widen it a little
      var d = points.map(function (q, i) {
        return (i ? "L" : "M") + (p.x + (2 * q[0] - 1) * r).toFixed(1) + " " + (p.y + (2 * q[1] - 1) * r).toFixed(1);
      }).join("") + "z";
      this._renderer._setPath(this, d);
    }
  });

  // Popups keep clear of the title bar and the legend, which lie over the map's edges.
  var POPUP = { maxWidth: 320, autoPanPaddingTopLeft: L.point(16, 64), autoPanPaddingBottomRight: L.point(16, 16) };

  function resourceLayers(map, control, kinds) {
    map.createPane("gwPlaces");
    map.getPane("gwPlaces").style.zIndex = 450;  // over the walking areas and gaps (gwOverlays, 380) and the areas
    kinds.forEach(function (k) {
      var group = L.featureGroup(), target = group;
      if (k.cluster) {
        target = L.markerClusterGroup({ maxClusterRadius: 50, iconCreateFunction: window.gwClusterIcon(k.colour) });
        group.addLayer(target);
      }
      k.places.forEach(function (p) {
        var circle = new ShapeMarker([p[0], p[1]], {
          radius: 7, color: "#222222", weight: 1, fill: true, fillColor: k.colour, fillOpacity: 0.9,
          shape: k.marker, pane: "gwPlaces",
          className: "gw-resource gw-kind-" + k.kind + " gw-id-" + Number(p[2])
        });
        circle.bindPopup(popupOf(p[3], p[4]), POPUP);
        circle.bindTooltip(textElement("div", p[3]), { sticky: true });
        target.addLayer(circle);
      });
      group.addTo(map);
      control.addOverlay(group, k.name);
    });
  }

  // Walking areas and the gaps between them: computed by the planner's API only when switched on.
  // Each has a legend row (templates/map.html, data-overlay) shown while the layer is.
  function lazyOverlays(map, control, overlays) {
    map.createPane("gwOverlays");
    map.getPane("gwOverlays").style.zIndex = 380;  // over the areas (350), under the places (gwPlaces, 450)
    overlays.forEach(function (o, index) {
      var rows = document.querySelectorAll('[data-overlay="' + index + '"]');
      function styleOf(f) {  // a feature's own colour (a hazard zone's depth band, a stop's mode) over the overlay's
        return f && f.properties && f.properties.colour ? L.extend({}, o.style, { fillColor: f.properties.colour })
          : o.style;
      }
      var layer = L.geoJSON(null, { pane: "gwOverlays", style: styleOf,
        pointToLayer: function (f, at) { return L.circleMarker(at, L.extend({ pane: "gwOverlays" }, styleOf(f))); },
        onEachFeature: function (f, shape) { shape.bindTooltip(overlayTooltip(f.properties)); } });
      layer.on("add", function () { rows.forEach(function (row) { row.hidden = false; }); });
      layer.on("remove", function () { rows.forEach(function (row) { row.hidden = true; }); });
      layer.gwLoaded = false;
      layer.on("add", function () {
        if (layer.gwLoaded) { return; }
        layer.gwLoaded = true;
        fetch(o.url).then(function (r) { return r.json(); }).then(function (data) {
          layer.addData(data);
          document.body.setAttribute("data-overlay-" + overlays.indexOf(o), data.features.length);
        }).catch(function () { layer.gwLoaded = false; });
      });
      control.addOverlay(layer, o.name);
    });
  }

  // What an overlay's feature says, as text: its name, and its class or kind (a depth band, 1日12本).
  function overlayTooltip(p) {
    var box = document.createElement("div");
    box.textContent = p.name == null ? "" : String(p.name);
    if (p.label != null && p.label !== p.name) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(String(p.label)));
    }
    return box;
  }

  // What an area's tooltip says, as text (never parsed as HTML): its name, and the shaded value.
  function areaTooltip(p, shaded) {
    var box = document.createElement("div");
    box.textContent = p.name == null ? "" : String(p.name);
    if (shaded) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.value == null ? "" : String(p.value)));
    }
    return box;
  }

  // The area levels (and the shading), drawn by view: each layer asks /api/areas for the areas meeting
  // the view, simplified for its zoom, when it is shown and whenever the view moves; areas already drawn
  // keep their shapes (refined when a closer zoom brings finer ones), so nothing flickers.  A town's
  // page brings its areas along (config "data"), for the first zoom and for the offline copy.
  function areaLayers(map, control, areas) {
    var pane = map.createPane("gwAreas");
    pane.style.zIndex = 350;  // under the places (overlay pane, 400), over the tiles
    var pending = 0, fetched = 0;
    function note() {
      document.body.setAttribute("data-areas-pending", pending);
      document.body.setAttribute("data-areas-fetched", fetched);
    }
    areas.layers.forEach(function (spec) {
      var shapes = {}, zoomOf = {}, asked = [];
      var style = spec.shaded ? function (f) { return L.extend({ fillColor: f.properties.colour }, spec.style); }
        : spec.style;
      var layer = L.geoJSON(null, { pane: "gwAreas", style: style, onEachFeature: function (f, shape) {
        shapes[f.properties.code] = shape;
        shape.bindTooltip(areaTooltip(f.properties, spec.shaded));
      } });
      function take(data, zoom) {
        data.features.forEach(function (f) {
          var code = f.properties.code, g = f.geometry, old = shapes[code];
          if (!g || !g.coordinates || !g.coordinates.length) { return; }
          if (!old) { layer.addData(f); zoomOf[code] = zoom; return; }
          if (zoom > zoomOf[code]) {
            old.setLatLngs(L.GeoJSON.coordsToLatLngs(g.coordinates, g.type === "Polygon" ? 1 : 2));
            zoomOf[code] = zoom;
          }
        });
      }
      function load() {
        if (!map.hasLayer(layer)) { return; }
        var zoom = Math.max(0, Math.min(Math.round(map.getZoom()), areas.finest));
        var view = map.getBounds().pad(0.25);
        if (asked.some(function (a) { return a.zoom >= zoom && a.bounds.contains(view); })) { return; }
        var box = [Math.max(-180, view.getWest()), Math.max(-90, view.getSouth()),
                   Math.min(180, view.getEast()), Math.min(90, view.getNorth())].map(function (v) { return v.toFixed(5); });
        var entry = { zoom: zoom, bounds: view };
        asked.push(entry);
        pending += 1;
        note();
        fetch(spec.url + "&zoom=" + zoom + "&bbox=" + box.join(","), { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
          .then(function (data) {
            take(data, zoom);
            document.body.setAttribute("data-area-zoom", zoom);
          })
          .catch(function () { asked.splice(asked.indexOf(entry), 1); })  // offline copy, or a failure: ask again later
          .then(function () { pending -= 1; fetched += 1; note(); });
      }
      if (spec.data) {
        take(spec.data, areas.zoom == null ? 0 : areas.zoom);
        asked.push({ zoom: areas.zoom == null ? 0 : areas.zoom, bounds: L.latLngBounds([-90, -180], [90, 180]) });
      }
      layer.on("add", load);
      map.on("moveend", load);
      control.addOverlay(layer, spec.name);
      if (spec.show) { layer.addTo(map); }
    });
    note();
  }

  function pageConfig() {
    var block = document.getElementById("gw-map-config");
    return block ? JSON.parse(block.textContent) : null;
  }

  // folium's script (the page's last) has made the map by the time the document is parsed; this
  // listener, added in the head, runs before editing.js's.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".gw-kind-swatch[data-marker]").forEach(function (swatch) {  // the legend's shapes
      swatch.classList.add("gw-shape-" + window.gwContext.shapeName(swatch.getAttribute("data-marker")));
    });
    var config = pageConfig();
    if (config && config.resources) { resourceLayers(window[config.map], window[config.control], config.resources); }
  });

  window.addEventListener("load", function () {
    var config = pageConfig();
    if (!config) { return; }
    var map = window[config.map];
    if (config.overlays) { lazyOverlays(map, window[config.control], config.overlays); }
    if (config.areas) { areaLayers(map, window[config.control], config.areas); }
  });
})();
