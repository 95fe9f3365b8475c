(function () {
  var el = document.getElementById("hours-chart");
  var source = document.getElementById("months-data");
  if (!el || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.map(function (d) { return d.month; }) },
    yAxis: { type: "value", name: "小时" },
    series: [{ name: "服务时长（小时）", type: "bar", data: data.map(function (d) { return d.hours; }) }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
