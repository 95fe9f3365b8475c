// Emergency shelters on a Leaflet map; works without tiles (plain background, markers only).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("shelter-map");
  var source = document.getElementById("shelter-data");
  if (!holder || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data.shelters.length) { holder.hidden = true; return; }
  var map = L.map(holder);
  if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
  var bounds = [];
  data.shelters.forEach(function (s) {
    var text = s.name + "（" + s.kind + "，可容纳 " + s.capacity + " 人）" + (s.facilities.length ? "<br>" + s.facilities.join("、") : "");
    L.circleMarker([s.lat, s.lng], { radius: 8, color: "#1b6e20", fillOpacity: 0.7 }).bindPopup(text).addTo(map);
    bounds.push([s.lat, s.lng]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
});
