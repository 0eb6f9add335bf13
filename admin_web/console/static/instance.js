// One instance: its diagram with where it is (active) and where it has been (passed), history, data,
// comments, attachments, and the admin operations (terminate, jump, reassign) with a reason.
(async function () {
  "use strict";
  const { api, el, t, toast, fail, boot, when, status, perms } = window.JW;
  const $ = (id) => document.getElementById(id);
  const id = boot.id;
  const PASS_THROUGH = ["bpmn:ExclusiveGateway", "bpmn:ParallelGateway", "bpmn:InclusiveGateway", "bpmn:EndEvent", "bpmn:StartEvent"];
  const viewer = new window.BpmnJS({ container: "#diagram" });
  window.JWInstance = { viewer };

  // Flows and gateways between passed nodes are passed too: walk from each passed node through
  // gateways until another passed/active node (or an end event once the instance is over).
  function passed(registry, visited, active, ended) {
    const reached = new Set([...visited, ...active]);
    for (const shape of registry.filter((e) => e.type === "bpmn:StartEvent")) reached.add(shape.id);
    const nodes = new Set([...reached].filter((n) => !active.includes(n)));
    const flows = new Set();
    function walk(bo, path, seen) {
      for (const flow of bo.outgoing || []) {
        const target = flow.targetRef;
        if (!target || seen.has(target.id)) continue;
        const trail = [...path, flow.id];
        const isEnd = target.$type === "bpmn:EndEvent";
        if (reached.has(target.id) || (isEnd && ended)) {
          for (const item of trail) (registry.get(item) && registry.get(item).waypoints ? flows : nodes).add(item);
          if (isEnd && ended) nodes.add(target.id);
          continue;
        }
        if (PASS_THROUGH.includes(target.$type) && !isEnd) walk(target, [...trail, target.id], new Set([...seen, target.id]));
      }
    }
    for (const nodeId of reached) {
      const shape = registry.get(nodeId);
      if (shape) walk(shape.businessObject, [], new Set([nodeId]));
    }
    return { nodes, flows };
  }

  function name(names, user) {
    return user ? (names[user] ? `${names[user]} (${user})` : user) : "";
  }

  function actionText(action) {
    const key = "action." + action;
    const text = t(key);
    return text === key ? action : text;
  }

  function historyText(entry, nodes) {
    const details = entry.details || {};
    const bits = [actionText(entry.action)];
    if (entry.node_id) bits.push("· " + (nodes[entry.node_id] || entry.node_id));
    if (details.assignee) bits.push("→ " + details.assignee);
    if (details.to) bits.push("→ " + [].concat(details.to).join(", "));
    if (details.reason) bits.push("· " + details.reason);
    if (details.comment) bits.push("· " + details.comment);
    if (details.status) bits.push("· " + details.status);
    return bits.join(" ");
  }

  async function load() {
    const detail = await api("GET", "/admin/api/instances/" + encodeURIComponent(id));
    const inst = detail.instance;
    const names = detail.names || {};
    $("inst-status").replaceChildren(status(inst.status));
    const rows = [
      [t("inst.process"), `${inst.process_key} v${inst.version}`],
      [t("inst.starter"), name(names, inst.starter)],
      [t("inst.started"), when(inst.started_at)],
      [t("inst.ended"), when(inst.ended_at)],
      ["ID", inst.id],
    ];
    $("summary").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
    $("data").replaceChildren(
      ...Object.entries(inst.data || {}).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: typeof v === "object" ? JSON.stringify(v) : String(v) })]),
    );
    $("open-tasks").querySelector("tbody").replaceChildren(
      ...(inst.tasks.length
        ? inst.tasks.map((task) => el("tr", { "data-task": task.id },
            el("td", {}, task.name, el("div", { class: "muted small", text: task.node_id })),
            el("td", { text: task.assignee ? name(names, task.assignee) : task.candidates.map((c) => name(names, c)).join(", ") }),
            el("td", { class: "small", text: when(task.created_at) })))
        : [el("tr", {}, el("td", { class: "muted", text: t("common.empty") }))]),
    );

    const comments = inst.history.filter((h) => h.details && h.details.comment);
    $("comments").replaceChildren(
      ...(comments.length
        ? comments.map((c) => el("li", {}, el("div", { class: "when", text: `${when(c.at)} · ${name(names, c.actor)}` }), el("div", { text: c.details.comment })))
        : [el("li", { class: "muted", text: t("common.empty") })]),
    );
    $("attachments").replaceChildren(
      ...(detail.attachments.length
        ? detail.attachments.map((a) => el("li", {}, el("a", { href: `/admin/api/instances/${encodeURIComponent(id)}/attachments/${encodeURIComponent(a.id)}`, text: a.filename }),
            el("span", { class: "muted small", text: ` ${a.size} B · ${a.uploaded_by} · ${when(a.uploaded_at)}` })))
        : [el("li", { class: "muted", text: t("common.empty") })]),
    );

    await viewer.importXML(detail.xml);
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport", "auto");
    const nodes = Object.fromEntries(registry.getAll().map((e) => [e.id, e.businessObject.name || e.id]));
    $("history").replaceChildren(
      ...inst.history.map((entry) =>
        el("li", { "data-action": entry.action },
          el("div", { class: "when", text: `${when(entry.at)} · ${name(names, entry.actor) || t("inst.system")}${entry.channel ? " · " + entry.channel : ""}` }),
          el("div", { text: historyText(entry, nodes) })),
      ),
    );
    const { active, visited } = detail.positions;
    const ended = inst.status !== "running";
    const trail = passed(registry, visited, active, ended);
    for (const nodeId of trail.nodes) if (registry.get(nodeId)) canvas.addMarker(nodeId, "jw-done");
    for (const flowId of trail.flows) canvas.addMarker(flowId, "jw-done");
    for (const nodeId of active) if (registry.get(nodeId)) canvas.addMarker(nodeId, "jw-active");
    window.JWInstance.detail = detail;
    window.JWInstance.ready = true;

    if (perms.operate && $("admin-ops")) {
      const running = inst.status === "running";
      for (const button of ["op-terminate", "op-jump", "op-reassign"]) $(button).disabled = !running;
      $("op-node").replaceChildren(
        ...registry.filter((e) => e.type === "bpmn:UserTask").map((e) => el("option", { value: e.id, text: (e.businessObject.name || e.id) + " (" + e.id + ")" })),
      );
      $("op-task").replaceChildren(...inst.tasks.map((task) => el("option", { value: task.id, text: `${task.name} · ${task.assignee || ""}` })));
    }
  }

  async function operate(path, body) {
    try {
      await api("POST", path, Object.assign({ reason: $("op-reason").value.trim() }, body));
      toast(t("inst.done"), "ok");
      await load();
    } catch (error) {
      fail(error);
    }
  }

  if (perms.operate && $("admin-ops")) {
    const org = await window.JW.org();
    $("people").replaceChildren(...org.users.map((u) => el("option", { value: u.id, text: u.name })));
    $("op-terminate").addEventListener("click", () => operate(`/admin/api/instances/${encodeURIComponent(id)}/terminate`, {}));
    $("op-jump").addEventListener("click", () => operate(`/admin/api/instances/${encodeURIComponent(id)}/jump`, { node: $("op-node").value }));
    $("op-reassign").addEventListener("click", () => operate(`/admin/api/tasks/${encodeURIComponent($("op-task").value)}/reassign`, { to: $("op-to").value.trim() }));
  }
  await load();
})().catch((error) => window.JW.fail(error));
