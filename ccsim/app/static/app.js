// ccsim what-if app: the page. Plain JavaScript, no build step.
//
// The page keeps the planner's variants (a name, changes to the open scenario as
// dotted paths -- an option of an options file -- and the option's costs) and asks the
// server for everything else: validation, the centre at a glance, runs, comparisons,
// the staffing search, files. Nothing here computes a KPI.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const OPTION_COSTS = [["one_off", "One-off"], ["per_new_agent", "Per new agent"], ["monthly", "Monthly"], ["per_seat_monthly", "Per seat and month"]];

const state = {
  info: null, files: [], path: null, text: "", base: null,  // base: the glance of the file
  variants: [], current: 0, runs: {},                          // runs: panel -> {id, poll}
};

// ------------------------------------------------------------------ helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

async function api(method, url, body) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const response = await fetch(url, init);
  let data = null;
  try { data = await response.json(); } catch (e) { data = { error: `${response.status} ${response.statusText}` }; }
  if (!response.ok) { const err = new Error(data.error || response.statusText); err.status = response.status; throw err; }
  return data;
}

const isNum = (x) => typeof x === "number" && Number.isFinite(x);
const pct = (x, d = 1) => (isNum(x) ? `${(100 * x).toFixed(d)} %` : "–");
const secs = (x) => (isNum(x) ? `${x.toFixed(1)} s` : "–");
const count = (x) => (isNum(x) ? Math.round(x).toLocaleString("en") : "–");
const money = (x) => (isNum(x) ? Math.round(x).toLocaleString("en") : (x === null ? "–" : String(x)));
const fmtKpi = (kpi, x) => (SHARE.has(kpi) ? pct(x) : kpi.endsWith("_s") ? secs(x) : kpi === "mean_queue" ? (isNum(x) ? x.toFixed(2) : "–") : count(x));
const SHARE = new Set(["service_level", "service_level_answered", "service_level_excl_short_abandons", "service_level_incl_short_abandons", "p_wait", "abandon_rate", "block_rate", "occupancy", "fcr"]);
const near = (a, b) => Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function showMessage(text, kind = "") {
  const box = $("#message");
  box.textContent = text; box.className = `message ${kind}`; box.hidden = !text;
}
function showError(id, text) { const box = $(id); box.textContent = text || ""; box.hidden = !text; }

function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loadPlotly.promise) {
    loadPlotly.promise = new Promise((resolve, reject) => {
      const s = el("script", { src: "/vendor/plotly.min.js" });
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => reject(new Error("Plotly.js did not load: pip install 'ccsim[app]'"));
      document.head.append(s);
    });
  }
  return loadPlotly.promise;
}

function storageKey() { return `ccsim:${state.info ? state.info.folder : ""}:${state.path}`; }
function persist() {
  const keep = state.variants.slice(1).map(({ name, description, changes, costs }) => ({ name, description, changes, costs }));
  try { localStorage.setItem(storageKey(), JSON.stringify(keep)); } catch (e) { /* private mode */ }
}

// -------------------------------------------------------------------- files
async function loadFiles() {
  const data = await api("GET", "/api/files");
  state.files = data.files;
  const list = $("#files");
  list.replaceChildren();
  if (!data.files.length) list.append(el("li", { class: "muted", text: "no .yaml files in the folder" }));
  for (const f of data.files) {
    const usable = f.kind === "scenario" || f.kind === "options";
    const label = [f.path, el("span", { class: "kind", text: f.kind === "scenario" ? "" : f.kind })];
    list.append(el("li", {}, usable
      ? el("button", { "data-path": f.path, class: f.path === state.path ? "active" : "", onclick: () => openFile(f.path) }, label)
      : el("div", { class: "unusable", title: f.kind === "sweep" ? "run sweeps with ccsim sweep" : "not readable YAML" }, label)));
  }
  list.dataset.ready = "1";
}

async function openFile(path) {
  let data;
  try { data = await api("GET", `/api/open?path=${encodeURIComponent(path)}`); }
  catch (e) { showMessage(e.message, "bad"); return; }
  cancelPanel("whatif");
  delete $("#workspace").dataset.open;
  state.path = data.path; state.text = data.text; state.base = data.glance || null;
  $("#open-name").textContent = data.options_file ? `${data.path}  ·  options ${data.options_file}` : data.path;
  $$("#files button").forEach((b) => b.classList.toggle("active", b.dataset.path === path || b.dataset.path === data.path));
  $("#yaml-text").value = data.text;
  const yamlMessage = $("#yaml-message");
  yamlMessage.textContent = data.message; yamlMessage.className = `validation ${data.valid ? "ok" : "bad"}`; yamlMessage.hidden = false;
  $("#welcome").hidden = true; $("#workspace").hidden = false;
  if (!data.valid) {
    showMessage(data.message, "bad");
    state.variants = [];
    renderVariantBar(); selectTab("yaml");
    return;
  }
  showMessage("");
  let saved = data.variants;
  if (!data.options_file) {
    try { saved = JSON.parse(localStorage.getItem(storageKey()) || "[]"); } catch (e) { saved = []; }
  }
  state.variants = [{ name: "base", description: "", changes: {}, costs: {}, glance: data.glance, changesYaml: "" }];
  for (const v of saved) state.variants.push({ name: v.name, description: v.description || "", changes: v.changes || {}, costs: v.costs || {}, glance: null });
  persist();
  state.current = 0;
  renderVariantBar(); renderCentre(); renderCompareChoice();
  $("#result").replaceChildren(); $("#compare-result").replaceChildren(); $("#staff-result").replaceChildren();
  await selectVariant(0);
  $("#workspace").dataset.open = data.path;  // opened: levers and centre drawn
}

// ----------------------------------------------------------------- variants
function renderVariantBar() {
  const bar = $("#variant-bar");
  bar.replaceChildren();
  state.variants.forEach((v, i) => {
    const chip = el("button", { class: `chip ${i === state.current ? "active" : ""}`, "data-variant": v.name, onclick: () => selectVariant(i) }, v.name);
    if (i > 0) chip.append(el("span", { class: "x", title: "remove this variant", onclick: (e) => { e.stopPropagation(); removeVariant(i); } }, "×"));
    bar.append(chip);
  });
  if (state.variants.length) bar.append(el("button", { class: "chip add", id: "new-variant", onclick: () => addVariant(state.current) }, "+ variant"));
}

