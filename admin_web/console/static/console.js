// Shared by every console page: the boot data, words, JSON calls with the CSRF header, small DOM helpers.
(function () {
  "use strict";
  const boot = JSON.parse(document.getElementById("jw-boot").textContent);
  const JW = (window.JW = { boot, perms: boot.perms || {}, account: boot.account || {} });

  JW.t = function (key, values) {
    let text = (boot.messages && boot.messages[key]) || key;
    if (values) for (const [k, v] of Object.entries(values)) text = text.split("{" + k + "}").join(String(v));
    return text;
  };

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || "HTTP " + status);
      this.status = status;
      this.code = error.code;
      this.details = error.details;
    }
  }
  JW.ApiError = ApiError;

  // fetch with the session cookie and the CSRF header; JSON in and out; throws ApiError.
  JW.api = async function (method, path, body, options) {
    const init = { method, headers: { "X-CSRF-Token": boot.csrf, Accept: "application/json" }, credentials: "same-origin" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new ApiError(401, null);
    }
    if (response.status === 204) return null;
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : null);
    return options && options.raw ? { data, response } : data;
  };

  JW.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "value") node.value = value;
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  JW.toast = function (message, kind) {
    const box = JW.el("div", { class: "toast " + (kind || ""), text: message, role: "status" });
    document.getElementById("toasts").append(box);
    setTimeout(() => box.remove(), kind === "bad" ? 9000 : 4000);
  };

  JW.fail = function (error) {
    console.error(error);
    JW.toast((error && error.message) || String(error), "bad");
  };

  JW.when = function (iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return date.toLocaleString(boot.locale === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  };

  JW.duration = function (seconds) {
    if (seconds === null || seconds === undefined) return "";
    if (seconds < 120) return Math.round(seconds) + " s";
    if (seconds < 7200) return Math.round(seconds / 60) + " min";
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h";
    return (seconds / 86400).toFixed(1) + " d";
  };

  JW.status = function (status) {
    return JW.el("span", { class: "pill " + status, text: JW.t("status." + status) });
  };

  JW.query = function (form) {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form).entries()) if (value !== "") params.set(key, value);
    return params;
  };

  // form-js reports an empty field as null or ""; the engine reads a missing key as "not filled in".
  JW.filled = function (data) {
    const out = {};
    for (const [key, value] of Object.entries(data || {})) if (value !== null && value !== "" && value !== undefined) out[key] = value;
    return out;
  };

  JW.download = function (filename, text, type) {
    const link = JW.el("a", { href: URL.createObjectURL(new Blob([text], { type: type || "text/plain" })), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
  };

  // The org, loaded once per page for pickers and names.
  let org = null;
  JW.org = async function () {
    if (!org) org = await JW.api("GET", "/admin/api/org");
    return org;
  };

  const switcher = document.getElementById("locale-switch");
  if (switcher)
    switcher.addEventListener("change", async () => {
      try {
        await JW.api("POST", "/admin/api/me/locale", { locale: switcher.value });
        location.reload();
      } catch (error) {
        JW.fail(error);
      }
    });
})();
