// The form designer: form-js editor on the process draft's form; preview checked by the engine's own validation.
(async function () {
  "use strict";
  const { api, el, t, toast, fail, boot, perms } = window.JW;
  const $ = (id) => document.getElementById(id);
  const key = boot.key;
  const EMPTY = { type: "default", schemaVersion: window.FormEditor.schemaVersion, components: [] };
  const state = { revision: null };

  const opened = await api("GET", `/admin/api/processes/${encodeURIComponent(key)}/draft`);
  state.revision = opened.revision === undefined ? null : opened.revision;
  const schema = opened.form || Object.assign({ id: "form_" + key.replace(/[^A-Za-z0-9_]/g, "_") }, EMPTY);
  const editor = await window.FormEditor.createFormEditor({ container: $("form-editor"), schema });
  window.JWForm = { editor, state };
  $("state").textContent = opened.source === "draft" ? t("proc.draft") + " r" + opened.revision : t("proc.latest") + " v" + opened.base_version;

  function showProblems(box, list, problems) {
    list.replaceChildren(...problems.map((p) => el("li", { text: (p.field ? p.field + ": " : "") + p.message })));
    if (box) box.hidden = !problems.length;
  }

  let preview = null;
  async function openPreview() {
    const current = editor.saveSchema();
    $("preview-panel").hidden = false;
    $("form-preview").replaceChildren();
    $("check-result").textContent = "";
    showProblems(null, $("check-problems"), []);
    preview = await window.FormViewer.createForm({ container: $("form-preview"), schema: current });
    window.JWForm.preview = preview;
    $("preview-panel").scrollIntoView({ behavior: "smooth" });
  }

  async function checkPreview() {
    if (!preview) await openPreview();
    const { data } = preview.submit();
    const answer = await api("POST", "/admin/api/forms/check", { form: editor.saveSchema(), data: window.JW.filled(data) });
    $("check-result").className = "small check-result " + (answer.ok ? "ok" : "bad");
    $("check-result").textContent = answer.ok ? "✓ " + t("form.valid") : "✗ " + answer.message;
    showProblems(null, $("check-problems"), answer.problems || []);
  }

  async function save() {
    try {
      const draft = await api("PUT", `/admin/api/processes/${encodeURIComponent(key)}/form`, {
        form: editor.saveSchema(),
        revision: state.revision,
      });
      state.revision = draft.revision;
      showProblems($("form-problems"), $("form-problem-list"), []);
      $("state").textContent = t("proc.draft") + " r" + draft.revision;
      toast(t("form.saved", { revision: draft.revision }), "ok");
    } catch (error) {
      if (Array.isArray(error.details)) showProblems($("form-problems"), $("form-problem-list"), error.details);
      fail(error);
    }
  }

  $("preview").addEventListener("click", () => openPreview().catch(fail));
  $("check-form").addEventListener("click", () => checkPreview().catch(fail));
  if (perms.design && $("save-form")) $("save-form").addEventListener("click", save);
  window.JWForm.ready = true;
})().catch((error) => window.JW.fail(error));
