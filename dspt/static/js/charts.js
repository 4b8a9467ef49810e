// Draw every chart on the page from its JSON data block (the CSP forbids inline scripts).
// Each chart sits beside a table holding the same figures, so the page works without it.
function drawAll() {
  const Plotly = window.Plotly;
  if (!Plotly) return;
  for (const el of document.querySelectorAll("[data-chart]")) {
    const source = document.getElementById(el.dataset.chart);
    if (!source) continue;
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["sendDataToCloud"],
    });
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawAll);
} else {
  drawAll();
}
