// The BPMN designer page: bpmn-js modeler (or viewer for a deployed version), our properties panel,
// save draft, deploy with the engine's per-element problems marked on the diagram.
(async function () {
  "use strict";
  const { api, el, t, toast, fail, boot } = window.JW;
  const key = boot.key;
  const readonly = !!boot.readonly;
  const $ = (id) => document.getElementById(id);
  const state = { revision: null, dirty: false, form: null };

  const descriptor = await window.JWBpmn.descriptor();
  const modules = [window.JWBpmn.translateModule(boot.locale)];
  if (!readonly) modules.push(window.JWBpmn.restrictModule);
  const modeler = new window.BpmnJS({
    container: "#canvas",
    moddleExtensions: { jw: descriptor },
    additionalModules: modules,
  });
  window.JWDesigner = { modeler, state };
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const registry = modeler.get("elementRegistry");

  function formFields(form) {
    const out = [];
    (function walk(components) {
      for (const c of components || []) {
        if (c.key && c.type !== "button") out.push({ key: c.key, label: c.label || c.key, kind: c.type });
        if (c.components) walk(c.components);
      }
    })(form && form.components);
    return out;
  }

  function setState(text) {
    $("state").textContent = text;
  }

  async function load() {
    if (boot.version) return api("GET", `/admin/api/processes/${encodeURIComponent(key)}/versions/${boot.version}`);
    return api("GET", `/admin/api/processes/${encodeURIComponent(key)}/draft`);
  }

  const [opened, org] = await Promise.all([load(), window.JW.org()]);
  state.revision = opened.revision === undefined ? null : opened.revision;
  state.form = opened.form;
  await modeler.importXML(opened.xml);
  // fit, then leave a margin so the palette on the left covers nothing
  function fit() {
    if (registry.getAll().length < 2) return;
    const zoom = canvas.zoom("fit-viewport", "auto");
    canvas.zoom(Math.min(1, zoom * 0.85), "auto");
  }
  fit();
  const props = window.JWProps.create({
    modeler,
    container: $("props"),
    readonly,
    org,
    fields: formFields(opened.form),
    options: boot.options,
    check: (expression) => api("POST", "/admin/api/expressions/check", { expression }),
  });
  props.show(null);
  if (opened.source === "deployed") setState(t("proc.latest") + " v" + opened.base_version);
  else if (opened.revision) setState(t("proc.draft") + " r" + opened.revision);

  modeler.get("eventBus").on("commandStack.changed", () => {
    if (readonly) return;
    state.dirty = true;
    setState(t("designer.unsaved"));
    clearProblems();
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });

  // deployed versions: open one read-only
  try {
    const versions = await api("GET", `/admin/api/processes/${encodeURIComponent(key)}/versions`);
    const select = $("versions");
    if (opened.source === "deployed") select.options[0].textContent = t("proc.latest");
    for (const v of versions) select.append(el("option", { value: v.version, text: "v" + v.version + " · " + window.JW.when(v.deployed_at) }));
    select.value = boot.version || "";
    select.addEventListener("change", () => {
      location.href = `/admin/processes/${encodeURIComponent(key)}/design` + (select.value ? "?version=" + select.value : "");
    });
    if (versions.length > 1) {
      const last = versions[versions.length - 1].version;
      $("diff-link").href += `?a=${last - 1}&b=${last}`;
    }
  } catch (error) {
    if (error.status !== 404) fail(error);
  }

  function clearProblems() {
    overlays.remove({ type: "jw-problem" });
    for (const element of registry.getAll()) canvas.removeMarker(element, "jw-error");
    $("problems").hidden = true;
  }

  function showProblems(details) {
    clearProblems();
    const list = $("problem-list");
    list.replaceChildren();
    for (const problem of details) {
      const element = problem.element_id ? registry.get(problem.element_id) : null;
      if (element) {
        canvas.addMarker(element, "jw-error");
        overlays.add(element, "jw-problem", {
          position: { top: -14, left: 0 },
          html: el("div", { class: "jw-error-badge", title: problem.message, text: "⚠ " + problem.message }),
        });
      }
      list.append(
        el("li", {
          text: problem.message,
          "data-element": problem.element_id || "",
          onclick: () => {
            if (!element) return;
            modeler.get("selection").select(element);
            canvas.scrollToElement(element);
          },
        }),
      );
    }
    $("problems").hidden = false;
  }

  async function currentXml() {
    const { xml } = await modeler.saveXML({ format: true });
    return xml;
  }

  async function save() {
    const draft = await api("PUT", `/admin/api/processes/${encodeURIComponent(key)}/draft`, {
      xml: await currentXml(),
      revision: state.revision,
    });
    state.revision = draft.revision;
    state.dirty = false;
    setState(t("proc.draft") + " r" + draft.revision);
    toast(t("designer.saved", { revision: draft.revision }), "ok");
  }

  async function deploy() {
    clearProblems();
    try {
      const answer = await api("POST", `/admin/api/processes/${encodeURIComponent(key)}/deploy`, {
        xml: await currentXml(),
        revision: state.revision,
      });
      state.revision = answer.draft.revision;
      state.dirty = false;
      setState(t("proc.latest") + " v" + answer.definition.version);
      toast(t("designer.deployed", { key, version: answer.definition.version }), "ok");
      const select = $("versions");
      select.append(el("option", { value: answer.definition.version, text: "v" + answer.definition.version }));
    } catch (error) {
      if (error.status === 422 && Array.isArray(error.details) && error.details.length && error.details[0].message) {
        showProblems(error.details);
        toast(t("designer.deploy_failed", { count: error.details.length }), "bad");
        return;
      }
      throw error;
    }
  }

  function guard(fn) {
    return async (event) => {
      const button = event && event.currentTarget;
      if (button) button.disabled = true;
      try {
        await fn();
      } catch (error) {
        fail(error);
      } finally {
        if (button) button.disabled = false;
      }
    };
  }

  if ($("save")) $("save").addEventListener("click", guard(save));
  if ($("deploy")) $("deploy").addEventListener("click", guard(deploy));
  $("fit").addEventListener("click", fit);
  $("download").addEventListener("click", guard(async () => window.JW.download(key + ".bpmn", await currentXml(), "application/xml")));
  if ($("import"))
    $("import").addEventListener("change", guard(async () => {
      const file = $("import").files[0];
      if (!file) return;
      await modeler.importXML(await file.text());
      fit();
      state.dirty = true;
      setState(t("designer.unsaved"));
    }));
  window.JWDesigner.showProblems = showProblems;
  window.JWDesigner.ready = true;
})().catch((error) => window.JW.fail(error));
