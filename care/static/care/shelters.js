// Emergency shelters on a Leaflet map; works without tiles (plain background, markers only).
// Names come from workers: every label is a DOM text node, never HTML (Leaflet inserts strings as HTML).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("shelter-map");
  var source = document.getElementById("shelter-data");
  if (!holder || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data.shelters.length) { holder.hidden = true; return; }
  var map = L.map(holder);
  if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
  function popup(s) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = s.name;
    box.appendChild(title);
    box.appendChild(document.createTextNode("（" + s.kind + "，可容纳 " + s.capacity + " 人）"));
    if (s.facilities.length) {
      var list = document.createElement("div");
      list.textContent = s.facilities.join("、");
      box.appendChild(list);
    }
    return box;
  }
  var bounds = [];
  data.shelters.forEach(function (s) {
    L.circleMarker([s.lat, s.lng], { radius: 8, color: "#1b6e20", fillOpacity: 0.7 }).bindPopup(popup(s)).addTo(map);
    bounds.push([s.lat, s.lng]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
  holder.dataset.ready = String(bounds.length);
});
