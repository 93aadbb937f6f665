// Coordinator view: click the map or type an address → nearest places by walking minutes, routes, a printable list.
// The client's location is sent only in POST bodies (never in a URL) and kept only in this page.
(function () {
  "use strict";
  var block = document.getElementById("gw-coordinator-config");  // data, not code: the page has no inline script
  var config = block ? JSON.parse(block.textContent) : {};
  var lang = config.lang || "ja";
  var words = config.words || {};
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var COLOURS = ["#1b7837", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#b8860b", "#a6761d", "#1f78b4",
                 "#e31a1c", "#6a3d9a"];

  var map = L.map("map", { maxZoom: 18 }).setView([35.68, 139.76], 5);
  window.gwCoordinatorMap = map;  // for tests and for the console
  if (config.tiles) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  var areaLayer = L.geoJSON(null, {
    style: { color: "#777", weight: 1, fill: false, interactive: false }, interactive: false
  }).addTo(map);
  var placeLayer = L.layerGroup().addTo(map);
  var routeLayer = L.layerGroup().addTo(map);
  var chosenLayer = L.layerGroup().addTo(map);
  var originMarker = null;
  var origin = null;  // {lon, lat, label}
  var generation = 0;  // answers to an older request are dropped when a newer one was sent
  var routes = {};

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function $(id) { return document.getElementById(id); }
  function status(text) { $("status").textContent = text || ""; }
  function message(text) {
    var box = $("address-message");
    box.textContent = text || "";
    box.hidden = !text;
  }
  function errorText(body) {
    return body ? (lang === "en" ? body.error_en : body.error) || words.coord_error : words.coord_error;
  }
  function postJSON(url, body) {
    body.lang = lang;
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (answer) {
      return answer.json().catch(function () { return null; }).then(function (json) {
        return { ok: answer.ok, status: answer.status, body: json };
      });
    });
  }

  // Background: small-area outlines and every public place, so the coordinator sees where things are.
  fetch("/api/areas?unit=small_area&lang=" + lang).then(function (r) { return r.json(); }).then(function (areas) {
    areaLayer.addData(areas);
    if (areas.features.length && !origin) { map.fitBounds(areaLayer.getBounds()); }
    return fetch("/api/resources?lang=" + lang);
  }).then(function (r) { return r.json(); }).then(function (places) {
    places.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      L.circleMarker([c[1], c[0]], { radius: 4, color: "#444", weight: 1, fillColor: "#bbb", fillOpacity: 0.9,
                                     className: "gw-background-place", bubblingMouseEvents: true })
        .bindTooltip(escapeHtml(f.properties.name)).addTo(placeLayer);
    });
    if (!areaLayer.getLayers().length && places.features.length && !origin) {
      map.fitBounds(L.geoJSON(places).getBounds(), { maxZoom: 16 });
    }
  }).catch(function () { /* the background layers are a help, not a need */ });

  function needs() {
    var form = $("needs-form");
    var kinds = Array.prototype.map.call(form.querySelectorAll('input[name="kind"]:checked'),
                                         function (box) { return box.value; });
    var weekday = $("weekday").value;
    return {
      kinds: kinds,
      weekday: weekday === "" ? null : parseInt(weekday, 10),
      time: $("time").value || null,
      target: $("target").value.trim() || null,
      barrier_free: $("barrier_free").checked,
      consultation: $("consultation").checked,
      consults: $("consults").value ? [$("consults").value] : [],
      include_unknown: $("include_unknown").checked,
      speed: parseFloat($("speed").value),
      k: parseInt($("k").value, 10)
    };
  }

  function setOrigin(lat, lon, label) {
    origin = { lat: lat, lon: lon, label: label };
    if (originMarker) { map.removeLayer(originMarker); }
    originMarker = L.marker([lat, lon], {
      icon: L.divIcon({ className: "gw-pin", iconSize: [18, 18] }), keyboard: false, zIndexOffset: 1000
    }).addTo(map);
    var line = $("origin");
    line.textContent = words.coord_from + ": " + label;
    line.hidden = false;
  }

  function walkText(p) {
    var text = words.coord_walk + " " + p.walking_min.toFixed(1) + " " + words.coord_minutes;
    return text + " <small>(" + Math.round(p.walking_m) + " " + words.coord_metres + ")</small>";
  }

  function draw(answer) {
    routeLayer.clearLayers();
    chosenLayer.clearLayers();
    routes = {};
    var list = $("results");
    list.innerHTML = "";
    var features = answer.features;
    $("print").disabled = !features.length;
    $("print-map").disabled = !features.length;
    var note = $("speed-note");
    note.textContent = words.coord_speed_note.replace("{speed}", answer.speed_kmh);
    note.hidden = !features.length;
    if (!features.length) {
      status(words.coord_no_results);
      return;
    }
    status("");
    var bounds = L.latLngBounds([[origin.lat, origin.lon]]);
    features.forEach(function (f) {
      var p = f.properties;
      var colour = COLOURS[(p.rank - 1) % COLOURS.length];
      var line = L.geoJSON(f, { style: { color: colour, weight: 5, opacity: 0.8, dashArray: p.method === "network" ? null : "6 6" },
                                className: "gw-route" });
      line.eachLayer(function (layer) { layer.options.className = "gw-route gw-route-" + p.rank; });
      line.bindTooltip(escapeHtml(words.coord_route_of + " " + p.rank + ": " + p.name));
      line.addTo(routeLayer);
      routes[p.rank] = line;
      bounds.extend(line.getBounds());
      var place = L.marker([p.place[1], p.place[0]], {
        icon: L.divIcon({ className: "", html: '<div class="gw-place-label" style="background:' + colour + '">' + p.rank +
                          "</div>", iconSize: [26, 26], iconAnchor: [13, 13] })
      }).bindTooltip(escapeHtml(p.name)).addTo(chosenLayer);
      place.on("click", function () { highlight(p.rank); });
      var rows = [[words.schedule, p.schedule || "—"], [words.address, p.address || "—"], [words.phone, p.phone || "—"]];
      if (p.services) { rows.unshift([words.services, p.services]); }  // an office's services (national lists)
      var item = document.createElement("li");
      item.setAttribute("data-rank", p.rank);
      item.setAttribute("data-name", p.name);
      item.setAttribute("data-minutes", p.walking_min.toFixed(1));
      item.innerHTML = '<span class="gw-rank" style="background:' + colour + '">' + p.rank + "</span>" +
        '<div class="gw-entry"><h3>' + escapeHtml(p.name) + '<span class="gw-kind">' + escapeHtml(p.kind_label) +
        "</span></h3>" + '<div class="gw-walk">' + walkText(p) + "</div>" +
        (p.method === "network" ? "" : '<div class="gw-estimate">' + escapeHtml(words.coord_method_straight) + "</div>") +
        "<dl>" + rows.map(function (r) { return "<dt>" + escapeHtml(r[0]) + "</dt><dd>" + escapeHtml(r[1]) + "</dd>"; }).join("") +
        "</dl></div>";
      item.addEventListener("click", function () { highlight(p.rank); });
      list.appendChild(item);
    });
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17, animate: false });  // an animation under way would swallow it
  }

  function highlight(rank) {
    Object.keys(routes).forEach(function (key) {
      routes[key].setStyle({ weight: String(key) === String(rank) ? 8 : 5, opacity: String(key) === String(rank) ? 1 : 0.5 });
    });
    if (routes[rank]) { routes[rank].bringToFront(); }
    document.querySelectorAll("#results li").forEach(function (li) {
      li.classList.toggle("gw-active", li.getAttribute("data-rank") === String(rank));
    });
  }

  function search() {
    if (!origin) { return; }
    var mine = ++generation;
    var body = needs();
    body.lon = origin.lon;
    body.lat = origin.lat;
    status(words.coord_searching);
    postJSON("/api/nearest", body).then(function (answer) {
      if (mine !== generation) { return; }
      if (!answer.ok) {
        routeLayer.clearLayers();
        chosenLayer.clearLayers();
        $("results").innerHTML = "";
        $("print").disabled = true;
        $("print-map").disabled = true;
        status(errorText(answer.body));
        return;
      }
      draw(answer.body);
    }).catch(function () { if (mine === generation) { status(words.coord_error); } });
  }

  // 担当の包括は？ The 圏域 of the origin, the centre tied to it (or the nearest, said so), the districts.
  var whichGeneration = 0;
  function whichText(text) { $("which-status").textContent = text || ""; }
  function whichAnswer(answer) {
    var box = $("which-answer");
    var rows = [];
    var areas = answer.areas;
    ["daily_life_area", "elementary_district", "junior_high_district", "district"].forEach(function (unit) {
      var area = areas[unit];
      if (!area && unit === "district") { return; }  // most stores keep no 地区: leave the line out
      rows.push("<dt>" + escapeHtml(answer.unit_labels[unit]) + "</dt><dd data-unit=\"" + escapeHtml(unit) + "\">" +
                (area ? escapeHtml(area.name || area.code) + " <small>(" + escapeHtml(area.code) + ")</small>"
                      : escapeHtml(words.coord_which_no_area)) + "</dd>");
    });
    (answer.csw || []).forEach(function (entry) {
      rows.push("<dt>" + escapeHtml(entry.key) + "</dt><dd>" + escapeHtml(entry.value) + "</dd>");
    });
    var centre = answer.centre;
    var html = "";
    if (answer.location) {
      html += '<p class="gw-which-located">' + escapeHtml(words.coord_which_located
        .replace("{level}", answer.location.level_label).replace("{matched}", answer.location.matched || "")) + "</p>";
    }
    if (!centre) {
      html += '<p class="gw-which-centre" data-tie="none">' + escapeHtml(words.coord_which_none) + "</p>";
    } else {
      var walk = centre.walking_min == null ? "—" : walkText(centre);
      html += '<p class="gw-which-tie" data-tie="' + escapeHtml(centre.tie) + '">' +
        escapeHtml(centre.tie === "assigned" ? words.coord_which_assigned : words.coord_which_nearest) + "</p>" +
        '<h3 class="gw-which-centre">' + escapeHtml(centre.name) + "</h3>" +
        "<dl>" + [[words.address, centre.address || "—"], [words.phone, centre.phone || "—"],
                  [words.coord_which_hours, centre.hours || "—"]].map(function (r) {
          return "<dt>" + escapeHtml(r[0]) + "</dt><dd>" + escapeHtml(r[1]) + "</dd>";
        }).join("") + "<dt>" + escapeHtml(words.coord_walk) + '</dt><dd class="gw-which-walk">' + walk + "</dd></dl>";
    }
    box.innerHTML = html + '<dl class="gw-which-areas">' + rows.join("") + "</dl>";
    box.hidden = false;
  }
  function which() {
    if (!origin) { whichText(words.coord_which_need_point || ""); return; }
    var mine = ++whichGeneration;
    whichText(words.coord_searching);
    postJSON("/api/which", { lon: origin.lon, lat: origin.lat, speed: parseFloat($("speed").value) })
      .then(function (answer) {
        if (mine !== whichGeneration) { return; }
        if (!answer.ok) { $("which-answer").hidden = true; whichText(errorText(answer.body)); return; }
        whichText("");
        whichAnswer(answer.body);
        if (origin.level) { $("which-answer").insertAdjacentHTML("afterbegin", '<p class="gw-which-located">' +
          escapeHtml(words.coord_level_of.replace("{level}", origin.level)) + "</p>"); }
      }).catch(function () { if (mine === whichGeneration) { whichText(words.coord_error); } });
  }
  $("which-button").addEventListener("click", which);

  function choose(candidate) {
    var typed = $("address").value.trim();
    setOrigin(candidate.lat, candidate.lon, candidate.label +
              (candidate.level_label ? " (" + words.coord_level_of.replace("{level}", candidate.level_label) + ")" : ""));
    origin.level = candidate.level_label || null;
    origin.typed = typed || candidate.label;  // the printout names the address as the coordinator typed it
    search();
    which();
  }

  function showCandidates(candidates) {
    var box = $("candidates");
    var list = box.querySelector(".gw-list");
    list.innerHTML = "";
    candidates.slice(1).forEach(function (candidate) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = candidate.label;
      button.addEventListener("click", function () { choose(candidate); });
      list.appendChild(button);
    });
    box.hidden = candidates.length < 2;
  }

  $("address-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("address").value.trim();
    message("");
    showCandidates([]);
    if (!text) { return; }
    postJSON("/api/geocode", { q: text }).then(function (answer) {
      if (!answer.ok) {
        message(errorText(answer.body));
        return;
      }
      var candidates = answer.body.candidates;
      showCandidates(candidates);
      choose(candidates[0]);
    }).catch(function () { message(words.coord_error); });
  });

  map.on("click", function (event) {
    message("");
    showCandidates([]);
    setOrigin(event.latlng.lat, event.latlng.lng, words.coord_origin_map);
    search();
    which();
  });
  // Choosing a field ticks the kinds whose places take it (a desk is rarely a salon), before the search runs.
  $("consults").addEventListener("change", function () {
    var kinds = JSON.parse($("consults").getAttribute("data-kinds") || "{}")[$("consults").value] || [];
    kinds.forEach(function (kind) {
      var box = $("needs-form").querySelector('input[name="kind"][value="' + kind + '"]');
      if (box) { box.checked = true; }
    });
  });
  $("needs-form").addEventListener("change", search);
  $("needs-form").addEventListener("submit", function (event) { event.preventDefault(); search(); });
  $("print").addEventListener("click", function () {
    $("print-date").textContent = new Date().toLocaleDateString(lang === "en" ? "en-GB" : "ja-JP");
    window.print();
  });
  // The printout with a map: a posted form (the location and the address never go into a URL), in a new tab.
  $("print-map").addEventListener("click", function () {
    if (!origin) { return; }
    var form = $("print-form");
    Array.prototype.slice.call(form.querySelectorAll("input:not([name=csrf_token])")).forEach(function (input) {
      form.removeChild(input);
    });
    var wanted = needs();
    function add(name, value) {
      if (value === null || value === undefined || value === false) { return; }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value === true ? "true" : String(value);
      form.appendChild(input);
    }
    wanted.kinds.forEach(function (kind) { add("kind", kind); });
    wanted.consults.forEach(function (field) { add("consults", field); });
    ["weekday", "time", "target", "barrier_free", "consultation", "include_unknown", "speed", "k"].forEach(function (key) {
      add(key, wanted[key]);
    });
    add("lon", origin.lon);
    add("lat", origin.lat);
    add("address", origin.typed || null);
    add("lang", lang);
    form.submit();
  });
  $("print-date").textContent = new Date().toLocaleDateString(lang === "en" ? "en-GB" : "ja-JP");
})();
