// The processes page: deployed processes and drafts, a new process, start an instance with its form.
(function () {
  "use strict";
  const { api, el, t, toast, fail, perms, when } = window.JW;
  const $ = (id) => document.getElementById(id);
  const enc = encodeURIComponent;

  function actions(row) {
    const out = [el("a", { class: "button", href: `/admin/processes/${enc(row.key)}/design`, text: t("proc.design") }),
      el("a", { class: "button", href: `/admin/processes/${enc(row.key)}/form`, text: t("proc.form") })];
    if (row.versions.length > 1) {
      const last = row.versions[row.versions.length - 1];
      out.push(el("a", { class: "button", href: `/admin/processes/${enc(row.key)}/diff?a=${last - 1}&b=${last}`, text: t("proc.diff") }));
    }
    if (perms.start && row.latest) {
      out.push(el("button", { type: "button", class: "primary", "data-start": row.key, text: t("proc.start"), onclick: () => openStart(row) }));
    }
    return el("div", { class: "row" }, out);
  }

  async function refresh() {
    const rows = await api("GET", "/admin/api/processes");
    const body = $("processes").querySelector("tbody");
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted", text: t("common.empty") })));
      return;
    }
    body.replaceChildren(
      ...rows.map((row) =>
        el("tr", { "data-key": row.key },
          el("td", {}, el("code", { text: row.key })),
          el("td", { text: row.name }),
          el("td", { text: row.latest ? "v" + row.latest.version : "—" }),
          el("td", { text: row.latest ? when(row.latest.deployed_at) : "" }),
          el("td", { class: "small", text: row.draft ? `r${row.draft.revision} · ${row.draft.updated_by || ""} · ${when(row.draft.updated_at)}` : t("proc.no_draft") }),
          el("td", {}, actions(row)),
        ),
      ),
    );
  }

  // new process
  if ($("new-process")) {
    $("new-process").addEventListener("click", () => $("new-dialog").showModal());
    $("new-cancel").addEventListener("click", () => $("new-dialog").close());
    $("new-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const draft = await api("POST", "/admin/api/processes", { key: $("new-key").value.trim(), name: $("new-name").value.trim() });
        location.href = `/admin/processes/${enc(draft.key)}/design`;
      } catch (error) {
        fail(error);
      }
    });
  }

  // start an instance: the version's form when it has one, else JSON
  let startForm = null;
  let startKey = null;
  async function openStart(row) {
    startKey = row.key;
    $("start-title").textContent = t("proc.start_title") + " · " + row.name;
    $("start-problems").replaceChildren();
    $("start-form").replaceChildren();
    startForm = null;
    const version = await api("GET", `/admin/api/processes/${enc(row.key)}/versions/${row.latest.version}`);
    $("start-json-field").hidden = !!version.form;
    $("start-form").hidden = !version.form;
    if (version.form) startForm = await window.FormViewer.createForm({ container: $("start-form"), schema: version.form });
    $("start-dialog").showModal();
  }
  $("start-cancel").addEventListener("click", () => $("start-dialog").close());
  $("start-submit").addEventListener("click", async () => {
    let data;
    if (startForm) {
      const result = startForm.submit();
      if (Object.keys(result.errors || {}).length) return;
      data = window.JW.filled(result.data);
    } else {
      try {
        data = JSON.parse($("start-json").value || "{}");
      } catch (error) {
        return fail(error);
      }
    }
    try {
      const inst = await api("POST", "/admin/api/instances", { process_key: startKey, data });
      toast(t("proc.started"), "ok");
      location.href = "/admin/instances/" + enc(inst.id);
    } catch (error) {
      const problems = Array.isArray(error.details) ? error.details : [];
      $("start-problems").replaceChildren(...problems.map((p) => el("li", { text: (p.field ? p.field + ": " : "") + p.message })));
      fail(error);
    }
  });

  refresh().catch(fail);
})();