function uniqueName(stem) {
  const names = new Set(state.variants.map((v) => v.name));
  for (let i = 1; ; i++) { const name = `${stem} ${i}`; if (!names.has(name)) return name; }
}

// A new variant: a copy of variant `from` with `extra` changes; selected unless `quiet`.
async function addVariant(from, extra = {}, name = null, quiet = false) {
  const source = state.variants[from];
  const v = {
    name: name && !state.variants.some((x) => x.name === name) ? name : uniqueName(name || "variant"),
    description: "", changes: { ...source.changes, ...extra }, costs: { ...source.costs },
    glance: Object.keys(extra).length ? null : source.glance,  // the same scenario until changed
  };
  state.variants.push(v);
  persist(); renderCompareChoice();
  if (!quiet) await selectVariant(state.variants.length - 1);
  return v;
}

function removeVariant(i) {
  state.variants.splice(i, 1);
  if (state.current >= i) state.current = Math.max(0, state.current - 1);
  persist(); renderCompareChoice(); selectVariant(state.current);
}

async function selectVariant(i) {
  state.current = i;
  const v = state.variants[i];
  if (!v.glance || v.changesYaml === undefined) await checkVariant(v);
  if (state.current !== i) return;  // another variant was chosen meanwhile
  renderVariantBar();
  renderLevers();
  renderResult();
}

// Ask the server to check a variant and resolve its scenario. The Erlang A requirement
// does not depend on staffing: after a staffing change the last one is kept (`erlang`
// false), which keeps the check light while the run goes on.
// Checks of one variant may overlap (two quick changes); only the latest request's
// answer is kept, whichever order the answers arrive in.
async function checkVariant(v, erlang = true) {
  const known = v.glance;
  erlang = erlang || v.erlangPending || !known || known.groups.some((g) => !g.erlang_a);
  v.erlangPending = erlang;  // a later, lighter check must not drop this one's requirement
  const ticket = (v.checks = (v.checks || 0) + 1);
  try {
    const data = await api("POST", "/api/variant", { path: state.path, changes: v.changes, name: v.name, erlang });
    if (ticket !== v.checks) return !v.invalid;  // a later check of this variant is on its way
    if (!erlang) {
      for (const g of data.glance.groups) {
        const before = known.groups.find((x) => x.name === g.name);
        g.erlang_a = before ? before.erlang_a : [];
      }
    }
    v.glance = data.glance; v.changesYaml = data.changes_yaml; v.invalid = null;
    v.erlangPending = false;
  } catch (e) {
    if (ticket !== v.checks) return !v.invalid;
    v.invalid = e.message;
  }
  if (v === state.variants[state.current]) updateLeverStatus();
  return !v.invalid;
}

// ------------------------------------------------------------------- levers
// A lever reads the variant's change at its path and writes one. Multipliers are
// relative changes ("*1.1"); the rest are absolute values, removed when back at the base.
function factorOf(v, path) {
  const c = v.changes[path];
  if (c === undefined) return 1;
  if (typeof c === "string" && c.trim().startsWith("*")) return parseFloat(c.trim().slice(1));
  return null;  // set otherwise (an options file): shown, not editable here
}

async function setChange(path, value) {
  let v = state.variants[state.current];
  const fresh = state.current === 0;  // the base stays as the file says: a change makes a variant
  if (fresh) v = await addVariant(0, {}, null, true);
  if (value === undefined) delete v.changes[path]; else v.changes[path] = value;
  persist();
  v.invalid = null;
  const staffing = /\.staffing$|\.shifts\.\d+\.agents$|^costs\./.test(path);  // Erlang A stays
  const checking = checkVariant(v, !staffing);  // the run checks the changes too: both at once
  if ($("#autorun").checked) runSimulation(v);
  await checking;
  if (fresh) await selectVariant(state.variants.indexOf(v));
}

function leverInput(value, onchange, attrs = {}) {
  return el("input", { type: "number", value: isNum(value) ? +value.toFixed(6) : "", step: "any", ...attrs, onchange: (e) => onchange(e.target.value === "" ? null : parseFloat(e.target.value), e.target) });
}

