/* Editing on the map, for signed-in editors only (the page includes this script for them alone).
 *
 * Each resource's circle becomes a draggable Leaflet marker in the same layer group: dropping it
 * POSTs the move, clicking "編集/Edit" in its popup opens a form (PATCH), and "+ 追加/Add" makes a
 * new place at the map's centre (POST).  Every call carries the session's CSRF token in the
 * X-CSRFToken header.  Words come from the page's JSON block #gw-editor-config (its "words"), in its
 * language; the page holds no inline code (its Content-Security-Policy runs none without a nonce).
 *
 * Every change names the version it was based on: the form sends the one it was filled from
 * (the member "version" of the body), a drag the one the page was drawn from (C.versions, in
 * If-Match).  A 409 means someone saved first: its "conflicts" give, for each field sent, the
 * value sent and the value stored, with who stored it.  Where the stored value is not the one the
 * form was filled with, the form shows both beside the field and the editor chooses (keep mine,
 * or take the stored value); the save is then sent again on the version now stored, with only
 * the fields that still differ from it.  Where only other fields changed, it is sent again at
 * once: nothing of theirs is overwritten.
 */
(function () {
  "use strict";
  var block = document.getElementById("gw-editor-config");
  if (!block) { return; }
  var C = JSON.parse(block.textContent);

  function w(key) { return C.words[key]; }

  function call(method, path, body, version) {
    var options = {method: method, credentials: "same-origin",
                   headers: {"X-CSRFToken": C.csrf, "Accept": "application/json"}};
    if (version !== undefined && version !== null) { options.headers["If-Match"] = '"' + version + '"'; }
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
    marker.on("dragend", function () { sendMove(marker, id, before, marker.getLatLng()); });
    return marker;
  }

  /* A drop, on the version the page was drawn from.  If someone saved first and moved it too, the
   * editor chooses: the place where it was dropped, or the stored one; if they changed only
   * other fields, the move goes again at once on the new version. */
  function sendMove(marker, id, before, to) {
    var failed = function (text) { marker.setLatLng(before); window.alert(w("move_failed") + text); };
    call("POST", "/" + id + "/move", {lon: to.lng, lat: to.lat}, C.versions[id]).then(function (result) {
      if (result.ok) { C.versions[id] = result.data.version; return; }
      if (result.status !== 409) { failed("\n" + errorText(result.data)); return; }
      var stored = result.data.resource;
      C.versions[id] = result.data.version;
      var unmoved = Math.abs(stored.lon - before.lng) < 1e-6 && Math.abs(stored.lat - before.lat) < 1e-6;  /* the page rounds */
      if (unmoved || window.confirm(w("move_conflict"))) { sendMove(marker, id, before, to); return; }
      marker.setLatLng([stored.lat, stored.lon]);
    }, function () { failed(""); });
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
    } else if (field.type === "fields") {  /* the consultation fields: several of the glossary's list */
      node = element("select", {multiple: "multiple", size: String(Math.min(C.consult_fields.length, 6))});
      C.consult_fields.forEach(function (choice) { node.appendChild(element("option", {value: choice[0]}, choice[1])); });
    } else if (field.type === "textarea") {
      node = element("textarea", {rows: "3"});
    } else {
      node = element("input", {type: field.type === "date" ? "date" : "text"});
    }
    setValue(field, node, value);
    node.name = field.name;
    node.id = "gw-field-" + field.name;
    return node;
  }

  function setValue(field, node, value) {
    if (field.type === "fields") {  /* stored as ids joined by commas */
      var chosen = String(value || "").split(",");
      Array.prototype.forEach.call(node.options, function (option) { option.selected = chosen.indexOf(option.value) >= 0; });
    } else if (node.tagName === "SELECT") {
      node.value = value === true ? "true" : value === false ? "false" : (value === null || value === undefined
        ? (field.type === "visibility" ? "public" : field.type === "kind" ? C.kinds[0][0] : "") : String(value));
    } else {
      node.value = value === null || value === undefined ? "" : String(value);
    }
  }

  function valueOf(field, node) {
    if (field.type === "flag") { return node.value === "" ? null : node.value === "true"; }
    if (field.type === "fields") {
      var ids = Array.prototype.filter.call(node.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      return ids.length ? ids.join(",") : null;
    }
    var text = node.value.trim();
    return text === "" ? null : text;
  }

  function openForm(map, id, notice) {
    closeForm();
    panel = element("div", {"class": "gw-editor", role: "dialog"});
    map.getContainer().parentNode.appendChild(panel);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    if (id) {
      call("GET", "/" + id).then(function (result) {
        if (!result.ok) { panel.appendChild(element("p", {"class": "gw-error"}, errorText(result.data))); return; }
        fillForm(map, id, result.data, notice);
      });
    } else {
      fillForm(map, null, {});
    }
  }

  /* A field's value as the form shows it: the capacity as its list wrote it (「20名程度」) when it gave the number. */
  function formValue(record, name) {
    if (name === "capacity" && record.capacity_text) { return record.capacity_text; }
    return record[name] === undefined ? null : record[name];
  }

  /* The form's state: the resource it was filled from (record, version) and its inputs (nodes). */
  function fillForm(map, id, record, notice) {
    panel.appendChild(element("h4", {}, id ? record.name : w("new_resource")));
    var form = element("form", {"class": "gw-edit-form"});
    var state = {map: map, id: id, record: record, version: record.version, nodes: {},
                 error: element("p", {"class": "gw-error", role: "alert"}, notice)};
    C.fields.forEach(function (field) {
      form.appendChild(element("label", {"for": "gw-field-" + field.name}, field.label));
      state.nodes[field.name] = input(field, formValue(record, field.name));
      form.appendChild(state.nodes[field.name]);
    });
    var buttons = element("div", {"class": "gw-buttons"});
    var save = element("button", {type: "submit", "class": "gw-save"}, w("save"));
    buttons.appendChild(save);
    if (id) {
      var remove = element("button", {type: "button", "class": "gw-delete"}, w("delete"));
      remove.addEventListener("click", function () {
        if (!window.confirm(w("confirm_delete"))) { return; }
        call("DELETE", "/" + id, undefined, state.version).then(function (result) {
          if (result.ok) { window.location.reload(); return; }
          if (result.status === 409) { openForm(map, id, errorText(result.data)); return; }  /* see what changed */
          state.error.textContent = errorText(result.data);
        });
      });
      buttons.appendChild(remove);
    }
    var cancel = element("button", {type: "button", "class": "gw-cancel"}, w("cancel"));
    cancel.addEventListener("click", closeForm);
    buttons.appendChild(cancel);
    form.appendChild(state.error);
    form.appendChild(buttons);
    form.addEventListener("submit", function (event) { event.preventDefault(); submitForm(state); });
    panel.appendChild(form);
    if (id) { showHistory(id); }
  }

  function same(a, b) {
    var blank = function (value) { return value === null || value === undefined ? "" : String(value); };
    return blank(a) === blank(b);
  }

  /* Send the fields that differ from the record the form stands on, with its version (a new place: all). */
  function submitForm(state) {
    var body = {};
    C.fields.forEach(function (field) {
      var value = valueOf(field, state.nodes[field.name]);
      var old = formValue(state.record, field.name);
      if (!state.id || String(value) !== String(old)) { body[field.name] = value; }
    });
    if (!state.id) {
      var centre = state.map.getCenter();
      body.lon = centre.lng;
      body.lat = centre.lat;
    } else {
      body.version = state.version;
    }
    Object.keys(state.nodes).forEach(function (name) { state.nodes[name].classList.remove("gw-bad"); });
    call(state.id ? "PATCH" : "POST", state.id ? "/" + state.id : "", body).then(function (result) {
      if (result.ok) { window.location.reload(); return; }
      if (state.id && result.status === 409) { showConflicts(state, result.data); return; }
      state.error.textContent = errorText(result.data);
      (result.data.fields || []).forEach(function (name) {
        name.split(", ").forEach(function (one) { if (state.nodes[one]) { state.nodes[one].classList.add("gw-bad"); } });
      });
    });
  }

  /* Someone saved first.  The form now stands on what is stored; each field they changed too
   * shows both values until the editor chooses, then the save goes again on the new version. */
  function showConflicts(state, data) {
    var filled = state.record;
    state.record = data.resource;
    state.version = data.version;
    C.fields.forEach(function (field) {  /* what the editor left alone takes what is stored now */
      var node = state.nodes[field.name];
      if (same(valueOf(field, node), filled[field.name])) { setValue(field, node, state.record[field.name]); }
    });
    var open = 0;
    var settled = function () { open -= 1; if (open === 0) { state.error.textContent = ""; submitForm(state); } };
    data.conflicts.forEach(function (conflict) {
      var field = C.fields.find(function (one) { return one.name === conflict.field; });
      if (!field || same(conflict.theirs, filled[field.name]) ||
          same(conflict.theirs, valueOf(field, state.nodes[field.name]))) { return; }  /* nothing of theirs to lose */
      open += 1;
      showChoice(state, field, conflict, settled);
    });
    if (open === 0) { submitForm(state); return; }
    state.error.textContent = w("conflict_hint");
  }

  function showChoice(state, field, conflict, settled) {
    var node = state.nodes[field.name];
    node.classList.add("gw-conflicted");
    Array.prototype.forEach.call(panel.querySelectorAll('.gw-conflict[data-field="' + field.name + '"]'),
                                 function (old) { old.remove(); });
    var box = element("div", {"class": "gw-conflict", "data-field": field.name});
    box.appendChild(element("div", {"class": "gw-conflict-yours"},
                            w("conflict_yours") + ": " + display(field, conflict.yours)));
    var by = conflict.changed_by ? " (" + w("conflict_saved_by") + ": " + conflict.changed_by + ", " +
      when(conflict.changed_at) + ")" : "";
    box.appendChild(element("div", {"class": "gw-conflict-theirs"},
                            w("conflict_theirs") + ": " + display(field, conflict.theirs) + by));
    var mine = element("button", {type: "button", "class": "gw-keep-mine"}, w("keep_mine"));
    var theirs = element("button", {type: "button", "class": "gw-take-theirs"}, w("take_theirs"));
    var done = function () { box.remove(); node.classList.remove("gw-conflicted"); settled(); };
    mine.addEventListener("click", function () { setValue(field, node, conflict.yours); done(); });
    theirs.addEventListener("click", function () { setValue(field, node, conflict.theirs); done(); });
    box.appendChild(mine);
    box.appendChild(theirs);
    node.insertAdjacentElement("afterend", box);
  }

  /* A value as the form's field shows it: a kind's name, yes/no, public/staff only. */
  function display(field, value) {
    if (value === null || value === undefined || value === "") { return "—"; }
    var choices = field.type === "kind" ? C.kinds
      : field.type === "flag" ? [["true", w("yes")], ["false", w("no")]]
      : field.type === "visibility" ? [["public", w("public")], ["staff", w("staff_only")]] : [];
    if (field.type === "fields") {
      return String(value).split(",").map(function (id) {
        var one = C.consult_fields.find(function (c) { return c[0] === id; });
        return one ? one[1] : id;
      }).join("、");
    }
    var choice = choices.find(function (one) { return one[0] === String(value); });
    return choice ? choice[1] : String(value);
  }

  function when(iso) { return new Date(iso).toLocaleString(C.lang === "en" ? "en-GB" : "ja-JP"); }

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
        list.appendChild(element("li", {}, when(change.changed_at) + " " + change.username + " " + w("action_" + change.action) +
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
