// Planner view: coverage table (sortable), gap polygons, and planned sites, from the JSON API.
(function () {
  "use strict";
  var block = document.getElementById("gw-planner-config");  // data, not code: the page has no inline script
  var config = block ? JSON.parse(block.textContent) : {};
  var lang = config.lang || "ja";
  var words = config.words || {};
  var map = L.map("map", { maxZoom: 18 });
  window.gwPlannerMap = map;  // for tests and for the console
  var areaLayer = L.geoJSON(null, { style: { color: "#555", weight: 1.5, fill: false } }).addTo(map);
  var resourceLayer = L.layerGroup().addTo(map);
  var gapLayer = L.geoJSON(null, {
    style: function (f) { return { color: "#b22222", weight: 1, fillColor: "#e34a33",
      fillOpacity: f.properties.age_65_plus > 0 ? 0.45 : 0.12 }; },
    onEachFeature: function (f, layer) {
      layer.bindPopup("<b>" + escapeHtml(f.properties.name) + "</b><br>#" + Number(f.properties.rank) + " · 65+: " +
        f.properties.age_65_plus.toFixed(0) + " · " + (f.properties.area_m2 / 10000).toFixed(1) + " ha");
    }
  }).addTo(map);
  var serviceLayer = L.geoJSON(null, {
    style: { color: "#1f78b4", weight: 1, fillColor: "#a6cee3", fillOpacity: 0.25 },
    onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); }
  }).addTo(map);
  serviceLayer.bringToBack();
  var siteLayer = L.layerGroup().addTo(map);
  var rows = [], sortKey = null, sortDown = true;
  var generation = 0;  // answers to an older request are dropped when a newer one was sent

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function percent(value) { return value == null ? "–" : (100 * value).toFixed(1) + "%"; }
  function number(value) { return value == null ? "–" : Math.round(value).toLocaleString(); }
  function params() {
    var form = document.getElementById("planner-form");
    var query = new URLSearchParams(new FormData(form));
    query.set("lang", lang);
    return query;
  }
  function status(text) { document.getElementById("status").textContent = text || ""; }
  function fail(answer) {
    return answer.json().then(function (body) { throw new Error(lang === "en" ? body.error_en : body.error); });
  }
  function getJSON(url) { return fetch(url).then(function (r) { return r.ok ? r.json() : fail(r); }); }

  function drawTable() {
    var body = document.querySelector("#coverage-table tbody");
    var sorted = rows.filter(function (r) { return r.code !== "*"; });
    if (sortKey) {
      sorted.sort(function (a, b) {
        var x = a[sortKey], y = b[sortKey];
        var order = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "ja");
        return sortDown ? -order : order;
      });
    }
    var total = rows.filter(function (r) { return r.code === "*"; });
    body.innerHTML = sorted.concat(total).map(function (r) {
      return '<tr data-code="' + escapeHtml(r.code) + '"' + (r.code === "*" ? ' class="gw-total"' : "") + "><td>" +
        escapeHtml(r.name) + "</td><td>" + number(r.age_65_plus) + "</td><td>" + number(r.age_65_plus_covered) +
        "</td><td>" + percent(r.share_65_plus_covered) + "</td><td>" + percent(r.share_75_plus_covered) + "</td></tr>";
    }).join("");
  }
  document.querySelectorAll("#coverage-table th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      sortDown = sortKey === key ? !sortDown : th.getAttribute("data-type") === "number";
      sortKey = key;
      drawTable();
    });
  });

  function downloads(query) {
    document.getElementById("download-coverage").href = "/api/coverage?" + query + "&format=csv";
    document.getElementById("download-gaps-geojson").href = "/api/gaps?" + query + "&format=geojson";
    document.getElementById("download-gaps-gpkg").href = "/api/gaps?" + query + "&format=gpkg";
    document.getElementById("download-service-areas").href = "/api/service-areas?" + query + "&format=geojson";
  }

  function run(event) {
    if (event) { event.preventDefault(); }
    var mine = ++generation;
    var query = params();
    downloads(query.toString());
    status(words.working);
    var unitQuery = new URLSearchParams({ unit: query.get("unit") });
    var resourceQuery = new URLSearchParams();
    query.getAll("kind").forEach(function (k) { resourceQuery.append("kind", k); });
    return Promise.all([
      getJSON("/api/coverage?" + query), getJSON("/api/gaps?" + query), getJSON("/api/areas?" + unitQuery),
      getJSON("/api/resources?" + resourceQuery), getJSON("/api/service-areas?" + query)
    ]).then(function (answers) {
      if (mine !== generation) { return; }
      rows = answers[0].rows;
      drawTable();
      gapLayer.clearLayers().addData(answers[1]);
      areaLayer.clearLayers().addData(answers[2]);
      serviceLayer.clearLayers().addData(answers[4]);
      document.body.setAttribute("data-service-areas", answers[4].features.length);
      resourceLayer.clearLayers();
      answers[3].features.forEach(function (f) {
        L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 5, color: "#222",
          weight: 1, fillColor: "#1f78b4", fillOpacity: 0.9, className: "gw-place" })
          .bindTooltip(escapeHtml(f.properties.name)).addTo(resourceLayer);
      });
      if (areaLayer.getLayers().length) { map.fitBounds(areaLayer.getBounds()); }
      document.body.setAttribute("data-gaps", answers[1].features.length);
      document.body.setAttribute("data-minutes", answers[0].minutes);
      status("");
    }).catch(function (error) { status(error.message); });
  }

  function plan(event) {
    event.preventDefault();
    var query = params();
    var k = document.getElementById("k").value, target = document.getElementById("target").value;
    if (target) { query.set("target", target); } else { query.set("k", k); }
    status(words.working);
    getJSON("/api/plan?" + query).then(function (answer) {
      document.querySelector("#plan-summary tbody").innerHTML = answer.summary.map(function (s) {
        return '<tr data-model="' + escapeHtml(s.model) + '"><td>' + escapeHtml(s.label) + "</td><td>" + Number(s.sites) + "</td><td>" +
          percent(s.share_before) + "</td><td>" + percent(s.share_after) + "</td><td>+" + number(s.gain_65_plus) +
          "</td></tr>";
      }).join("");
      siteLayer.clearLayers();
      document.getElementById("plan-sites").innerHTML = answer.sites.features.map(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.marker([c[1], c[0]], { icon: L.divIcon({ className: "gw-site", html: '<div class="gw-site-label">' +
          Number(p.order) + "</div>", iconSize: [26, 26] }) }).bindTooltip(escapeHtml(p.name)).addTo(siteLayer);
        return "<li>" + escapeHtml(p.name) + " (+" + number(p.added_65_plus) + ")</li>";
      }).join("");
      status("");
    }).catch(function (error) { status(error.message); });
  }

  document.getElementById("planner-form").addEventListener("submit", run);
  document.getElementById("plan-form").addEventListener("submit", plan);
  map.setView([35.68, 139.76], 13);
  run();
})();