function renderLevers() {
  const v = state.variants[state.current];
  const g = v.glance || state.base;
  const base = state.base;
  const root = $("#levers");
  root.replaceChildren();
  if (!g) return;
  const isBase = state.current === 0;

  // the variant: name, description, option costs
  const head = el("details", { open: true }, el("summary", {}, isBase ? "Base scenario" : "Variant"));
  if (isBase) head.append(el("p", { class: "muted small" }, "The scenario as the file says. Changing a lever makes a new variant; the base stays for comparison."));
  else {
    head.append(el("table", {}, el("tbody", {},
      el("tr", {}, el("td", {}, "Name"), el("td", {}, el("input", { type: "text", id: "variant-name", value: v.name, onchange: (e) => renameVariant(v, e.target) }))),
      el("tr", {}, el("td", {}, "Description"), el("td", {}, el("input", { type: "text", value: v.description, onchange: (e) => { v.description = e.target.value; persist(); } }))))));
    const costs = el("details", {}, el("summary", {}, "Option costs (for the business case)"));
    const t = el("table", {}, el("tbody", {}, OPTION_COSTS.map(([key, label]) => el("tr", {}, el("td", {}, label),
      el("td", {}, leverInput(v.costs[key] ?? 0, (x) => { if (x) v.costs[key] = x; else delete v.costs[key]; persist(); }, { min: 0, "data-cost": key }))))));
    costs.append(t); head.append(costs);
  }
  root.append(head);

  // demand and handling, per contact type
  const ivr = !!g.ivr;
  const demand = el("details", { open: true }, el("summary", {}, "Demand, handling and targets"));
  const rows = g.types.map((t) => {
    const b = base.types.find((x) => x.name === t.name) || t;
    const p = (k) => `contact_types.${t.name}.${k}`;
    const factor = (key, enabled) => {
      const f = factorOf(v, p(key));
      const cell = el("td", {});
      if (!enabled) cell.append(el("span", { class: "muted", title: "not set for this type" }, "–"));
      else if (f === null) cell.append(el("span", { class: "muted", title: `set in the changes: ${v.changes[p(key)]}` }, "set"));
      else cell.append(leverInput(f, (x) => setChange(p(key), x === null || near(x, 1) ? undefined : `*${x}`), { min: 0, step: 0.05, "data-lever": `${key}:${t.name}`, class: near(f, 1) ? "" : "changed" }));
      return cell;
    };
    const absolute = (key, value, baseValue, scale, attrs) => el("td", {}, leverInput(isNum(value) ? value * scale : null,
      (x) => setChange(p(key), x === null || near(x / scale, baseValue) ? undefined : x / scale),
      { ...attrs, "data-lever": `${key}:${t.name}`, class: isNum(value) && near(value, baseValue) ? "" : "changed" }));
    const cells = [el("td", {}, t.name),
      factor("arrivals.rate_per_hour", true),
      factor("handle_time.mean", t.handle_has_mean),
      factor("patience.mean", t.patience_has_mean),
      absolute("service_level.target", t.sl_target, b.sl_target, 100, { min: 0, max: 100, step: 1 }),
      absolute("service_level.threshold", t.sl_threshold_s, b.sl_threshold_s, 1, { min: 0, step: 5 })];
    if (ivr) {
      cells.push(el("td", {}, leverInput(100 * t.deflection, (x) => setChange(`ivr.deflection.${t.name}`, x === null || near(x / 100, b.deflection) ? undefined : x / 100),
        { min: 0, max: 100, step: 1, "data-lever": `deflection:${t.name}`, class: near(t.deflection, b.deflection) ? "" : "changed" })));
    }
    if (g.costs) {
      cells.push(el("td", {}, leverInput(t.abandoned_cost, (x) => setChange(`costs.abandoned_contact.${t.name}`, x === null || near(x, b.abandoned_cost) ? undefined : x),
        { min: 0, step: 1, "data-lever": `abandoned_cost:${t.name}`, class: near(t.abandoned_cost, b.abandoned_cost) ? "" : "changed" })));
    }
    return el("tr", {}, cells);
  });
  const heads = ["type", "volume ×", "handle time ×", "patience ×", "SL target %", "threshold s", ...(ivr ? ["IVR self-service %"] : []), ...(g.costs ? ["lost per abandon"] : [])];
  demand.append(el("table", { class: "demand" }, el("thead", {}, el("tr", {}, heads.map((h) => el("th", {}, h)))), el("tbody", {}, rows)));
  root.append(demand);

  // staffing: a grid (intervals x groups staffed per interval), and shift counts
  root.append(staffingLevers(v, g, base));

  // costs
  if (g.costs) {
    const c = g.costs, bc = base.costs;
    const costs = el("details", {}, el("summary", {}, `Costs (${c.currency})`));
    const item = (label, key, value, baseValue, scale = 1) => el("tr", {}, el("td", {}, label), el("td", {},
      leverInput(value * scale, (x) => setChange(`costs.${key}`, x === null || near(x / scale, baseValue) ? undefined : x / scale),
        { min: 0, step: "any", "data-lever": `costs.${key}`, class: near(value, baseValue) ? "" : "changed" })));
    costs.append(el("table", {}, el("tbody", {},
      item("Hourly wage", "agents.hourly_wage", c.hourly_wage, bc.hourly_wage),
      item("Shrinkage %", "agents.shrinkage", c.shrinkage, bc.shrinkage, 100),
      item("Overhead ×", "agents.overhead", c.overhead, bc.overhead),
      item("Fixed per day", "fixed_per_day", c.fixed_per_day, bc.fixed_per_day))));
    root.append(costs);
  }

  // what the levers wrote, in the options-file language
  const changes = el("details", { open: !isBase }, el("summary", {}, "Changes (options-file language)"));
  changes.append(el("pre", { class: "changes", id: "changes-yaml" }, v.changesYaml || "(none: this is the scenario as written)"));
  changes.append(el("div", { id: "lever-error", class: "error", hidden: true }));
  const buttons = el("div", { class: "buttons" },
    el("button", { id: "save-scenario", onclick: saveScenario, disabled: isBase }, "Save as scenario…"),
    el("button", { onclick: saveOptions, disabled: state.variants.length < 2 }, "Save variants as options file…"),
    isBase ? null : el("button", { onclick: () => { v.changes = {}; v.costs = {}; persist(); checkVariant(v).then(renderLevers); } }, "Reset to base"));
  changes.append(buttons);
  root.append(changes);
  updateLeverStatus();
}

function staffingLevers(v, g, base) {
  const box = el("details", { open: true }, el("summary", {}, "Staffing"));
  const baseGroup = (name) => base.groups.find((x) => x.name === name);
  const perInterval = g.groups.filter((grp) => grp.staffing);
  if (perInterval.length) {
    const head = el("tr", {}, el("th", {}, "start"), perInterval.map((grp) => el("th", {}, grp.name,
      el("div", { class: "small" },
        el("button", { title: "one agent fewer in every interval", "data-step": `${grp.name}:-1`, onclick: () => stepGroup(grp.name, -1) }, "−1"), " ",
        el("button", { title: "one agent more in every interval", "data-step": `${grp.name}:+1`, onclick: () => stepGroup(grp.name, 1) }, "+1")))));
    const body = g.labels.slice(0, g.horizon.intervals).map((label, k) => el("tr", {}, el("td", {}, label), perInterval.map((grp) => {
      const b = baseGroup(grp.name);
      const baseValue = b && b.staffing ? b.staffing[k] : null;
      const input = leverInput(grp.staffing[k], (x, node) => setStaffing(grp.name, k, x, node), {
        min: 0, step: 1, "data-staff": `${grp.name}:${k}`,
        class: `${grp.staffing[k] < grp.erlang_a[k] ? "below" : ""} ${grp.staffing[k] === baseValue ? "" : "changed"}`,
        title: `Erlang A asks for ${grp.erlang_a[k]}`,
      });
      return el("td", { class: "staff-cell" }, input, el("span", { class: "need", title: "Erlang A" }, grp.erlang_a[k] ?? ""));
    })));
    box.append(el("p", { class: "muted small" }, "Agents per interval; the grey figure is what Erlang A asks for (orange: below it).",
      g.horizon.days ? ` Several days: this is the staffing of every day that does not set its own (days: in the file); Erlang A for ${g.horizon.days[0]}.` : ""));
    box.append(el("div", { class: "grid-wrap" }, el("table", {}, el("thead", {}, head), el("tbody", {}, body))));
  }
  for (const grp of g.groups) {
    if (!grp.shifts.length) continue;
    const b = baseGroup(grp.name);
    box.append(el("h3", {}, `${grp.name}: shifts`));
    box.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "shift"), el("th", {}, "breaks"), el("th", {}, "agents"))),
      el("tbody", {}, grp.shifts.map((s, i) => {
        const baseAgents = b && b.shifts[i] ? b.shifts[i].agents : null;
        return el("tr", {}, el("td", {}, `${s.start}–${s.end}${s.days ? ` (${s.days.join(", ")})` : ""}`), el("td", {}, s.breaks),
          el("td", {}, leverInput(s.agents, (x) => setChange(`agent_groups.${grp.name}.shifts.${i}.agents`, x === null || x === baseAgents ? undefined : Math.round(x)),
            { min: 0, step: 1, "data-shift": `${grp.name}:${i}`, class: s.agents === baseAgents ? "" : "changed" })));
      }))));
  }
  return box;
}

