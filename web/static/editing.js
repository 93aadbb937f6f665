/* Editing on the map, for signed-in editors only (the page includes this script for them alone).
 *
 * Each resource's circle becomes a draggable Leaflet marker in the same layer group: dropping it
 * POSTs the move, clicking "編集/Edit" in its popup opens a form (PATCH), and "+ 追加/Add" makes a
 * new place at the map's centre (POST).  Every call carries the session's CSRF token in the
 * X-CSRFToken header.  Words come from the page (window.GW_EDITOR.words), in its language.
 */
(function () {
  "use strict";
  var C = window.GW_EDITOR;
  if (!C) { return; }

  function w(key) { return C.words[key]; }

  function call(method, path, body) {
    var options = {method: method, credentials: "same-origin",
                   headers: {"X-CSRFToken": C.csrf, "Accept": "application/json"}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(C.api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    });
  }

  function errorText(data) { return (C.lang === "en" ? data.error_en : data.error) || String(data.status || ""); }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function findMap() {
    return Object.values(window).find(function (value) { return value instanceof L.Map; });
  }

  /* ---------------------------------------------------------------- draggable markers */

  function makeDraggable(map) {
    var staff = new Set(C.staff_only_ids);
    var groups = [];
    map.eachLayer(function (layer) { if (layer instanceof L.LayerGroup) { groups.push(layer); } });
    var done = new Set();
    groups.forEach(function (group) {
      var circles = [];
      group.eachLayer(function (child) {
        if (child instanceof L.CircleMarker && !done.has(child) &&
            /\bgw-resource\b/.test(child.options.className || "")) { circles.push(child); }
      });
      circles.forEach(function (circle) {
        done.add(circle);
        var id = Number((/\bgw-id-(\d+)/.exec(circle.options.className) || [])[1]);
        if (!id) { return; }
        var kind = (/\bgw-kind-(\w+)/.exec(circle.options.className) || [])[1] || "other";
        group.removeLayer(circle);
        group.addLayer(draggableMarker(map, circle, id, kind, staff.has(id)));
      });
    });
  }

  function draggableMarker(map, circle, id, kind, staffOnly) {
    var swatch = element("span");
    swatch.style.background = circle.options.fillColor;
    var icon = L.divIcon({
      className: "gw-edit-marker gw-kind-" + kind + " gw-id-" + id + (staffOnly ? " gw-staff-only" : ""),
      html: swatch.outerHTML, iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8]
    });
    var marker = L.marker(circle.getLatLng(), {draggable: true, autoPan: true, icon: icon});
    marker.gwId = id;
    if (circle.getTooltip()) { marker.bindTooltip(circle.getTooltip().getContent()); }
    var content = element("div");
    var original = circle.getPopup() && circle.getPopup().getContent();
    if (original instanceof Node) { content.appendChild(original); }
    else if (original) { content.insertAdjacentHTML("beforeend", original); }
    var edit = element("button", {type: "button", "class": "gw-edit-button"}, w("edit"));
    edit.addEventListener("click", function () { marker.closePopup(); openForm(map, id); });
    content.appendChild(edit);
    marker.bindPopup(content, {maxWidth: 320});
    var before = marker.getLatLng();
    marker.on("dragstart", function () { before = marker.getLatLng(); });
    marker.on("dragend", function () {
      var to = marker.getLatLng();
      call("POST", "/" + id + "/move", {lon: to.lng, lat: to.lat}).then(function (result) {
        if (!result.ok) {
          marker.setLatLng(before);
          window.alert(w("move_failed") + "\n" + errorText(result.data));
        }
      }, function () { marker.setLatLng(before); window.alert(w("move_failed")); });
    });
    return marker;
  }

  /* ---------------------------------------------------------------- the form */

  var panel = null;

  function closeForm() { if (panel) { panel.remove(); panel = null; } }

  function input(field, value) {
    var node;
    if (field.type === "kind" || field.type === "flag" || field.type === "visibility") {
      node = element("select");
      var choices = field.type === "kind" ? C.kinds
        : field.type === "flag" ? [["", w("unknown")], ["true", w("yes")], ["false", w("no")]]
        : [["public", w("public")], ["staff", w("staff_only")]];
      choices.forEach(function (choice) { node.appendChild(element("option", {value: choice[0]}, choice[1])); });
      node.value = value === true ? "true" : value === false ? "false" : (value === null || value === undefined
        ? (field.type === "visibility" ? "public" : field.type === "kind" ? "salon" : "") : String(value));
    } else if (field.type === "textarea") {
      node = element("textarea", {rows: "3"});
      node.value = value === null || value === undefined ? "" : String(value);
    } else {
      node = element("input", {type: field.type === "date" ? "date" : "text"});
      node.value = value === null || value === undefined ? "" : String(value);
    }
    node.name = field.name;
    node.id = "gw-field-" + field.name;
    return node;
  }

  function valueOf(field, node) {
    if (field.type === "flag") { return node.value === "" ? null : node.value === "true"; }
    var text = node.value.trim();
    return text === "" ? null : text;
  }

  function openForm(map, id) {
    closeForm();
    panel = element("div", {"class": "gw-editor", role: "dialog"});
    map.getContainer().parentNode.appendChild(panel);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    if (id) {
      call("GET", "/" + id).then(function (result) {
        if (!result.ok) { panel.appendChild(element("p", {"class": "gw-error"}, errorText(result.data))); return; }
        fillForm(map, id, result.data);
      });
    } else {
      fillForm(map, null, {});
    }
  }

  function fillForm(map, id, record) {
    panel.appendChild(element("h4", {}, id ? record.name : w("new_resource")));
    var form = element("form", {"class": "gw-edit-form"});
    var nodes = {};
    C.fields.forEach(function (field) {
      form.appendChild(element("label", {"for": "gw-field-" + field.name}, field.label));
      nodes[field.name] = input(field, record[field.name]);
      form.appendChild(nodes[field.name]);
    });
    var error = element("p", {"class": "gw-error", role: "alert"});
    var buttons = element("div", {"class": "gw-buttons"});
    var save = element("button", {type: "submit", "class": "gw-save"}, w("save"));
    buttons.appendChild(save);
    if (id) {
      var remove = element("button", {type: "button", "class": "gw-delete"}, w("delete"));
      remove.addEventListener("click", function () {
        if (!window.confirm(w("confirm_delete"))) { return; }
        call("DELETE", "/" + id).then(function (result) {
          if (result.ok) { window.location.reload(); } else { error.textContent = errorText(result.data); }
        });
      });
      buttons.appendChild(remove);
    }
    var cancel = element("button", {type: "button", "class": "gw-cancel"}, w("cancel"));
    cancel.addEventListener("click", closeForm);
    buttons.appendChild(cancel);
    form.appendChild(error);
    form.appendChild(buttons);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      C.fields.forEach(function (field) {
        var value = valueOf(field, nodes[field.name]);
        var old = record[field.name] === undefined ? null : record[field.name];
        if (!id || String(value) !== String(old)) { body[field.name] = value; }
      });
      if (!id) {
        var centre = map.getCenter();
        body.lon = centre.lng;
        body.lat = centre.lat;
      }
      Object.keys(nodes).forEach(function (name) { nodes[name].classList.remove("gw-bad"); });
      call(id ? "PATCH" : "POST", id ? "/" + id : "", body).then(function (result) {
        if (result.ok) { window.location.reload(); return; }
        error.textContent = errorText(result.data);
        (result.data.fields || []).forEach(function (name) {
          name.split(", ").forEach(function (one) { if (nodes[one]) { nodes[one].classList.add("gw-bad"); } });
        });
      });
    });
    panel.appendChild(form);
    if (id) { showHistory(id); }
  }

  function shown(value) {
    if (value === null || value === undefined) { return "—"; }
    return typeof value === "number" ? String(Number(value.toFixed(7))) : String(value);  /* 7 decimals: ~1 cm */
  }

  function showHistory(id) {
    call("GET", "/" + id + "/history").then(function (result) {
      if (!result.ok || !panel) { return; }
      panel.appendChild(element("h5", {}, w("history")));
      var list = element("ol", {"class": "gw-history"});
      result.data.forEach(function (change) {
        var fields = Object.keys(change.changes).map(function (field) {
          var pair = change.changes[field];
          return field + ": " + shown(pair[0]) + " → " + shown(pair[1]);
        });
        var when = new Date(change.changed_at).toLocaleString(C.lang === "en" ? "en-GB" : "ja-JP");
        list.appendChild(element("li", {}, when + " " + change.username + " " + w("action_" + change.action) +
                                           (change.action === "delete" ? "" : "（" + fields.join("、") + "）")));
      });
      panel.appendChild(list);
    });
  }

  /* ---------------------------------------------------------------- start */

  document.addEventListener("DOMContentLoaded", function () {
    var map = findMap();
    if (!map) { return; }
    makeDraggable(map);
    var box = document.querySelector(".gw-user");
    if (box) {
      var add = element("button", {type: "button", "class": "gw-add", title: w("drag_hint")}, w("add_resource"));
      add.addEventListener("click", function () { openForm(map, null); });
      box.appendChild(add);
    }
    document.body.classList.add("gw-editing");
  });
}());
