// Planner view: the coverage table first, then gaps and walking areas (with a stage shown), and planned sites.
// Every text from the answers goes into the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var block = document.getElementById("gw-planner-config");  // data, not code: the page has no inline script
  var config = block ? JSON.parse(block.textContent) : {};
  var lang = config.lang || "ja";
  var words = config.words || {};
  var styles = config.styles || {};
  var STAGES = 3;  // coverage, gaps, walking areas
  // Whom the figures count (web/planner.py _group_columns): its label, kinds, and the columns its table shows.
  var groups = {};
  (config.groups || []).forEach(function (g) { groups[g.id] = g; });
  function chosenGroup() {
    var select = document.getElementById("group");
    return groups[select ? select.value : "older"] || (config.groups || [])[0] || {};
  }
  var shownGroup = chosenGroup();  // the group of the answers on the page
  var map = L.map("map", { maxZoom: 18 });
  window.gwPlannerMap = map;  // for tests and for the console
  // Places and planned sites in a pane of their own above the areas, gaps and walking areas, so the
  // polygons that arrive later never cover them (their tooltips stay reachable).
  map.createPane("gwPlaces");
  map.getPane("gwPlaces").style.zIndex = 450;
  window.gwContext.streets(map);  // the walking network's streets under everything: context without tiles
  var areaLayer = L.geoJSON(null, { style: { color: "#555", weight: 1.5, fill: false } }).addTo(map);
  var resourceLayer = L.layerGroup().addTo(map);
  var gapLayer = L.geoJSON(null, {
    style: function (f) {  // one style for gaps on every map (web/choropleth.py GAP_STYLE); faint where no one lives
      var people = f.properties[shownGroup.people || "age_65_plus"];
      return Object.assign({}, styles.gaps, { fillOpacity: people > 0 ? styles.gaps.fillOpacity : 0.1 });
    },
    onEachFeature: function (f, layer) {
      var p = f.properties, box = element("div");
      box.appendChild(element("b", p.name));
      box.appendChild(document.createElement("br"));
      var people = shownGroup.people || "age_65_plus", heading = (shownGroup.headers || ["65+"])[0];
      box.appendChild(document.createTextNode("#" + Number(p.rank) + " · " + heading + ": " + Number(p[people]).toFixed(0) +
        " · " + (Number(p.area_m2) / 10000).toFixed(1) + " ha"));
      layer.bindPopup(box);
    }
  }).addTo(map);
  var serviceLayer = L.geoJSON(null, {
    style: styles.serviceAreas,
    onEachFeature: function (f, layer) { layer.bindTooltip(element("span", f.properties.name)); }
  }).addTo(map);
  serviceLayer.bringToBack();
  var siteLayer = L.layerGroup().addTo(map);

  // The legend: what each colour and shape on the map means, in the page's language; the kinds are those
  // of the places shown, so it is redrawn with them.
  var kindStyles = config.kinds || {}, legendControl = null;
  function drawLegend(kinds) {
    if (legendControl) { legendControl.remove(); }
    legendControl = window.gwContext.legend(map, words.legend_title, kinds.map(function (kind) {
      var look = kindStyles[kind] || { marker: "o", colour: "#1f78b4", label: kind };
      return { marker: look.marker, colour: look.colour, text: look.label };
    }).concat([
      { className: "gw-swatch-site", text: words.legend_sites },
      { className: "gw-swatch-candidate", text: words.legend_candidates },
      { style: styles.serviceAreas, text: words.legend_service_areas },
      { style: styles.gaps, text: words.legend_gaps },
      { className: "gw-swatch-line", style: { color: "#555" }, text: words.legend_areas },
      { className: "gw-swatch-street", style: { color: "#9e9e9e" }, text: words.legend_streets }
    ]));
  }
  drawLegend([]);
  var rows = [], sortKey = null, sortDown = true;
  var generation = 0;  // answers to an older request are dropped when a newer one was sent

  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text != null) { node.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }
  function row(cells, attributes) {
    var tr = element("tr", null, attributes);
    cells.forEach(function (cell) { tr.appendChild(element("td", cell)); });
    return tr;
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
  // The stage reached: the bar's value (0–3) and the stage's words, read out by screen readers (aria-live).
  function stage(done, text) {
    var bar = document.getElementById("progress-bar"), box = document.getElementById("progress");
    bar.value = done;
    bar.setAttribute("aria-valuenow", done);
    document.getElementById("stage").textContent = text + " (" + done + "/" + STAGES + ")";
    box.hidden = false;
    document.body.setAttribute("data-stage", done);
  }
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
        var numeric = (typeof x === "number" || x == null) && (typeof y === "number" || y == null);
        var order = numeric ? (x == null ? -Infinity : x) - (y == null ? -Infinity : y) || 0
          : String(x == null ? "" : x).localeCompare(String(y == null ? "" : y), "ja");
        return sortDown ? -order : order;
      });
    }
    var total = rows.filter(function (r) { return r.code === "*"; });
    body.replaceChildren.apply(body, sorted.concat(total).map(function (r) {
      var attributes = { "data-code": r.code };
      if (r.code === "*") { attributes["class"] = "gw-total"; }
      var whole = r.whole || {};  // whole people that add up to the total row (the server rounds them)
      var g = shownGroup, cells = [r.label, number(whole[g.people]), number(whole[g.covered]), percent(r[g.share])];
      if (g.second_share) { cells.push(percent(r[g.second_share])); }
      return row(cells, attributes);
    }));
  }
  // The table's headers are the group's: 65+ (and the 75+ share) for the older residents, 0–14 for children.
  function drawHeaders(g) {
    var cells = document.querySelectorAll("#coverage-table th[data-key]");
    var keys = [g.people, g.covered, g.share, g.second_share];
    (g.headers || []).forEach(function (text, i) {
      var th = cells[i + 1];
      if (!th) { return; }
      th.hidden = !keys[i];
      if (keys[i]) { th.setAttribute("data-key", keys[i]); th.textContent = text; }
    });
  }
  var groupSelect = document.getElementById("group");
  if (groupSelect) {  // choosing a group ticks the kinds of place that serve it (the user may change them)
    groupSelect.addEventListener("change", function () {
      var kinds = chosenGroup().kinds || [];
      document.querySelectorAll("#planner-form input[name=kind]").forEach(function (input) {
        input.checked = kinds.indexOf(input.value) >= 0;
      });
    });
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
    document.getElementById("download-coverage-xlsx").href = "/api/coverage?" + query + "&format=xlsx";
    document.getElementById("download-gaps-geojson").href = "/api/gaps?" + query + "&format=geojson";
    document.getElementById("download-gaps-gpkg").href = "/api/gaps?" + query + "&format=gpkg";
    document.getElementById("download-service-areas").href = "/api/service-areas?" + query + "&format=geojson";
  }

  function drawResources(answer) {
    resourceLayer.clearLayers();
    var shown = {};
    answer.features.forEach(function (f) { shown[f.properties.kind] = true; });
    drawLegend(Object.keys(kindStyles).filter(function (kind) { return shown[kind]; }));
    answer.features.forEach(function (f) {
      var look = kindStyles[f.properties.kind] || { marker: "o", colour: "#1f78b4" };
      L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { pane: "gwPlaces", title: String(f.properties.name),
        icon: window.gwContext.shapeIcon(look.marker, look.colour, null, 14) })
        .bindTooltip(element("span", f.properties.name)).addTo(resourceLayer);
    });
  }

  // Stage 1: the coverage table (with the areas and places on the map); then stages 2 and 3, gaps and
  // walking areas, asked for together once the table is shown, each counted as it arrives.
  function run(event) {
    if (event) { event.preventDefault(); }
    var mine = ++generation, done = 0;
    var query = params();
    var asked = chosenGroup();
    downloads(query.toString());
    status("");
    ["data-minutes", "data-coverage-minutes", "data-gaps", "data-service-areas"].forEach(function (name) {
      document.body.removeAttribute(name);  // the answers shown are those of the question asked last
    });
    gapLayer.clearLayers();
    serviceLayer.clearLayers();
    stage(0, words.stage_coverage);
    var areaQuery = new URLSearchParams({ unit: query.get("unit") });
    var resourceQuery = new URLSearchParams();
    query.getAll("kind").forEach(function (k) { resourceQuery.append("kind", k); });
    function arrived() { done += 1; stage(done, done === STAGES ? words.stage_done : words.stage_areas); }
    return Promise.all([
      getJSON("/api/coverage?" + query), getJSON("/api/areas?" + areaQuery), getJSON("/api/resources?" + resourceQuery)
    ]).then(function (answers) {
      if (mine !== generation) { return null; }
      rows = answers[0].rows;
      shownGroup = groups[answers[0].group] || asked;
      drawHeaders(shownGroup);
      document.getElementById("group-shown").textContent = String(words.group_shown || "{group}")
        .replace("{group}", answers[0].group_label || shownGroup.label || "");
      document.body.setAttribute("data-group", shownGroup.id || "");
      if (shownGroup.heading) { document.getElementById("coverage-heading").textContent = shownGroup.heading; }
      drawTable();
      document.getElementById("no-places").hidden = answers[0].places !== 0;  // 0 % because nothing was counted
      areaLayer.clearLayers().addData(answers[1]);
      drawResources(answers[2]);
      if (areaLayer.getLayers().length) { map.fitBounds(areaLayer.getBounds()); }
      document.body.setAttribute("data-coverage-minutes", answers[0].minutes);
      arrived();
      return Promise.all([
        getJSON("/api/gaps?" + query).then(function (answer) {
          if (mine !== generation) { return; }
          gapLayer.clearLayers().addData(answer);
          document.body.setAttribute("data-gaps", answer.features.length);
          arrived();
        }),
        getJSON("/api/service-areas?" + query).then(function (answer) {
          if (mine !== generation) { return; }
          serviceLayer.clearLayers().addData(answer);
          document.body.setAttribute("data-service-areas", answer.features.length);
          arrived();
        })
      ]).then(function () {
        if (mine === generation) { document.body.setAttribute("data-minutes", answers[0].minutes); }
      });
    }).catch(function (error) { if (mine === generation) { status(error.message); } });
  }

  // Candidate sites: imported, a grid, stored places of a kind, or points clicked on the map.
  var clicked = [], candidateLayer = L.layerGroup().addTo(map);
  function candidateSource() {
    var chosen = document.querySelector("#plan-form input[name=candidates]:checked");
    return chosen ? chosen.value : "stored";
  }
  function showCandidateOptions() {
    var source = candidateSource();
    document.getElementById("spacing-label").hidden = source !== "grid";
    document.getElementById("candidate-kind-label").hidden = source !== "kind";
    document.getElementById("points-hint").hidden = source !== "points";
    document.getElementById("points-text").textContent = String(words.points_hint || "").replace("{count}", clicked.length);
    candidateLayer.eachLayer(function (marker) { marker.setOpacity(source === "points" ? 1 : 0.3); });
  }
  document.querySelectorAll("#plan-form input[name=candidates]").forEach(function (input) {
    input.addEventListener("change", showCandidateOptions);
  });
  map.on("click", function (event) {
    if (candidateSource() !== "points") { return; }
    clicked.push([event.latlng.lng, event.latlng.lat]);
    L.marker(event.latlng, { icon: L.divIcon({ className: "gw-candidate", iconSize: [12, 12] }), pane: "gwPlaces",
      title: String(words.legend_candidates) + " " + clicked.length })
      .bindTooltip(element("span", clicked.length)).addTo(candidateLayer);
    showCandidateOptions();
  });
  document.getElementById("points-clear").addEventListener("click", function () {
    clicked = [];
    candidateLayer.clearLayers();
    showCandidateOptions();
  });
  function planError(text) {  // beside the button, where the planner is looking, with the fix in its words
    var box = document.getElementById("plan-error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function plan(event) {
    event.preventDefault();
    var query = params();
    var k = document.getElementById("k").value, target = document.getElementById("target").value;
    if (target) { query.set("target", target); } else { query.set("k", k); }
    var source = candidateSource();
    query.set("candidates", source);
    if (source === "grid") { query.set("spacing", document.getElementById("spacing").value); }
    if (source === "kind") { query.set("candidate_kind", document.getElementById("candidate-kind").value); }
    if (source === "points") {
      query.set("points", clicked.map(function (p) { return p[0].toFixed(7) + "," + p[1].toFixed(7); }).join(";"));
    }
    planError("");
    document.getElementById("plan-downloads").hidden = true;
    status(words.working);
    getJSON("/api/plan?" + query).then(function (answer) {
      var summary = document.querySelector("#plan-summary tbody");
      var planned = groups[answer.group] || {}, tag = planned.tag || "65_plus";  // gain_0_14, added_0_14 for children
      if (planned.added) { document.getElementById("plan-added-header").textContent = planned.added; }
      summary.replaceChildren.apply(summary, answer.summary.map(function (s) {
        return row([s.label, Number(s.sites), percent(s.share_before), percent(s.share_after),
          "+" + number(s["gain_" + tag])], { "data-model": s.model, "data-group": answer.group });
      }));
      document.getElementById("plan-group-shown").textContent = String(words.group_shown || "{group}")
        .replace("{group}", answer.group_label || "");
      siteLayer.clearLayers();
      var list = document.getElementById("plan-sites");
      list.replaceChildren.apply(list, answer.sites.features.map(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.marker([c[1], c[0]], { pane: "gwPlaces", title: String(p.name), icon: L.divIcon({ className: "gw-site",
          html: element("div", Number(p.order), { "class": "gw-site-label" }), iconSize: [26, 26] }) })
          .bindTooltip(element("span", p.name)).addTo(siteLayer);
        var item = element("li");
        item.appendChild(element("span", p.name, { "class": "gw-site-name" }));
        if (p.address) { item.appendChild(element("span", p.address, { "class": "gw-site-address" })); }
        item.appendChild(element("span", " (+" + number(p["added_" + tag]) + ")"));
        return item;
      }));
      ["csv", "xlsx", "geojson"].forEach(function (format) {
        document.getElementById("download-sites-" + format).href = "/api/plan?" + query + "&format=" + format;
      });
      document.getElementById("plan-downloads").hidden = false;
      status("");
    }).catch(function (error) {  // no answer: the sites of an earlier question are not left standing beside it
      siteLayer.clearLayers();
      document.getElementById("plan-sites").replaceChildren();
      document.querySelector("#plan-summary tbody").replaceChildren();
      status("");
      planError(error.message);
    });
  }

  document.getElementById("planner-form").addEventListener("submit", run);
  document.getElementById("plan-form").addEventListener("submit", plan);
  map.setView([35.68, 139.76], 13);
  run();
})();