// The staffing the grid shows: the list it last wrote (at once, before the server
// has checked it), else the variant's scenario as the server resolved it.
function currentStaffing(name) {
  const v = state.variants[state.current];
  const written = v.changes[`agent_groups.${name}.staffing`];
  if (Array.isArray(written) && written.every(isNum)) return written.slice();
  const grp = (v.glance || state.base).groups.find((x) => x.name === name);
  return grp.staffing.slice();
}

function writeStaffing(name, list) {
  const b = state.base.groups.find((x) => x.name === name);
  const baseList = b ? b.staffing : null;
  const same = baseList && baseList.length === list.length && baseList.every((x, k) => x === list[k]);
  return setChange(`agent_groups.${name}.staffing`, same ? undefined : list);
}

function setStaffing(name, k, value, node) {
  const list = currentStaffing(name);
  list[k] = Math.max(0, Math.round(value || 0));
  if (node) node.value = list[k];
  return writeStaffing(name, list);
}

// The grid's inputs are updated in place (here at once, and by updateLeverStatus when
// the server has checked the change): re-rendering the levers would replace an input
// the planner is typing into meanwhile, and lose what was typed.
async function stepGroup(name, step) {
  const list = currentStaffing(name).map((x) => Math.max(0, x + step));
  list.forEach((n, k) => {
    const input = $(`input[data-staff="${CSS.escape(name)}:${k}"]`);
    if (input) input.value = n;
  });
  await writeStaffing(name, list);
}

function renameVariant(v, input) {
  const name = input.value.trim();
  if (!name || name === "base" || state.variants.some((x) => x !== v && x.name === name)) {
    input.value = v.name; showMessage("a variant needs a name of its own (not 'base')", "bad"); return;
  }
  v.name = name; persist(); renderVariantBar(); renderCompareChoice();
}

function updateLeverStatus() {
  const v = state.variants[state.current];
  const pre = $("#changes-yaml");
  if (pre) pre.textContent = v.changesYaml || "(none: this is the scenario as written)";
  const err = $("#lever-error");
  if (err) { err.textContent = v.invalid || ""; err.hidden = !v.invalid; }
  if (v.glance) {
    for (const grp of v.glance.groups) {
      if (!grp.staffing) continue;
      grp.staffing.forEach((n, k) => {
        const input = $(`input[data-staff="${CSS.escape(grp.name)}:${k}"]`);
        if (!input) return;
        if (document.activeElement !== input) input.value = n;
        input.classList.toggle("below", n < grp.erlang_a[k]);
        const b = state.base.groups.find((x) => x.name === grp.name);
        input.classList.toggle("changed", !b || !b.staffing || b.staffing[k] !== n);
      });
    }
  }
  $("#run").disabled = !!v.invalid;
}

// --------------------------------------------------------------------- runs
function cancelPanel(panel) {
  const r = state.runs[panel];
  if (r && !r.finished) { api("POST", `/api/runs/${r.id}/cancel`).catch(() => {}); }
}

// Start a run and poll it until it ends; `panel` names the progress bar and the
// cancel button ("whatif", "compare", "staff").
async function track(panel, body, unit) {
  const ids = { whatif: ["#progress", "#cancel", "#run-error"], compare: ["#compare-progress", "#compare-cancel", "#compare-error"], staff: ["#staff-progress", "#staff-cancel", "#staff-error"] }[panel];
  const [progressId, cancelId, errorId] = ids;
  cancelPanel(panel);
  showError(errorId, "");
  let run;
  try { run = await api("POST", "/api/runs", body); }
  catch (e) { showError(errorId, e.message); return null; }
  const mine = { id: run.id, finished: false };
  state.runs[panel] = mine;
  const bar = $(progressId), cancel = $(cancelId);
  bar.hidden = false; cancel.hidden = false; cancel.disabled = false;
  cancel.onclick = () => { cancel.disabled = true; api("POST", `/api/runs/${run.id}/cancel`).catch(() => {}); };
  while (["queued", "running"].includes(run.status)) {
    if (state.runs[panel] !== mine) return null;  // superseded by a newer run (cancelled)
    const share = run.total ? run.done / run.total : 0;
    $(".bar", bar).style.width = `${(100 * share).toFixed(1)}%`;
    $(".text", bar).textContent = run.status === "queued" ? "waiting for a worker…" : `${run.done} / ${run.total || "?"} ${unit} · ${run.elapsed_s.toFixed(1)} s`;
    await new Promise((r) => setTimeout(r, 100));
    try { run = await api("GET", `/api/runs/${run.id}`); }
    catch (e) { run = { status: "failed", error: e.message }; }
  }
  mine.finished = true;
  if (state.runs[panel] !== mine) return null;  // superseded by a newer run
  cancel.hidden = true;
  if (run.status === "done") { bar.hidden = true; return run; }
  $(".bar", bar).style.width = "0";
  $(".text", bar).textContent = run.status === "cancelled" ? "cancelled" : "failed";
  if (run.status === "failed") showError(errorId, `The run failed: ${run.error}`);
  else showError(errorId, "");
  $(".text", bar).dataset.status = run.status;
  return null;
}

async function runSimulation(variant) {
  const v = variant instanceof Event || !variant ? state.variants[state.current] : variant;
  if (v.invalid) return;
  const body = { kind: "simulate", path: state.path, name: v.name, changes: v.changes,
    replications: parseInt($("#replications").value, 10), seed: parseInt($("#seed").value, 10) };
  const run = await track("whatif", body, "replications");
  if (!run) return;
  v.run = { id: run.id, result: run.result, elapsed: run.elapsed_s, charts: null };
  if (v === state.variants[state.current]) renderResult();
}

