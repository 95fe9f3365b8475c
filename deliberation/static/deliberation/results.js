(function () {
  var holder = document.getElementById("survey-data");
  if (!holder || !window.echarts) return;
  var data = JSON.parse(holder.textContent);
  data.forEach(function (q, i) {
    var el = document.getElementById("chart-" + i);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {},
      xAxis: { type: "category", data: q.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: q.values }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
