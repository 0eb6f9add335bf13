// Two versions of a process side by side: elements added, removed or changed marked on both diagrams.
(async function () {
  "use strict";
  const { api, el, t, fail, boot } = window.JW;
  const $ = (id) => document.getElementById(id);
  const key = boot.key;
  const versions = await api("GET", `/admin/api/processes/${encodeURIComponent(key)}/versions`);
  const numbers = versions.map((v) => v.version);
  const last = numbers[numbers.length - 1];
  const a = Number(boot.a) || Math.max(1, last - 1);
  const b = Number(boot.b) || last;
  for (const [id, value] of [["diff-a", a], ["diff-b", b]]) {
    $(id).replaceChildren(...numbers.map((n) => el("option", { value: n, text: "v" + n })));
    $(id).value = value;
    $(id).addEventListener("change", () => {
      location.search = `?a=${$("diff-a").value}&b=${$("diff-b").value}`;
    });
  }
  const diff = await api("GET", `/admin/api/processes/${encodeURIComponent(key)}/diff?a=${a}&b=${b}`);
  $("label-a").textContent = `${key} v${a}`;
  $("label-b").textContent = `${key} v${b}`;

  async function draw(container, xml, marks) {
    const viewer = new window.BpmnJS({ container });
    await viewer.importXML(xml);
    viewer.get("canvas").zoom("fit-viewport", "auto");
    const registry = viewer.get("elementRegistry");
    for (const [items, marker] of marks) for (const item of items) if (registry.get(item.id)) viewer.get("canvas").addMarker(item.id, marker);
    return viewer;
  }
  await draw("#viewer-a", diff.xml_a, [[diff.removed, "jw-removed"], [diff.changed, "jw-changed"]]);
  await draw("#viewer-b", diff.xml_b, [[diff.added, "jw-added"], [diff.changed, "jw-changed"]]);

  const line = (kind, item) => el("li", { "data-kind": kind }, el("b", { text: t("diff." + kind) + " " }),
    `${item.type} ${item.name ? "“" + item.name + "” " : ""}(${item.id})`);
  const items = [...diff.added.map((i) => line("added", i)), ...diff.removed.map((i) => line("removed", i)),
    ...diff.changed.map((i) => line("changed", i))];
  $("diff-summary").replaceChildren(...(items.length ? items : [el("li", { text: t("diff.same") })]));
  $("diff-text").textContent = diff.unified || t("diff.same");
  window.JWDiff = { diff, ready: true };
})().catch((error) => window.JW.fail(error));