// ------------------------------------------------------------------ results
const CARDS = [
  ["service_level", "Service level", "up"], ["abandon_rate", "Abandoned", "down"], ["asa_s", "Average speed of answer", "down"],
  ["occupancy", "Occupancy", null], ["answered", "Answered", "up"], ["mean_queue", "Mean queue", "down"],
  ["wait_answered_p90_s", "90 % of answered waited at most", "down"],  // from result.waits
];
// A card's KPI: centre-wide from `kpis`, or a waiting-time KPI from `waits.ALL`.
const cardKpi = (result, kpi) => result.kpis[kpi] || (result.waits && result.waits.ALL ? result.waits.ALL[kpi] : undefined);

function delta(kpi, now, then, better) {
  if (!isNum(now) || !isNum(then)) return null;
  const d = now - then;
  const text = SHARE.has(kpi) ? `${d >= 0 ? "+" : ""}${(100 * d).toFixed(1)} pt` : `${d >= 0 ? "+" : ""}${kpi.endsWith("_s") ? d.toFixed(1) + " s" : Math.abs(d) < 10 ? d.toFixed(2) : Math.round(d).toLocaleString("en")}`;
  const kind = Math.abs(d) < 1e-12 || !better ? "same" : (d > 0) === (better === "up") ? "good" : "bad";
  return el("div", { class: `delta ${kind}` }, `${text} vs base`);
}

function card(label, value, ci, deltaNode, attrs = {}) {
  return el("div", { class: "card", ...attrs }, el("div", { class: "label" }, label), el("div", { class: "value" }, value),
    el("div", { class: "ci" }, ci), deltaNode);
}

function kpiCards(result, baseResult) {
  const cards = el("div", { class: "cards", id: "kpi-cards" });
  for (const [kpi, label, better] of CARDS) {
    const k = cardKpi(result, kpi);
    if (!k) continue;
    const ci = k.ci95[0] === null ? "" : `95 % CI ${fmtKpi(kpi, k.ci95[0])} – ${fmtKpi(kpi, k.ci95[1])}`;
    const then = baseResult ? cardKpi(baseResult, kpi) : undefined;
    const before = then ? then.mean : null;
    cards.append(card(label, fmtKpi(kpi, k.mean), ci, baseResult ? delta(kpi, k.mean, before, better) : null, { "data-kpi": kpi }));
  }
  if (result.costs && result.costs.total) {
    const c = result.costs.total;
    const before = baseResult && baseResult.costs ? baseResult.costs.total.per_day : null;
    const d = baseResult && isNum(before) ? el("div", { class: `delta ${Math.abs(c.per_day - before) < 0.5 ? "same" : c.per_day < before ? "good" : "bad"}` },
      `${c.per_day >= before ? "+" : ""}${money(c.per_day - before)} vs base`) : null;
    cards.append(card(`Cost per day (${result.currency || ""})`, money(c.per_day), `95 % CI ${money(c.ci95[0])} – ${money(c.ci95[1])}`, d, { "data-kpi": "cost_per_day" }));
  }
  return cards;
}

function typeTable(result) {
  const rows = Object.entries(result.by_type).map(([name, k]) => el("tr", {},
    el("td", { class: "l" }, name), el("td", {}, count(k.offered.mean)),
    el("td", {}, `${pct(k.service_level.mean)} [${pct(k.service_level.ci95[0])}, ${pct(k.service_level.ci95[1])}]`),
    el("td", {}, pct(result.targets[name].target, 0)), el("td", {}, pct(k.abandon_rate.mean)), el("td", {}, secs(k.asa_s.mean)),
    el("td", {}, secs(k.aht_s.mean))));
  return el("table", { class: "data" }, el("thead", {}, el("tr", {}, ["type", "offered", "service level [95 % CI]", "target", "abandoned", "ASA", "AHT"].map((h, i) => el("th", { class: i ? "" : "l" }, h)))), el("tbody", {}, rows));
}

function downloads(id, files) {
  return el("div", { class: "downloads" }, el("span", { class: "muted" }, "Download:"),
    files.map((f) => el("a", { href: `/api/runs/${id}/files/${f}`, download: "", "data-file": f }, f)));
}

function renderResult() {
  const v = state.variants[state.current];
  const root = $("#result");
  root.replaceChildren();
  delete root.dataset.charts;
  delete root.dataset.run;
  if (!v.run) {
    root.append(el("p", { class: "muted" }, v === state.variants[0] ? "Run the base to see its KPIs, or change a lever." : "Run this variant to see its KPIs."));
    return;
  }
  const { result, id } = v.run;
  root.dataset.run = id;  // which run is shown (two runs may read alike)
  const baseRun = state.variants[0].run;
  const comparable = v !== state.variants[0] && baseRun && baseRun.result.replications === result.replications && baseRun.result.seed === result.seed;
  root.append(el("div", { class: "run-meta", id: "run-meta" }, `${v.name}: ${result.replications} replications, seed ${result.seed}, engine ${result.engine}, ${count(result.contacts_simulated)} contacts simulated in ${v.run.elapsed.toFixed(2)} s`));
  root.append(kpiCards(result, comparable ? baseRun.result : null));
  for (const w of result.warnings) root.append(el("p", { class: "warn" }, `⚠ ${w}`));
  root.append(typeTable(result));
  root.append(downloads(id, ["report.html", "intervals.csv", "summary.json", "scenario.yaml"]));
  const charts = el("div", { class: "charts" }, ["sl", "queue", "abandon", "occupancy", "staffed"].map((c) => el("div", { class: "chart", id: `chart-${c}` })));
  root.append(charts);
  drawCharts(v);
}

