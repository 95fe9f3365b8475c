// The optional location stamp: fills the hidden lat/lng fields when the worker taps the button.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("locate");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.addEventListener("click", function () {
    var status = document.getElementById("locate-status");
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
      status.textContent = "已记录位置";
    }, function () { status.textContent = "无法获取位置（可不填）"; }, { timeout: 10000 });
  });
});
