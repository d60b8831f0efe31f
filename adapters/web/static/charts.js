// The indicators page's charts, drawn by Chart.js from the figures the page carries as JSON.
"use strict";
(function () {
  const figures = JSON.parse(document.getElementById("figures").textContent);
  const colours = ["#1f77b4", "#ff7f0e", "#2ca02c"];
  function draw(id, type, labels, series) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) {
      return;
    }
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: figures.measures.map((name, i) => ({
          label: name,
          data: series[i],
          borderColor: colours[i],
          backgroundColor: colours[i],
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        aspectRatio: 3,
        scales: { y: { beginAtZero: true, title: { display: true, text: figures.unit } } },
      },
    });
  }
  draw("chart-severity", "bar", figures.severities, figures.by_severity);
  draw("chart-month", "line", figures.months, figures.by_month);
})();