async function drawCharts(v) {
  const run = v.run;
  try {
    if (!run.charts) run.charts = await api("GET", `/api/runs/${run.id}/charts`);
    const Plotly = await loadPlotly();
    if (v.run !== run || v !== state.variants[state.current]) return;
    const c = run.charts, x = c.labels, targets = run.result.targets;
    const types = Object.keys(c.types).filter((t) => t !== "ALL");
    const layout = (title, ytitle, percent) => ({
      title: { text: title, font: { size: 14 } }, margin: { l: 55, r: 10, t: 36, b: 40 }, height: 300,
      yaxis: { title: { text: ytitle }, tickformat: percent ? ".0%" : undefined, rangemode: "tozero" }, legend: { orientation: "h", y: -0.25 }, hovermode: "x unified",
      xaxis: { nticks: 24, tickangle: -45, automargin: true },
    });
    const band = (series, color, name, group) => [
      { x, y: series.high, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: group },
      { x, y: series.low, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: color + "33", hoverinfo: "skip", showlegend: false, legendgroup: group },
      { x, y: series.mean, mode: "lines+markers", marker: { size: 4 }, line: { color, width: 2 }, name, legendgroup: group },
    ];
    const config = { displaylogo: false, responsive: true };
    const sl = [];
    types.forEach((t, i) => {
      sl.push(...band(c.types[t].service_level, COLORS[i % 10], t, t));
      sl.push({ x, y: x.map(() => targets[t].target), mode: "lines", line: { color: COLORS[i % 10], dash: "dash", width: 1.2 }, name: `${t} target`, legendgroup: t, hoverinfo: "skip" });
    });
    const lows = types.flatMap((t) => c.types[t].service_level.low.filter(isNum)).concat(types.map((t) => targets[t].target));
    const slLayout = layout("Service level by interval against target (95 % band)", "answered within threshold", true);
    slLayout.yaxis.range = [Math.max(0, Math.floor(10 * Math.min(...lows)) / 10 - 0.05), 1.02];  // zoom in on the data
    Plotly.react("chart-sl", sl, slLayout, config);
    Plotly.react("chart-queue", types.flatMap((t, i) => band(c.types[t].mean_queue, COLORS[i % 10], t, t)), layout("Mean queue by interval", "contacts waiting"), config);
    Plotly.react("chart-abandon", types.flatMap((t, i) => band(c.types[t].abandon_rate, COLORS[i % 10], t, t)), layout("Abandonment by interval", "abandoned / offered", true), config);
    const groups = Object.keys(c.groups);
    Plotly.react("chart-occupancy", groups.flatMap((g, i) => band(c.groups[g].occupancy, COLORS[(i + 3) % 10], g, g)), layout("Occupancy by interval", "busy / staffed time", true), config);
    Plotly.react("chart-staffed", groups.map((g, i) => ({ x, y: c.groups[g].staffed, type: "bar", name: g, marker: { color: COLORS[(i + 3) % 10] } })),
      { ...layout("Staffed agents by interval (on the phones: breaks and activities excluded)", "agents"), barmode: "stack" }, config);
    $("#result").dataset.charts = "1";
  } catch (e) {
    showError("#run-error", `Charts: ${e.message}`);
  }
}

// ------------------------------------------------------------------- centre
function renderCentre() {
  const g = state.base, root = $("#centre");
  root.replaceChildren();
  if (!g) return;
  const h = g.horizon;
  const minutes = h.interval_s / 60;
  root.append(el("h2", {}, g.name), g.description ? el("p", {}, g.description) : null);
  const cards = el("div", { class: "glance-cards" },
    card("Day", `${h.start} + ${h.intervals} × ${minutes} min`, h.days ? `${h.days.length} days: ${h.days.join(", ")}` : (h.warmup_s ? `warm-up ${h.warmup_s} s` : ""), null),
    card("Contacts per day", count(g.types.reduce((s, t) => s + t.per_day, 0) / (h.days ? h.days.length : 1)), `${g.types.length} types`, null),
    card("Agent groups", g.groups.length, g.groups.map((x) => x.name).join(", "), null),
    card("Trunk lines", g.lines ?? "unlimited", "", null),
    card("IVR", g.ivr ? `${g.ivr.time_mean_s.toFixed(0)} s` : "none", g.ivr ? `ports: ${g.ivr.ports ?? "unlimited"}` : "", null),
    card("Costs", g.costs ? g.costs.currency : "none", g.costs ? `wage ${g.costs.hourly_wage}/h, ${g.costs.working_days_per_year} days a year` : "no cost model", null));
  root.append(cards);
  root.append(el("h3", {}, "Contact types"));
  root.append(el("table", { class: "data", id: "glance-types" },
    el("thead", {}, el("tr", {}, ["type", "channel", "per day", "peak / hour", "AHT", "wrap-up", "patience", "target", "IVR self-service", "routing (in order)"].map((x, i) => el("th", { class: i === 0 || i === 9 ? "l" : "" }, x)))),
    el("tbody", {}, g.types.map((t) => el("tr", {}, el("td", { class: "l" }, t.name), el("td", {}, t.channel), el("td", {}, count(t.per_day)),
      el("td", {}, count(Math.max(...t.rate_per_hour))), el("td", {}, secs(t.handle_mean_s.reduce((a, b) => a + b, 0) / t.handle_mean_s.length)),
      el("td", {}, t.wrap_up_s === null ? "–" : secs(t.wrap_up_s)), el("td", {}, t.patience_s === null ? "never abandons" : secs(t.patience_s)),
      el("td", {}, `${pct(t.sl_target, 0)} in ${t.sl_threshold_s} s`), el("td", {}, t.deflection === null ? "–" : pct(t.deflection, 0)),
      el("td", { class: "l" }, t.groups.join(" → ")))))));
  root.append(el("h3", {}, "Agent groups"));
  root.append(el("table", { class: "data", id: "glance-groups" },
    el("thead", {}, el("tr", {}, ["group", "skills", "staffing", "policy", "speed", "absence"].map((x, i) => el("th", { class: i < 3 ? "l" : "" }, x)))),
    el("tbody", {}, g.groups.map((grp) => el("tr", {}, el("td", { class: "l" }, grp.name), el("td", { class: "l" }, grp.skills.join(", ")),
      el("td", { class: "l" }, grp.staffing ? `per interval: ${Math.min(...grp.staffing)}–${Math.max(...grp.staffing)} agents` : grp.shifts.map((s) => `${s.agents} × ${s.start}–${s.end}`).join("; ")),
      el("td", {}, grp.policy), el("td", {}, grp.speed), el("td", {}, pct(grp.absence, 0)))))));
  root.append(el("div", { class: "chart", id: "chart-arrivals" }));
  loadPlotly().then((Plotly) => {
    Plotly.react("chart-arrivals", g.types.map((t, i) => ({ x: g.labels, y: t.rate_per_hour, type: "bar", name: t.name, marker: { color: COLORS[i % 10] } })),
      { title: { text: "Arrivals per hour by interval (before the IVR)", font: { size: 14 } }, barmode: "stack", height: 300, margin: { l: 55, r: 10, t: 36, b: 40 }, legend: { orientation: "h", y: -0.2 } },
      { displaylogo: false, responsive: true });
  }).catch(() => {});
}

