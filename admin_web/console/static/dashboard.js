// The dashboard: instance counts by status and process, starts per day and durations, drawn with ECharts.
(function () {
  "use strict";
  const { api, el, t, fail, duration } = window.JW;
  const $ = (id) => document.getElementById(id);
  const STATUSES = ["running", "completed", "rejected", "withdrawn", "terminated"];
  const COLORS = { running: "#1769aa", completed: "#2f855a", rejected: "#c53030", withdrawn: "#9aa5b1", terminated: "#b7791f" };
  const charts = {};

  function chart(id) {
    if (!charts[id]) charts[id] = window.echarts.init($(id));
    return charts[id];
  }

  async function load() {
    const query = new URLSearchParams({ days: $("dash-days").value });
    if ($("dash-process").value) query.set("process_key", $("dash-process").value);
    const data = await api("GET", "/admin/api/dashboard?" + query);
    $("stat-total").textContent = data.total;
    $("stat-running").textContent = data.by_status.running || 0;
    $("stat-completed").textContent = data.by_status.completed || 0;
    const ended = data.durations.reduce((n, d) => n + d.count, 0);
    const average = ended ? data.durations.reduce((s, d) => s + d.average_seconds * d.count, 0) / ended : null;
    $("stat-avg").textContent = average === null ? "–" : duration(average);

    chart("chart-status").setOption({
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [{
        type: "pie", radius: ["40%", "70%"],
        data: STATUSES.map((s) => ({ name: t("status." + s), value: data.by_status[s] || 0, itemStyle: { color: COLORS[s] } })),
      }],
    }, true);
    chart("chart-process").setOption({
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.by_process.map((p) => p.name), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", minInterval: 1 },
      series: STATUSES.map((s) => ({ name: t("status." + s), type: "bar", stack: "all", itemStyle: { color: COLORS[s] },
        data: data.by_process.map((p) => p.counts[s] || 0) })),
    }, true);
    chart("chart-days").setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: data.per_day.map((d) => d.day.slice(5)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.per_day.map((d) => d.started), itemStyle: { color: "#1769aa" } }],
    }, true);
    const hours = (s) => Math.round((s / 3600) * 100) / 100;
    chart("chart-durations").setOption({
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.durations.map((d) => d.process_key), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value" },
      series: [
        { name: t("dash.avg_hours"), type: "bar", data: data.durations.map((d) => hours(d.average_seconds)), itemStyle: { color: "#1769aa" } },
        { name: t("dash.p90_hours"), type: "bar", data: data.durations.map((d) => hours(d.p90_seconds)), itemStyle: { color: "#9fc3dd" } },
      ],
    }, true);
    window.JWDashboard = { data, ready: true };
  }

  async function init() {
    const processes = await api("GET", "/admin/api/processes");
    $("dash-process").append(...processes.map((p) => el("option", { value: p.key, text: p.name })));
    $("dash-process").addEventListener("change", () => load().catch(fail));
    $("dash-days").addEventListener("change", () => load().catch(fail));
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    await load();
  }
  init().catch(fail);
})();
