(function () {
  var el = document.getElementById("trend");
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  if (!el || !window.echarts) return;
  var rate = document.getElementById("trend-script").dataset.rate === "1";
  var scale = function (v) { return v === null ? null : (rate ? Math.round(v * 1000) / 10 : Math.round(v * 100) / 100); };
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["实际值", "目标路径"] },
    xAxis: { type: "category", boundaryGap: false, data: data.map(function (d) { return d.period; }) },
    yAxis: { type: "value", axisLabel: { formatter: rate ? "{value}%" : "{value}" } },
    series: [
      { name: "实际值", type: "line", data: data.map(function (d) { return scale(d.value); }), connectNulls: false },
      { name: "目标路径", type: "line", lineStyle: { type: "dashed" }, data: data.map(function (d) { return scale(d.expected); }) }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