// ------------------------------------------------------------------ compare
function renderCompareChoice() {
  const box = $("#compare-choice");
  box.replaceChildren();
  if (state.variants.length < 2) { box.append(el("p", { class: "muted" }, "Make a variant first: change a lever on the What-if tab.")); return; }
  box.append(el("span", { class: "muted" }, "base and"));
  state.variants.slice(1).forEach((v) => box.append(el("label", { class: "check" }, el("input", { type: "checkbox", checked: true, "data-compare": v.name }), v.name)));
}

function chosenVariants() {
  const chosen = new Set($$("#compare-choice input:checked").map((x) => x.dataset.compare));
  return state.variants.slice(1).filter((v) => chosen.has(v.name)).map(({ name, description, changes, costs }) => ({ name, description, changes, costs }));
}

async function runCompare() {
  const variants = chosenVariants();
  const body = { kind: "compare", path: state.path, variants, replications: parseInt($("#compare-replications").value, 10), seed: parseInt($("#seed").value, 10) };
  const run = await track("compare", body, "replications");
  if (run) renderComparison(run);
}

function renderComparison(run) {
  const data = run.result, root = $("#compare-result");
  root.replaceChildren();
  const names = data.order;
  root.append(el("p", { class: "run-meta" }, `${data.replications} paired replications per option, seed ${data.seed}, engine ${data.engine}; ${run.elapsed_s.toFixed(1)} s. Difference to the base with its 95 % interval; bold: significant (the interval excludes 0).`));
  const better = { service_level: "up", answered: "up", abandon_rate: "down", asa_s: "down", mean_wait_s: "down", p_wait: "down", block_rate: "down", abandoned: "down" };
  const head = el("tr", {}, el("th", { class: "l" }, "KPI"), el("th", {}, "base"), names.map((n) => el("th", {}, n)));
  const rows = data.compared_kpis.map((kpi) => el("tr", {}, el("td", { class: "l" }, kpi), el("td", {}, fmtKpi(kpi, data.kpis[kpi] ? data.kpis[kpi].mean : null)),
    names.map((n) => {
      const d = data.options[n].difference[kpi];
      const scale = SHARE.has(kpi) ? 100 : 1, unit = SHARE.has(kpi) ? " pt" : "";
      const f = (x) => (isNum(x) ? `${x * scale >= 0 ? "+" : ""}${(x * scale).toFixed(2)}` : "–");
      const kind = !d.significant || !better[kpi] ? "" : (d.mean > 0) === (better[kpi] === "up") ? "good" : "bad";
      return el("td", { class: `${d.significant ? "sig" : ""} ${kind}`, "data-diff": `${n}:${kpi}` }, `${f(d.mean)}${unit} [${f(d.ci95[0])}, ${f(d.ci95[1])}]`);
    })));
  root.append(el("table", { class: "data", id: "compare-table" }, el("thead", {}, head), el("tbody", {}, rows)));
  const narrowing = names.map((n) => data.options[n].difference.service_level.narrowing).filter(isNum);
  if (narrowing.length) root.append(el("p", { class: "muted" }, `Pairing narrows the service-level intervals ${Math.min(...narrowing).toFixed(1)}–${Math.max(...narrowing).toFixed(1)}× compared with independent runs.`));
  const withFinance = names.filter((n) => data.options[n].finance);
  if (withFinance.length) {
    root.append(el("h3", {}, `Business case against the base (${data.currency}; 3 years, 8 % discount)`));
    const cols = [["saving_per_day", "saving / day"], ["saving_ci95", "95 % CI"], ["saving_per_year", "saving / year"], ["investment", "investment"], ["recurring_per_year", "recurring / year"], ["payback_months", "payback (months)"], ["roi", "ROI"], ["npv", "NPV"]];
    root.append(el("table", { class: "data", id: "finance-table" }, el("thead", {}, el("tr", {}, el("th", { class: "l" }, "option"), cols.map(([, h]) => el("th", {}, h)))),
      el("tbody", {}, withFinance.map((n) => { const f = data.options[n].finance; return el("tr", {}, el("td", { class: "l" }, n), cols.map(([k]) => el("td", {},
        k === "saving_ci95" ? `${money(f[k][0])} – ${money(f[k][1])}` : k === "roi" ? (isNum(f[k]) ? `${Math.round(100 * f[k])} %` : "–") : k === "payback_months" ? (f[k] === null ? "never" : f[k].toFixed(1)) : money(f[k])))); }))));
  }
  root.append(downloads(run.id, ["report.html", "comparison.json", "differences.csv", ...(withFinance.length ? ["finance.csv"] : [])]));
  root.append(el("div", { class: "chart", id: "chart-forest", style: "min-height: 0" }));
  loadPlotly().then((Plotly) => {
    const panels = [["service_level", "service level (pt)"], ["abandon_rate", "abandoned (pt)"]];
    const layout = {
      title: { text: "Paired differences to the base with 95 % intervals", font: { size: 14 } }, height: 150 + 40 * names.length,
      margin: { l: 110, r: 10, t: 40, b: 50 }, showlegend: false, grid: { rows: 1, columns: 2, pattern: "independent" },
    };
    const traces = panels.map(([kpi, label], i) => {
      const d = names.map((n) => data.options[n].difference[kpi]);
      const lo = d.map((x) => 100 * x.ci95[0]), hi = d.map((x) => 100 * x.ci95[1]);
      const span = Math.max(...hi.map(Math.abs), ...lo.map(Math.abs), 0.01) * 1.15;  // keep 0 in view
      layout[i ? "xaxis2" : "xaxis"] = { title: { text: label }, range: [Math.min(0, ...lo) < 0 ? -span : -0.1 * span, Math.max(0, ...hi) > 0 ? span : 0.1 * span], zeroline: true, zerolinecolor: "#888", zerolinewidth: 1.5 };
      layout[i ? "yaxis2" : "yaxis"] = { showticklabels: i === 0, automargin: true };
      return {
        type: "scatter", mode: "markers", name: label, y: names, x: d.map((x) => 100 * x.mean), xaxis: i ? "x2" : "x", yaxis: i ? "y2" : "y",
        error_x: { type: "data", symmetric: false, array: d.map((x, k) => hi[k] - 100 * x.mean), arrayminus: d.map((x, k) => 100 * x.mean - lo[k]), thickness: 2, width: 6 },
        marker: { size: 10, color: COLORS[i] }, hovertemplate: "%{y}: %{x:+.2f} pt<extra></extra>",
      };
    });
    Plotly.react("chart-forest", traces, layout, { displaylogo: false, responsive: true });
  }).catch(() => {});
}

