// The request form (file and intake): the map picker, "use my location" and the suggested categories.
// A click on the map fills id_lat/id_lng and selects 地图位置; works without tiles.
(function () {
  "use strict";
  var script = document.currentScript;
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  var geo = document.getElementById("geo");
  function choosePoint() {
    var point = document.querySelector("[name=location_kind][value=point]");
    if (point) { point.checked = true; }
  }
  var el = document.getElementById("pick-map");
  if (el && window.L && lat && lng) {
    var start = lat.value ? [parseFloat(lat.value), parseFloat(lng.value)] : [37.739, 115.67];
    var map = L.map(el).setView(start, lat.value ? 16 : 12);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    var marker = lat.value ? L.marker(start).addTo(map) : null;
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6); lng.value = e.latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
      choosePoint();
      if (geo) { geo.textContent = (script && script.dataset.picked) || ""; }
    });
    el.dataset.ready = "1";
  }
  var locate = document.getElementById("use-location");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        lat.value = p.coords.latitude; lng.value = p.coords.longitude;
        if (geo) { geo.textContent = locate.dataset.done || ""; }
        choosePoint();
      });
    });
  }
  // The suggested categories arrive by htmx; a click on one selects it.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("#suggest button[data-code]") : null;
    var select = document.getElementById("id_category");
    if (button && select) { select.value = button.dataset.code; }
  });
}());
