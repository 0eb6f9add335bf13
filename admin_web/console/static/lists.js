// The instance and task lists: filters in the URL (so a list can be bookmarked), paging.
(function () {
  "use strict";
  const { api, el, t, fail, when, status } = window.JW;
  const $ = (id) => document.getElementById(id);
  const PAGE = 20;

  function fillForm(form, params) {
    for (const [key, value] of params.entries()) {
      const input = form.elements.namedItem(key);
      if (input) input.value = value;
    }
  }

  async function people() {
    const org = await window.JW.org();
    $("people").replaceChildren(...org.users.map((u) => el("option", { value: u.id, text: u.name })));
  }

  function pager(info, prev, next, page, load) {
    const from = page.total ? page.offset + 1 : 0;
    const to = Math.min(page.offset + page.limit, page.total);
    $(info).textContent = `${from}–${to} ${t("common.of")} ${page.total}`;
    $(prev).disabled = page.offset === 0;
    $(next).disabled = page.offset + page.limit >= page.total;
    $(prev).onclick = () => load(Math.max(0, page.offset - page.limit));
    $(next).onclick = () => load(page.offset + page.limit);
  }

  async function instances() {
    const form = $("filters");
    const params = new URLSearchParams(location.search);
    fillForm(form, params);
    const processes = await api("GET", "/admin/api/processes");
    $("f-process").append(...processes.map((p) => el("option", { value: p.key, text: p.name + " (" + p.key + ")" })));
    $("f-process").value = params.get("process_key") || "";
    async function load(offset) {
      const query = window.JW.query(form);
      query.set("limit", PAGE);
      query.set("offset", offset || 0);
      history.replaceState(null, "", "?" + query.toString());
      const page = await api("GET", "/admin/api/instances?" + query.toString());
      $("instances").querySelector("tbody").replaceChildren(
        ...(page.items.length
          ? page.items.map((i) =>
              el("tr", { class: "clickable", "data-id": i.id, onclick: () => (location.href = "/admin/instances/" + encodeURIComponent(i.id)) },
                el("td", {}, el("a", { href: "/admin/instances/" + encodeURIComponent(i.id), text: i.id })),
                el("td", { text: i.process_key + " v" + i.version }),
                el("td", {}, status(i.status)),
                el("td", { text: i.starter }),
                el("td", { text: when(i.started_at) }),
                el("td", { text: when(i.ended_at) }),
              ))
          : [el("tr", {}, el("td", { colspan: 6, class: "muted", text: t("common.empty") }))]),
      );
      pager("page-info", "prev", "next", page, (o) => load(o).catch(fail));
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      load(0).catch(fail);
    });
    form.addEventListener("reset", () => setTimeout(() => load(0).catch(fail)));
    await load(Number(params.get("offset")) || 0);
  }

  async function tasks() {
    const form = $("task-filters");
    const params = new URLSearchParams(location.search);
    fillForm(form, params);
    async function load(offset) {
      const query = window.JW.query(form);
      query.set("limit", PAGE);
      query.set("offset", offset || 0);
      history.replaceState(null, "", "?" + query.toString());
      const page = await api("GET", "/admin/api/tasks?" + query.toString());
      $("tasks").querySelector("tbody").replaceChildren(
        ...(page.items.length
          ? page.items.map((task) =>
              el("tr", { class: "clickable", onclick: () => (location.href = "/admin/instances/" + encodeURIComponent(task.instance_id)) },
                el("td", { text: task.name }),
                el("td", { text: task.process_key || "" }),
                el("td", { text: task.assignee || (task.candidates || []).join(", ") }),
                el("td", {}, status(task.status)),
                el("td", { text: task.outcome || "" }),
                el("td", { text: when(task.created_at) }),
                el("td", {}, el("a", { href: "/admin/instances/" + encodeURIComponent(task.instance_id), text: task.instance_id })),
              ))
          : [el("tr", {}, el("td", { colspan: 7, class: "muted", text: t("common.empty") }))]),
      );
      pager("task-page-info", "task-prev", "task-next", page, (o) => load(o).catch(fail));
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      load(0).catch(fail);
    });
    await load(Number(params.get("offset")) || 0);
  }

  people().catch(fail);
  if ($("instances")) instances().catch(fail);
  if ($("tasks")) tasks().catch(fail);
})();
