/* The map page's own script (templates/map.html): cluster icons, lazy overlays, finer borders on zoom.
 *
 * folium writes the map and its layers as window variables in the page's last script (map.py puts
 * the layer control, which folium declares with let, there too); their names, and everything else
 * this script needs, come in the JSON block #gw-map-config, so the page holds no inline code of its
 * own.  Loaded in the head, before folium's script, which calls gwClusterIcon.
 */
(function () {
  // Stored text for Leaflet's tooltips and popups, which insert their content as HTML.  The same
  // references as map.py's _inert (with "{"), so that an area code from the API matches folium's copy.
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

  // Walking areas and the gaps between them: computed by the planner's API only when switched on.
  function lazyOverlays(map, control, overlays) {
    overlays.forEach(function (o) {
      var layer = L.geoJSON(null, { style: o.style, onEachFeature: function (f, shape) {
        shape.bindTooltip(escapeHtml(f.properties.name)); } });
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

  // Area borders were sent simplified for the first zoom; zooming in fetches them finer, once per zoom.
  function refineAreas(map, areas) {
    var layers = areas.layers.map(function (l) { return { layer: window[l.layer], unit: l.unit }; });
    var shown = areas.zoom, url = areas.url;
    var units = layers.map(function (l) { return l.unit; }).filter(function (u, i, a) { return a.indexOf(u) === i; });
    function refine() {
      var zoom = Math.min(Math.round(map.getZoom()), areas.max);
      if (zoom <= shown) { return; }
      shown = zoom;
      units.forEach(function (unit) {
        fetch(url + "?unit=" + unit + "&zoom=" + zoom).then(function (r) { return r.json(); }).then(function (data) {
          if (zoom !== shown) { return; }
          var shapes = {};
          data.features.forEach(function (f) { shapes[escapeHtml(f.properties.code)] = f.geometry; });
          layers.forEach(function (l) {
            if (l.unit !== unit) { return; }
            l.layer.eachLayer(function (shape) {
              var g = shapes[shape.feature.properties.code];
              if (g) { shape.setLatLngs(L.GeoJSON.coordsToLatLngs(g.coordinates, g.type === "Polygon" ? 1 : 2)); }
            });
          });
          document.body.setAttribute("data-area-zoom", zoom);
        }).catch(function () { /* offline copy of the page: keep the first shapes */ });
      });
    }
    map.on("zoomend", refine);
  }

  // Run once folium's script has made the map and its layers (it runs before "load").
  window.addEventListener("load", function () {
    var block = document.getElementById("gw-map-config");
    if (!block) { return; }
    var config = JSON.parse(block.textContent);
    var map = window[config.map];
    if (config.overlays) { lazyOverlays(map, window[config.control], config.overlays); }
    if (config.areas) { refineAreas(map, config.areas); }
  });
})();
