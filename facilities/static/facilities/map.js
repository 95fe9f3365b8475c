/* Facilities map: facility and service-point layers and the 15-minute circles (Leaflet). */
(function () {
  "use strict";
  var el = document.getElementById("facility-map");
  var source = document.getElementById("map-data");
  if (!el || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: !!data.tiles });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  // Names come from workers: every label is built from DOM text nodes, never HTML
  // (Leaflet inserts a string given to bindPopup/bindTooltip as HTML).
  function text(tag, value, className) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    node.textContent = value == null ? "" : String(value);
    return node;
  }
  function safeUrl(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
  }
  function popup(item) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    var link = text("a", item.name);
    link.href = safeUrl(item.url);
    title.appendChild(link);
    box.appendChild(title);
    box.appendChild(text("div", item.kind + " · " + item.status));
    return box;
  }
  function tooltip(item) { return text("span", item.name); }
  var facilities = L.layerGroup(), points = L.layerGroup(), circles = L.layerGroup();
  var bounds = [];
  data.facilities.forEach(function (f) {
    if (f.lat === null || f.lng === null) { return; }
    bounds.push([f.lat, f.lng]);
    L.circleMarker([f.lat, f.lng], { radius: 8, color: "#8a1c1c", fillColor: "#c0392b", fillOpacity: 0.9, weight: 2 })
      .bindPopup(popup(f)).bindTooltip(tooltip(f)).addTo(facilities);
    if (f.fitness) {
      L.circle([f.lat, f.lng], { radius: data.radius, color: "#1e7b34", fillColor: "#2ecc71", fillOpacity: 0.12, weight: 1 })
        .addTo(circles);
    }
  });
  data.points.forEach(function (p) {
    if (p.lat === null || p.lng === null) { return; }
    bounds.push([p.lat, p.lng]);
    L.circleMarker([p.lat, p.lng], { radius: 6, color: "#1f4e8c", fillColor: "#3b82f6", fillOpacity: 0.9, weight: 2 })
      .bindPopup(popup(p)).bindTooltip(tooltip(p)).addTo(points);
  });
  facilities.addTo(map); points.addTo(map); circles.addTo(map);
  var overlays = {};
  overlays["服务设施"] = facilities;
  overlays["便民服务网点"] = points;
  overlays["15分钟健身圈"] = circles;
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "map-legend");
    [["#c0392b", "服务设施"], ["#3b82f6", "便民服务网点"],
     ["#2ecc71", "15分钟健身圈（" + data.radius + " 米）", 0.5]].forEach(function (entry, index) {
      if (index) { div.appendChild(document.createElement("br")); }
      var swatch = document.createElement("i");
      swatch.style.background = entry[0];
      if (entry[2]) { swatch.style.opacity = String(entry[2]); }
      div.appendChild(swatch);
      div.appendChild(document.createTextNode(entry[1]));
    });
    return div;
  };
  legend.addTo(map);
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  } else {
    map.setView([37.739, 115.67], 11);  // 衡水市区
  }
  el.dataset.ready = String(bounds.length);
}());
