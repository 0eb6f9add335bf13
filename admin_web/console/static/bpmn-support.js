// bpmn-js modules of the console: a palette, context pad and replace menu reduced to what the engine
// executes (docs/bpmn-extensions.md), and Chinese labels for bpmn-js' own words.
(function () {
  "use strict";

  // The replace menu offers only elements the engine accepts.
  const REPLACE_ALLOWED = new Set([
    "replace-with-user-task",
    "replace-with-service-task",
    "replace-with-send-task",
    "replace-with-rule-task",
    "replace-with-expanded-subprocess",
    "replace-with-exclusive-gateway",
    "replace-with-parallel-gateway",
    "replace-with-inclusive-gateway",
    "replace-with-none-start",
    "replace-with-timer-start",
    "replace-with-none-end",
    "replace-with-terminate-end",
    "replace-with-timer-intermediate-catch",
    "replace-with-timer-boundary",
    "replace-with-non-interrupting-timer-boundary",
  ]);
  const HEADER_ALLOWED = new Set(["toggle-parallel-mi", "toggle-sequential-mi", "toggle-non-interrupting"]);
  const PALETTE_DROPPED = [
    "create.intermediate-event",
    "create.task",
    "create.data-object",
    "create.data-store",
    "create.participant-expanded",
    "create.group",
  ];

  function JwPalette(palette, create, elementFactory, translate) {
    this._create = create;
    this._elementFactory = elementFactory;
    this._translate = translate;
    palette.registerProvider(500, this);
  }
  JwPalette.$inject = ["palette", "create", "elementFactory", "translate"];
  JwPalette.prototype.getPaletteEntries = function () {
    const create = this._create;
    const factory = this._elementFactory;
    const translate = this._translate;
    function action(type, group, className, title, options) {
      function start(event) {
        create.start(event, factory.createShape(Object.assign({ type }, options || {})));
      }
      return { group, className, title: translate(title), action: { dragstart: start, click: start } };
    }
    const ours = {
      "create.timer-event": action("bpmn:IntermediateCatchEvent", "event", "bpmn-icon-intermediate-event-catch-timer",
        "Create timer event", { eventDefinitionType: "bpmn:TimerEventDefinition" }),
      "create.parallel-gateway": action("bpmn:ParallelGateway", "gateway", "bpmn-icon-gateway-parallel", "Create parallel gateway"),
      "create.inclusive-gateway": action("bpmn:InclusiveGateway", "gateway", "bpmn-icon-gateway-or", "Create inclusive gateway"),
      "create.user-task": action("bpmn:UserTask", "activity", "bpmn-icon-user-task", "Create approval (user task)"),
      "create.service-task": action("bpmn:ServiceTask", "activity", "bpmn-icon-service-task", "Create service task"),
    };
    return function (entries) {
      for (const id of PALETTE_DROPPED) delete entries[id];
      // keep bpmn-js' order for its own entries, ours after their group's first entry
      const ordered = {};
      for (const [id, entry] of Object.entries(entries)) {
        ordered[id] = entry;
        if (id === "create.end-event") ordered["create.timer-event"] = ours["create.timer-event"];
        if (id === "create.exclusive-gateway") {
          ordered["create.parallel-gateway"] = ours["create.parallel-gateway"];
          ordered["create.inclusive-gateway"] = ours["create.inclusive-gateway"];
          ordered["create.user-task"] = ours["create.user-task"];
          ordered["create.service-task"] = ours["create.service-task"];
        }
      }
      return ordered;
    };
  };

  function JwContextPad(contextPad, create, elementFactory, injector, translate) {
    this._create = create;
    this._elementFactory = elementFactory;
    this._autoPlace = injector.get("autoPlace", false);
    this._translate = translate;
    contextPad.registerProvider(500, this);
  }
  JwContextPad.$inject = ["contextPad", "create", "elementFactory", "injector", "translate"];
  JwContextPad.prototype.getContextPadEntries = function () {
    const self = this;
    function append(type, className, title) {
      function start(event, element) {
        self._create.start(event, self._elementFactory.createShape({ type }), { source: element });
      }
      function click(event, element) {
        if (!self._autoPlace) return start(event, element);
        self._autoPlace.append(element, self._elementFactory.createShape({ type }));
      }
      return { group: "model", className, title: self._translate(title), action: { dragstart: start, click } };
    }
    return function (entries) {
      for (const id of Object.keys(entries)) {
        if (id.startsWith("append.") && id.endsWith("-intermediate-event") && id !== "append.timer-intermediate-event") delete entries[id];
      }
      delete entries["append.intermediate-event"];
      delete entries["append.receive-task"];
      delete entries["append.compensation-activity"];
      if (entries["append.append-task"]) {
        entries["append.append-task"] = append("bpmn:UserTask", "bpmn-icon-user-task", "Append approval (user task)");
      }
      return entries;
    };
  };

  function JwReplaceMenu(popupMenu) {
    popupMenu.registerProvider("bpmn-replace", 500, this);
  }
  JwReplaceMenu.$inject = ["popupMenu"];
  JwReplaceMenu.prototype.getPopupMenuEntries = function () {
    return function (entries) {
      const kept = {};
      for (const [id, entry] of Object.entries(entries)) if (REPLACE_ALLOWED.has(id)) kept[id] = entry;
      return kept;
    };
  };
  JwReplaceMenu.prototype.getPopupMenuHeaderEntries = function () {
    return function (entries) {
      const kept = {};
      for (const [id, entry] of Object.entries(entries)) if (HEADER_ALLOWED.has(id)) kept[id] = entry;
      return kept;
    };
  };

  const ZH = {
    "Activate hand tool": "抓手工具",
    "Activate lasso tool": "套索工具",
    "Activate create/remove space tool": "创建/删除空间",
    "Activate global connect tool": "全局连线",
    "Create start event": "开始事件",
    "Create end event": "结束事件",
    "Create gateway": "排他网关",
    "Create parallel gateway": "并行网关",
    "Create inclusive gateway": "包容网关",
    "Create timer event": "定时事件",
    "Create approval (user task)": "审批节点（用户任务）",
    "Create service task": "服务任务",
    "Create expanded sub-process": "子流程",
    "Append end event": "追加结束事件",
    "Append gateway": "追加网关",
    "Append approval (user task)": "追加审批节点",
    "Append text annotation": "追加注释",
    "Append timer intermediate catch event": "追加定时事件",
    "Change element": "更改类型",
    "Change type": "更改类型",
    "Delete": "删除",
    "Connect using sequence/message flow or association": "连线",
    "Connect to other element": "连线",
    "Connect using association": "关联",
    "User task": "用户任务（审批）",
    "Service task": "服务任务",
    "Send task": "发送任务",
    "Business rule task": "业务规则任务",
    "Sub-process (expanded)": "子流程（展开）",
    "Exclusive gateway": "排他网关",
    "Parallel gateway": "并行网关",
    "Inclusive gateway": "包容网关",
    "Start event": "开始事件",
    "End event": "结束事件",
    "Terminate end event": "终止结束事件",
    "Timer start event": "定时开始事件",
    "Timer intermediate catch event": "定时中间事件",
    "Timer boundary event": "定时边界事件",
    "Timer boundary event (non-interrupting)": "定时边界事件（不中断）",
    "Parallel multi-instance": "并行多实例",
    "Sequential multi-instance": "串行多实例",
    "Search in diagram": "在图中搜索",
  };

  function translateModule(locale) {
    const words = locale === "zh" ? ZH : {};
    function translate(template, replacements) {
      let text = words[template] || template;
      for (const [key, value] of Object.entries(replacements || {})) text = text.replace("{" + key + "}", value);
      return text;
    }
    return { translate: ["value", translate] };
  }

  window.JWBpmn = {
    restrictModule: {
      __init__: ["jwPalette", "jwContextPad", "jwReplaceMenu"],
      jwPalette: ["type", JwPalette],
      jwContextPad: ["type", JwContextPad],
      jwReplaceMenu: ["type", JwReplaceMenu],
    },
    translateModule,
    descriptor: async function () {
      const response = await fetch("/admin/static/jw-moddle.json");
      return response.json();
    },
  };
})();