// ----------------------------------------------------------------- staffing
async function runStaff() {
  const v = state.variants[state.current];
  const ceiling = $("#staff-abandon").value;
  const body = { kind: "staff", path: state.path, changes: v.changes, replications: parseInt($("#staff-replications").value, 10), seed: parseInt($("#seed").value, 10), max_abandon: ceiling === "" ? null : parseFloat(ceiling) / 100 };
  const run = await track("staff", body, "simulations (at most)");
  if (!run) return;
  const data = run.result, root = $("#staff-result");
  root.replaceChildren();
  root.append(el("p", { class: data.met ? "" : "warn", id: "staff-summary" }, data.met
    ? `Every target met in every interval with ${data.evaluations} simulations (${run.elapsed_s.toFixed(1)} s), starting from ${v.name}.`
    : `The targets could not be met everywhere within ${data.evaluations} simulations; the best staffing found is shown.`));
  const groups = Object.keys(data.staffing);
  root.append(el("button", { class: "primary", id: "staff-use", onclick: () => { addVariant(state.current, data.changes, "staffed").then(() => selectTab("whatif")); } }, "Make a variant of this staffing"));
  root.append(kpiCards(data, null));
  root.append(el("div", { class: "grid-wrap" }, el("table", { class: "data" },
    el("thead", {}, el("tr", {}, el("th", { class: "l" }, "start"), groups.flatMap((g) => [el("th", {}, `${g} Erlang A`), el("th", {}, `${g} found`)]))),
    el("tbody", {}, data.labels.map((label, k) => el("tr", {}, el("td", { class: "l" }, label), groups.flatMap((g) => [el("td", { class: "muted" }, data.start[g][k]), el("td", {}, data.staffing[g][k])])))))));
  root.append(downloads(run.id, ["scenario.yaml", "report.html", "intervals.csv", "summary.json"]));
}

// --------------------------------------------------------------------- save
async function postWithOverwrite(url, body) {
  try { return await api("POST", url, body); }
  catch (e) {
    if (e.status === 400 && /exists already/.test(e.message) && confirm(`${body.to || body.name} exists already. Replace it?`)) {
      return api("POST", url, { ...body, overwrite: true });
    }
    throw e;
  }
}

const stem = () => state.path.replace(/\.ya?ml$/i, "");
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-|-$/g, "");

async function saveScenario() {
  const v = state.variants[state.current];
  const to = prompt("Save this variant as the scenario file (in the folder):", `${stem()}-${slug(v.name)}.yaml`);
  if (!to) return;
  try { const data = await postWithOverwrite("/api/save/scenario", { path: state.path, changes: v.changes, to }); showMessage(`${data.message}. Run it with: ccsim run ${data.path}`, "ok"); loadFiles(); }
  catch (e) { showMessage(e.message, "bad"); }
}

async function saveOptions() {
  const variants = state.variants.slice(1).map(({ name, description, changes, costs }) => ({ name, description, changes, costs }));
  if (!variants.length) { showMessage("no variant to save: change a lever first", "bad"); return; }
  const to = prompt("Save the variants as the options file (in the folder):", `${stem()}-whatif.options.yaml`);
  if (!to) return;
  try { const data = await postWithOverwrite("/api/save/options", { path: state.path, variants, to }); showMessage(`${data.message}. Compare them with: ccsim compare ${data.path}`, "ok"); loadFiles(); }
  catch (e) { showMessage(e.message, "bad"); }
}

// -------------------------------------------------------------- YAML, upload
async function validateText() {
  const box = $("#yaml-message");
  try {
    const data = await api("POST", "/api/validate", { name: state.path || "scenario.yaml", text: $("#yaml-text").value });
    box.textContent = data.message; box.className = `validation ${data.valid ? "ok" : "bad"}`;
  } catch (e) { box.textContent = e.message; box.className = "validation bad"; }
  box.hidden = false;
}

async function saveText() {
  const name = prompt("Save the scenario file as (in the folder):", state.path || "scenario.yaml");
  if (!name) return;
  const box = $("#yaml-message");
  try {
    const data = await postWithOverwrite("/api/upload", { name, text: $("#yaml-text").value });
    await loadFiles(); await openFile(data.path);
    showMessage(data.message, "ok");
  } catch (e) { box.textContent = e.message; box.className = "validation bad"; box.hidden = false; }
}

async function uploadFile(file) {
  if (!file) return;
  const text = await file.text();
  try {
    const data = await postWithOverwrite("/api/upload", { name: file.name, text });
    await loadFiles(); await openFile(data.path);
    showMessage(`uploaded: ${data.message}`, "ok");
  } catch (e) {
    showMessage(`${file.name} was not uploaded:\n${e.message}`, "bad");
  }
}

// --------------------------------------------------------------------- tabs
function selectTab(name) {
  $$(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  $$(".tab").forEach((p) => { p.hidden = p.dataset.panel !== name; });
  if (window.Plotly) $$(`.tab[data-panel="${name}"] .js-plotly-plot`).forEach((node) => window.Plotly.Plots.resize(node));
}

async function start() {
  $$(".tabs button").forEach((b) => b.addEventListener("click", () => selectTab(b.dataset.tab)));
  $("#run").addEventListener("click", runSimulation);
  $("#compare-run").addEventListener("click", runCompare);
  $("#staff-run").addEventListener("click", runStaff);
  $("#save-options").addEventListener("click", saveOptions);
  $("#yaml-validate").addEventListener("click", validateText);
  $("#yaml-save").addEventListener("click", saveText);
  $("#upload").addEventListener("change", (e) => { uploadFile(e.target.files[0]); e.target.value = ""; });
  try {
    const files = loadFiles();  // both at once
    state.info = await api("GET", "/api/info");
    $("#folder").textContent = `folder ${state.info.folder}`;
    $("#replications").value = state.info.replications; $("#compare-replications").value = state.info.replications; $("#seed").value = state.info.seed;
    await files;
  } catch (e) { showMessage(`The app did not start: ${e.message}`, "bad"); }
  setTimeout(() => loadPlotly().catch(() => {}), 0);  // charts ready by the first run
  const wanted = new URLSearchParams(location.search).get("open");
  if (wanted) openFile(wanted);
}

start();
