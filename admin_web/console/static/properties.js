// Our properties panel: reads and writes the jw:* attributes (docs/bpmn-extensions.md) through bpmn-js'
// modeling API, so every change is undoable and lands in the saved XML.
(function () {
  "use strict";
  const { el, t } = window.JW;
  const W = window.JWWidgets;

  const STRATEGIES = ["user", "role", "dept-head", "manager", "starter", "field", "expr"];
  const MODES = ["countersign", "countersign:wait", "or", "sequential", "vote"];
  const TIMEOUT_ACTIONS = ["remind", "escalate", "approve", "reject"];
  const TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];

  function is(bo, type) {
    return bo && bo.$instanceOf && bo.$instanceOf(type);
  }

  function parseApprover(raw) {
    const value = (raw || "").trim();
    if (!value) return { kind: "", rest: "" };
    const colon = value.indexOf(":");
    const kind = (colon < 0 ? value : value.slice(0, colon)).trim().toLowerCase();
    const rest = colon < 0 ? "" : value.slice(colon + 1).trim();
    return STRATEGIES.includes(kind) ? { kind, rest } : { kind: "raw", rest: value };
  }

  function splitList(text) {
    return (text || "").split(",").map((s) => s.trim()).filter(Boolean);
  }

  function parsePermissions(raw) {
    const out = {};
    for (const item of splitList(raw)) {
      const at = item.lastIndexOf(":");
      if (at > 0) out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
    }
    return out;
  }

  function create(options) {
    const { modeler, container, readonly } = options;
    const modeling = readonly ? null : modeler.get("modeling");
    const moddle = modeler.get("moddle");
    const canvas = modeler.get("canvas");
    const eventBus = modeler.get("eventBus");
    let fields = options.fields || [];
    let current = null;
    let writing = false;
    const ro = { readonly };

    function write(element, props) {
      if (readonly) return;
      writing = true;
      try {
        modeling.updateProperties(element, props);
      } finally {
        writing = false;
      }
    }

    function attr(element, name, value) {
      write(element, { ["jw:" + name]: value ? value : undefined });
    }

    function jw(bo, name) {
      return bo.get("jw:" + name) || "";
    }

    function people() {
      return (options.org.users || []).map((u) => ({ id: u.id, label: u.name + " (" + u.id + ")", hint: u.title || "" }));
    }

    function textAttr(element, bo, name, label, hint) {
      return W.field(label, W.text("prop-" + name, jw(bo, name), (v) => attr(element, name, v), ro), hint);
    }

    function section(title, ...children) {
      return [el("h3", { text: title }), ...children];
    }

    function approverSection(element, bo) {
      const parsed = parseApprover(jw(bo, "approver"));
      const box = el("div", { id: "approver-detail" });
      const strategy = W.select(
        "prop-strategy",
        [["", t("props.strategy.none")], ...STRATEGIES.map((s) => [s, t("props.strategy." + s)]),
          ...(parsed.kind === "raw" ? [["raw", parsed.rest]] : [])],
        parsed.kind,
        (kind) => {
          if (kind === "starter") attr(element, "approver", "starter");
          else if (kind === "dept-head") attr(element, "approver", "dept-head");
          else if (kind === "manager") attr(element, "approver", "manager:1");
          else if (kind === "") attr(element, "approver", "");
          drawDetail(kind, kind === parsed.kind ? parsed.rest : "");
        },
        ro,
      );
      function drawDetail(kind, rest) {
        const set = (value) => attr(element, "approver", value);
        let detail = null;
        if (kind === "user") {
          detail = W.picker("approver-users", people(), splitList(rest), (ids) => set(ids.length ? "user:" + ids.join(",") : ""), ro);
        } else if (kind === "role") {
          const roles = (options.org.roles || []).map((r) => ({ id: r.id, label: r.name + " (" + r.id + ")", hint: r.members.length + "" }));
          detail = W.picker("approver-roles", roles, splitList(rest), (ids) => set(ids.length ? "role:" + ids.join(",") : ""), ro);
        } else if (kind === "dept-head") {
          const depts = (options.org.departments || []).map((d) => [d.id, d.name + " (" + d.id + ")"]);
          detail = W.field(t("props.strategy.dept-head"),
            W.select("prop-dept", [["", t("props.dept_of_starter")], ...depts], rest, (v) => set(v ? "dept-head:" + v : "dept-head"), ro));
        } else if (kind === "manager") {
          detail = W.field(t("props.levels"), W.number("prop-levels", rest || 1, 1, 20, (v) => set("manager:" + (v || 1)), ro));
        } else if (kind === "field") {
          const choices = fields.map((f) => [f.key, (f.label || f.key) + " (" + f.key + ")"]);
          detail = choices.length
            ? W.field(t("props.field"), W.select("prop-field", [["", ""], ...choices], rest, (v) => set(v ? "field:" + v : ""), ro))
            : W.field(t("props.field"), W.text("prop-field", rest, (v) => set(v ? "field:" + v : ""), ro));
        } else if (kind === "expr") {
          detail = expressionInput("prop-expr", rest, (v) => set(v ? "expr:" + v : ""));
        }
        box.replaceChildren(...(detail ? [detail] : []));
      }
      drawDetail(parsed.kind, parsed.rest);
      return section(t("props.approver"), W.field(t("props.strategy"), strategy), box);
    }

    function expressionInput(id, value, onChange) {
      const result = el("div", { class: "check-result", id: id + "-result" });
      async function check(text) {
        if (!text) {
          result.textContent = "";
          return;
        }
        try {
          const answer = await options.check(text);
          result.className = "check-result " + (answer.ok ? "ok" : "bad");
          result.textContent = answer.ok ? "✓ " + t("props.condition_ok") : "✗ " + answer.message;
        } catch (error) {
          result.className = "check-result bad";
          result.textContent = error.message;
        }
      }
      const input = W.area(id, value, (text) => {
        onChange(text);
        check(text);
      }, Object.assign({ placeholder: t("props.condition_hint") }, ro));
      const button = el("button", { type: "button", id: id + "-check", text: t("common.check"), onclick: () => check(input.value.trim()) });
      if (value) check(value);
      return el("div", { class: "field" }, input, el("div", { class: "row" }, button, result));
    }

    function modeSection(element, bo) {
      const raw = jw(bo, "approvalMode");
      const isVote = raw.startsWith("vote:");
      const percent = isVote ? raw.slice(5).replace("%", "") : "60";
      const voteBox = el("div");
      const mode = W.select(
        "prop-mode",
        [["", t("props.mode.single")], ...MODES.map((m) => [m, t("props.mode." + m)])],
        isVote ? "vote" : raw,
        (value) => {
          attr(element, "approvalMode", value === "vote" ? "vote:" + percent : value);
          drawVote(value === "vote", percent);
        },
        ro,
      );
      function drawVote(show, value) {
        voteBox.replaceChildren(
          ...(show ? [W.field(t("props.vote_percent"), W.number("prop-vote", value, 1, 100, (v) => attr(element, "approvalMode", "vote:" + (v || 60)), ro))] : []),
        );
      }
      drawVote(isVote, percent);
      const empty = W.select("prop-empty",
        [["", t("props.empty.fail")], ...options.options.empty.filter((v) => v !== "fail").map((v) => [v, t("props.empty." + v)])],
        jw(bo, "emptyApprover"), (v) => attr(element, "emptyApprover", v), ro);
      const dedupe = new Set(splitList(jw(bo, "dedupe")).filter((v) => v !== "off"));
      const boxes = options.options.dedupe.filter((v) => v !== "off").map((value) => {
        const box = el("input", { type: "checkbox", id: "prop-dedupe-" + value });
        box.checked = dedupe.has(value);
        box.disabled = readonly;
        box.addEventListener("change", () => {
          if (box.checked) dedupe.add(value);
          else dedupe.delete(value);
          attr(element, "dedupe", [...dedupe].join(","));
        });
        return el("label", { class: "check" }, box, t("props.dedupe." + value));
      });
      const reject = W.select("prop-on-reject", options.options.onReject.map((v) => [v === "end" ? "" : v, t("props.reject." + v)]),
        jw(bo, "onReject"), (v) => attr(element, "onReject", v), ro);
      return section(t("props.approval_mode"), W.field(t("props.approval_mode"), mode), voteBox,
        W.field(t("props.empty_approver"), empty), el("div", { class: "field" }, t("props.dedupe"), ...boxes),
        W.field(t("props.on_reject"), reject));
    }

    function timeoutSection(element, bo) {
      const action = W.select("prop-timeout-action", [["", t("props.timeout.remind")],
        ...TIMEOUT_ACTIONS.filter((a) => a !== "remind").map((a) => [a, t("props.timeout." + a)])],
        jw(bo, "timeoutAction"), (v) => attr(element, "timeoutAction", v), ro);
      return section(t("props.timeout_action"),
        textAttr(element, bo, "timeout", t("props.timeout")),
        W.field(t("props.timeout_action"), action),
        textAttr(element, bo, "remindBefore", t("props.remind_before")));
    }

    function ccSection(element, bo) {
      const input = W.text("prop-cc", jw(bo, "cc"), (v) => attr(element, "cc", v), Object.assign({ placeholder: "role:hr,user:…" }, ro));
      const add = W.select("prop-cc-add", [["", t("props.add_user")], ...people().map((p) => [p.id, p.label])], "", (id) => {
        if (!id) return;
        input.value = [input.value.trim(), "user:" + id].filter(Boolean).join(",");
        attr(element, "cc", input.value);
        add.value = "";
      }, ro);
      return section(t("props.cc"), W.field(t("props.cc"), input, t("props.cc_hint")), add,
        textAttr(element, bo, "returnTo", t("props.return_to"), "previous, starter, any, node ids"));
    }

    function permissionsSection(element, bo) {
      if (!fields.length) return section(t("props.fields"), el("p", { class: "muted small", text: t("props.fields_none") }));
      const rules = parsePermissions(jw(bo, "fieldPermissions"));
      const choices = [["", t("props.perm.default")], ...options.options.permissions.map((p) => [p, t("props.perm." + p)])];
      function save() {
        attr(element, "fieldPermissions", Object.entries(rules).filter(([, v]) => v).map(([k, v]) => k + ":" + v).join(","));
      }
      const rows = [...fields.map((f) => [f.key, f.label || f.key]), ["*", t("props.perm.rest")]].map(([key, label]) =>
        el("tr", {}, el("td", { text: label }),
          el("td", {}, W.select("prop-perm-" + (key === "*" ? "rest" : key), choices, rules[key] || "", (v) => {
            rules[key] = v;
            save();
          }, ro))));
      return section(t("props.fields"), el("table", { class: "list" }, el("tbody", {}, rows)));
    }

    function flowSection(element, bo) {
      const source = bo.sourceRef;
      const out = [];
      const parallel = is(source, "bpmn:ParallelGateway");
      const isDefault = source && source.default === bo;
      if (!parallel) {
        const expression = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
        const condition = expressionInput("prop-condition", expression, (text) => {
          write(element, { conditionExpression: text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined });
        });
        out.push(...section(t("props.condition"), condition));
        if (isDefault) condition.querySelector("textarea").disabled = true;
      }
      if (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway") || is(source, "bpmn:Activity")) {
        const box = el("input", { type: "checkbox", id: "prop-default" });
        box.checked = isDefault;
        box.disabled = readonly;
        box.addEventListener("change", () => {
          const sourceShape = modeler.get("elementRegistry").get(source.id);
          writing = true;
          try {
            if (box.checked) modeling.updateProperties(element, { conditionExpression: undefined });
            modeling.updateProperties(sourceShape, { default: box.checked ? bo : undefined });
          } finally {
            writing = false;
          }
          show(element);
        });
        out.push(el("label", { class: "check" }, box, t("props.default_flow")));
      }
      return out;
    }

    function gatewaySection(element, bo) {
      if (!(is(bo, "bpmn:ExclusiveGateway") || is(bo, "bpmn:InclusiveGateway"))) return [];
      const outgoing = bo.outgoing || [];
      const choice = W.select("prop-default-flow", [["", t("common.none")], ...outgoing.map((f) => [f.id, f.name || f.id])],
        bo.default ? bo.default.id : "", (id) => {
          const flow = outgoing.find((f) => f.id === id);
          if (flow && flow.conditionExpression) {
            write(modeler.get("elementRegistry").get(flow.id), { conditionExpression: undefined });
          }
          write(element, { default: flow || undefined });
        }, ro);
      return [W.field(t("props.default_flow"), choice)];
    }

    function timerSection(element, bo) {
      const definition = (bo.eventDefinitions || []).find((d) => is(d, "bpmn:TimerEventDefinition"));
      if (!definition) return [];
      const kind = TIMER_KINDS.find((k) => definition.get(k)) || "timeDuration";
      const value = definition.get(kind) ? definition.get(kind).body : "";
      let chosen = kind;
      const input = W.text("prop-timer", value, (text) => store(chosen, text), Object.assign({ placeholder: "PT1H" }, ro));
      function store(which, text) {
        if (readonly) return;
        const props = {};
        for (const k of TIMER_KINDS) props[k] = undefined;
        if (text) props[which] = moddle.create("bpmn:FormalExpression", { body: text });
        writing = true;
        try {
          modeling.updateModdleProperties(element, definition, props);
        } finally {
          writing = false;
        }
      }
      const select = W.select("prop-timer-kind", TIMER_KINDS.map((k) => [k, t("props.timer." + k)]), kind, (k) => {
        chosen = k;
        store(k, input.value.trim());
      }, ro);
      return section(t("props.timer"), W.field(t("props.timer"), select), input);
    }

    function show(element) {
      current = element || canvas.getRootElement();
      const shape = current;
      const bo = shape.businessObject;
      const parts = [];
      const isProcess = is(bo, "bpmn:Process") || is(bo, "bpmn:Collaboration");
      parts.push(el("h2", { text: isProcess ? t("props.process") : bo.name || bo.id }));
      parts.push(el("div", { class: "type", text: bo.$type.replace("bpmn:", "") + " · " + bo.id }));
      if (!is(bo, "bpmn:Collaboration")) {
        parts.push(W.field(t("props.name"), W.text("prop-name", bo.name, (v) => write(shape, { name: v || undefined }), ro)));
      }
      if (is(bo, "bpmn:Process")) {
        parts.push(textAttr(shape, bo, "admin", t("props.admin")), textAttr(shape, bo, "category", t("props.category")));
      } else if (is(bo, "bpmn:UserTask")) {
        parts.push(...approverSection(shape, bo), ...modeSection(shape, bo), ...permissionsSection(shape, bo),
          ...ccSection(shape, bo), ...timeoutSection(shape, bo));
      } else if (is(bo, "bpmn:SequenceFlow")) {
        parts.push(...flowSection(shape, bo));
      } else if (is(bo, "bpmn:Gateway")) {
        parts.push(...gatewaySection(shape, bo));
      } else if (is(bo, "bpmn:ServiceTask")) {
        parts.push(textAttr(shape, bo, "connector", t("props.connector")), textAttr(shape, bo, "resultVariable", t("props.result_variable")));
      } else if (is(bo, "bpmn:SendTask")) {
        parts.push(textAttr(shape, bo, "notify", "jw:notify"), textAttr(shape, bo, "title", "jw:title"), textAttr(shape, bo, "message", "jw:message"));
      } else if (is(bo, "bpmn:BusinessRuleTask")) {
        parts.push(textAttr(shape, bo, "decision", "jw:decision"), textAttr(shape, bo, "resultVariable", t("props.result_variable")));
      }
      if (is(bo, "bpmn:Event")) parts.push(...timerSection(shape, bo));
      container.replaceChildren(...parts);
    }

    eventBus.on("selection.changed", (event) => {
      const selected = event.newSelection || [];
      show(selected.length === 1 ? selected[0] : null);
    });
    eventBus.on("commandStack.changed", () => {
      if (writing || !current) return;
      const registry = modeler.get("elementRegistry");
      show(registry.get(current.id) || null); // undo/redo or a change on the canvas
    });
    eventBus.on("import.done", () => show(null));

    return {
      show,
      setFields(next) {
        fields = next || [];
        show(current);
      },
    };
  }

  window.JWProps = { create, parseApprover, parsePermissions };
})();
