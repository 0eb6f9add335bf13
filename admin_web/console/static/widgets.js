// Small form widgets of the properties panel: labelled inputs, selects and a searchable people/role picker.
(function () {
  "use strict";
  const { el, t } = window.JW;

  function field(label, control, hint) {
    return el("label", { class: "field" }, label, control, hint ? el("span", { class: "small muted", text: hint }) : null);
  }

  function text(id, value, onChange, options) {
    const input = el("input", { type: "text", id, value: value || "", placeholder: (options && options.placeholder) || "" });
    input.disabled = !!(options && options.readonly);
    input.addEventListener("change", () => onChange(input.value.trim()));
    return input;
  }

  function area(id, value, onChange, options) {
    const input = el("textarea", { id, class: "code", rows: 3, placeholder: (options && options.placeholder) || "" });
    input.value = value || "";
    input.disabled = !!(options && options.readonly);
    input.addEventListener("change", () => onChange(input.value.trim()));
    return input;
  }

  // choices: [[value, label], ...]
  function select(id, choices, value, onChange, options) {
    const node = el("select", { id }, choices.map(([v, label]) => el("option", { value: v, text: label })));
    node.value = value === undefined || value === null ? "" : value;
    node.disabled = !!(options && options.readonly);
    node.addEventListener("change", () => onChange(node.value));
    return node;
  }

  function number(id, value, min, max, onChange, options) {
    const input = el("input", { type: "number", id, min, max, value: value === undefined ? "" : value });
    input.disabled = !!(options && options.readonly);
    input.addEventListener("change", () => onChange(input.value));
    return input;
  }

  // A filterable list of checkboxes (multiple) or radio buttons; items: [{id, label, hint}].
  function picker(name, items, selected, onChange, options) {
    const multiple = !options || options.multiple !== false;
    const readonly = !!(options && options.readonly);
    const chosen = new Set(selected || []);
    const chips = el("div", { class: "chips" });
    const list = el("div", { class: "options" });
    const search = el("input", { type: "search", placeholder: t("props.filter"), "aria-label": t("props.filter") });
    function drawChips() {
      chips.replaceChildren(...[...chosen].map((id) => el("span", { class: "chip", text: id })));
    }
    function draw() {
      const needle = search.value.trim().toLowerCase();
      list.replaceChildren(
        ...items
          .filter((item) => !needle || (item.id + " " + item.label + " " + (item.hint || "")).toLowerCase().includes(needle))
          .map((item) => {
            const box = el("input", { type: multiple ? "checkbox" : "radio", name: "pick-" + name, value: item.id });
            box.checked = chosen.has(item.id);
            box.disabled = readonly;
            box.addEventListener("change", () => {
              if (!multiple) chosen.clear();
              if (box.checked) chosen.add(item.id);
              else chosen.delete(item.id);
              drawChips();
              onChange([...chosen]);
            });
            return el("label", {}, box, item.label, item.hint ? el("span", { class: "muted small", text: item.hint }) : null);
          }),
      );
    }
    search.addEventListener("input", draw);
    draw();
    drawChips();
    return el("div", { class: "picker", "data-picker": name }, search, list, chips);
  }

  window.JWWidgets = { field, text, area, select, number, picker };
})();
