// The smaller pages: organisation, webhooks and jobs, console accounts, API tokens, my account.
(function () {
  "use strict";
  const { api, el, t, toast, fail, when, perms, status } = window.JW;
  const $ = (id) => document.getElementById(id);

  async function peopleList() {
    if (!$("people")) return;
    const org = await window.JW.org();
    $("people").replaceChildren(...org.users.map((u) => el("option", { value: u.id, text: u.name })));
  }

  async function orgPage() {
    const org = await window.JW.org();
    const byParent = {};
    for (const d of org.departments) (byParent[d.parent_id || ""] = byParent[d.parent_id || ""] || []).push(d);
    const names = Object.fromEntries(org.users.map((u) => [u.id, u.name]));
    const deptNames = Object.fromEntries(org.departments.map((d) => [d.id, d.name]));
    const roleOf = {};
    for (const r of org.roles) for (const m of r.members) (roleOf[m] = roleOf[m] || []).push(r.name);
    let chosen = null;
    function below(id) {
      const out = new Set([id]);
      for (const child of byParent[id] || []) for (const x of below(child.id)) out.add(x);
      return out;
    }
    function branch(parent) {
      const items = byParent[parent] || [];
      if (!items.length) return null;
      return el("ul", {}, items.map((d) => el("li", {},
        el("a", { href: "#", "data-dept": d.id, class: chosen === d.id ? "active" : "",
          onclick: (e) => { e.preventDefault(); chosen = d.id; draw(); } }, d.name),
        d.head_id ? el("span", { class: "muted small", text: " · " + (names[d.head_id] || d.head_id) }) : null,
        branch(d.id))));
    }
    function draw() {
      $("tree").replaceChildren(el("a", { href: "#", class: chosen ? "" : "active", onclick: (e) => { e.preventDefault(); chosen = null; draw(); } },
        t("org.everyone")), branch(""));
      const scope = chosen ? below(chosen) : null;
      const needle = $("people-filter").value.trim().toLowerCase();
      const users = org.users.filter((u) => (!scope || scope.has(u.department_id)) &&
        (!needle || (u.id + " " + u.name + " " + (u.title || "")).toLowerCase().includes(needle)));
      $("people-title").textContent = t("org.people") + (chosen ? " · " + deptNames[chosen] : "") + ` (${users.length})`;
      $("people-table").querySelector("tbody").replaceChildren(...users.map((u) => el("tr", { class: u.active ? "" : "muted" },
        el("td", {}, el("code", { text: u.id })), el("td", { text: u.name }), el("td", { text: u.title || "" }),
        el("td", { text: deptNames[u.department_id] || u.department_id || "" }),
        el("td", { text: u.manager_id ? names[u.manager_id] || u.manager_id : "" }),
        el("td", { text: (roleOf[u.id] || []).join(", ") }))));
    }
    $("people-filter").addEventListener("input", draw);
    $("roles-table").querySelector("tbody").replaceChildren(...org.roles.map((r) => el("tr", {},
      el("td", {}, el("code", { text: r.id })), el("td", { text: r.name }),
      el("td", { text: r.members.map((m) => names[m] || m).join(", ") }))));
    draw();
    if ($("org-import")) {
      $("org-import").addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = new FormData();
        body.append("file", $("org-file").files[0]);
        try {
          const result = await api("POST", "/admin/api/org/import", body);
          toast(t("org.imported", { summary: result.summary }), "ok");
          setTimeout(() => location.reload(), 800);
        } catch (error) {
          fail(error);
        }
      });
    }
  }

  async function automationPage() {
    const data = await api("GET", "/admin/api/automation");
    const empty = (n) => [el("tr", {}, el("td", { colspan: n, class: "muted", text: t("common.empty") }))];
    $("webhooks").querySelector("tbody").replaceChildren(...(data.webhooks.length ? data.webhooks.map((w) => el("tr", {},
      el("td", {}, el("code", { text: w.id })), el("td", { text: w.url }), el("td", { text: (w.events || []).join(", ") }),
      el("td", { text: w.active ? t("common.yes") : t("common.no") }), el("td", { text: when(w.created_at) }))) : empty(5)));
    $("jobs").querySelector("tbody").replaceChildren(...(data.jobs.length ? data.jobs.map((j) => el("tr", {},
      el("td", {}, el("code", { text: j.id })), el("td", { text: j.kind }), el("td", { text: j.status }), el("td", { text: when(j.due_at) }),
      el("td", { text: `${j.attempts}/${j.max_attempts}` }),
      el("td", {}, j.instance_id ? el("a", { href: "/admin/instances/" + encodeURIComponent(j.instance_id), text: j.instance_id }) : ""),
      el("td", { class: "small", text: j.last_error || "" }))) : empty(7)));
    $("connectors").textContent = JSON.stringify(data.connectors, null, 2);
  }

  async function accountsPage() {
    async function draw() {
      const accounts = await api("GET", "/admin/api/accounts");
      $("accounts").querySelector("tbody").replaceChildren(...accounts.map((a) => {
        const buttons = [];
        if (perms.accounts) {
          buttons.push(el("button", { type: "button", text: a.active ? t("acc.deactivate") : t("acc.activate"), onclick: async () => {
            try { await api("PATCH", "/admin/api/accounts/" + encodeURIComponent(a.id), { active: !a.active }); await draw(); } catch (e) { fail(e); }
          } }));
          buttons.push(el("button", { type: "button", text: t("acc.reset_password"), onclick: async () => {
            try {
              const answer = await api("POST", `/admin/api/accounts/${encodeURIComponent(a.id)}/password`, {});
              $("acc-secret").hidden = false;
              $("acc-secret").textContent = `${a.id}: ${answer.password}`;
            } catch (e) { fail(e); }
          } }));
        }
        return el("tr", { "data-account": a.id }, el("td", {}, el("code", { text: a.id })), el("td", { text: a.name }),
          el("td", { text: a.roles.map((r) => t("role." + r)).join(", ") }), el("td", { text: a.active ? t("common.yes") : t("common.no") }),
          el("td", { text: when(a.last_login_at) }), el("td", {}, el("div", { class: "row" }, buttons)));
      }));
    }
    if ($("account-form")) {
      $("account-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const form = event.target;
        const roles = [...form.querySelectorAll("input[name=roles]:checked")].map((i) => i.value);
        try {
          const answer = await api("POST", "/admin/api/accounts", { id: $("acc-id").value.trim(), name: $("acc-name").value.trim(),
            roles, password: $("acc-password").value || null, locale: window.JW.boot.locale });
          toast(t("acc.created"), "ok");
          if (answer.password) {
            $("acc-secret").hidden = false;
            $("acc-secret").textContent = `${answer.account.id}: ${answer.password}`;
          }
          form.reset();
          await draw();
        } catch (error) {
          fail(error);
        }
      });
    }
    await draw();
  }

  async function tokensPage() {
    async function draw() {
      const tokens = await api("GET", "/admin/api/tokens");
      $("tokens").querySelector("tbody").replaceChildren(...tokens.map((k) => el("tr", { "data-token": k.id },
        el("td", {}, el("code", { text: k.id })), el("td", { text: k.user_id }), el("td", { text: k.name }),
        el("td", { text: when(k.created_at) }), el("td", { text: when(k.last_used_at) }),
        el("td", {}, k.revoked_at ? status("cancelled") : status("open")),
        el("td", {}, perms.accounts && !k.revoked_at ? el("button", { type: "button", class: "danger", text: t("tok.revoke"), onclick: async () => {
          try { await api("POST", `/admin/api/tokens/${encodeURIComponent(k.id)}/revoke`); await draw(); } catch (e) { fail(e); }
        } }) : ""))));
    }
    if ($("token-form")) {
      $("token-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const answer = await api("POST", "/admin/api/tokens", { user: $("tok-user").value.trim(), name: $("tok-name").value.trim() });
          $("tok-secret").hidden = false;
          $("tok-secret").replaceChildren(el("div", { text: t("tok.shown_once") }), el("code", { id: "tok-value", text: answer.token }));
          event.target.reset();
          await draw();
        } catch (error) {
          fail(error);
        }
      });
    }
    await draw();
  }

  function accountPage() {
    $("password-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/admin/api/me/password", { current: $("me-current").value, new: $("me-new").value });
        toast(t("me.changed"), "ok");
        setTimeout(() => (location.href = "/admin/"), 800);
      } catch (error) {
        fail(error);
      }
    });
  }

  peopleList().catch(fail);
  if ($("tree")) orgPage().catch(fail);
  if ($("webhooks")) automationPage().catch(fail);
  if ($("accounts")) accountsPage().catch(fail);
  if ($("tokens")) tokensPage().catch(fail);
  if ($("password-form")) accountPage();
})();
