// tierprice deal desk: a view on the JSON of `tierprice check` and `tierprice solve`.
"use strict";

const state = {
  info: null, source: null, describe: null, variant: "",
  fixes: {},      // category -> "tier@price" (the CLI's --fix CATEGORY=TIER@PRICE)
  sets: {},       // path -> value (the scenario overrides the diagnosis's `apply` names)
  output: null, command: null, run: null, job: null,
  lastDeal: null, // the categories of the last solved deal (shown greyed when a check fails)
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") node.addEventListener("click", v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const kid of kids) node.append(kid);
  return node;
};

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json();
  return { status: response.status, data };
}

function money(value, currency) {
  if (value === null || value === undefined) return "–";
  return `${value.toLocaleString("en", { maximumFractionDigits: 0 })} ${currency || ""}`.trim();
}
const pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);
const num = (v, d = 1) => (v === null || v === undefined ? "–" : v.toFixed(d));

function sourceBody() {
  const body = { ...state.source };
  if (state.variant) body.variant = state.variant;
  return body;
}

function requestBody() {
  const body = sourceBody();
  body.fix = Object.entries(state.fixes).map(([c, q]) => `${c}=${q}`);
  body.set = { ...state.sets };
  return body;
}

function showError(data, where = "error") {
  const box = $(where);
  if (!data) { box.classList.add("hidden"); box.textContent = ""; return; }
  const lines = data.problems && data.problems.length ? data.problems : [data.error];
  box.textContent = lines.join("\n");
  box.classList.remove("hidden");
}

async function loadInfo() {
  const { data } = await api("GET", "/api/info");
  state.info = data;
  $("version").textContent = `version ${data.version}`;
  const select = $("scenario-select");
  select.replaceChildren(...data.scenarios.map((f) => el("option", { value: f, text: f })));
  $("folder-note").textContent = data.scenarios.length
    ? `${data.scenarios.length} scenarios in ${data.folder}`
    : `No scenario file in ${data.folder}: upload one.`;
  await loadRuns();
}

async function readUpload() {
  const file = $("upload").files[0];
  if (!file) return null;
  return { upload: { name: file.name, text: await file.text() } };
}

async function openScenario() {
  const upload = await readUpload();
  const source = upload || { scenario: $("scenario-select").value };
  const variant = $("variant-select").value;
  const changed = JSON.stringify(source) !== JSON.stringify(state.source);
  const { status, data } = await api("POST", "/api/scenario", { ...source, variant: variant || null });
  showError(null, "open-error");
  if (status !== 200) { showError(data, "open-error"); return; }
  for (const id of ["deal-card"]) $(id).classList.remove("hidden");
  $("diagnosis-card").classList.add("hidden");

  state.source = source; state.describe = data; state.variant = changed ? "" : variant;
  state.fixes = {}; state.sets = {}; state.lastDeal = null; state.output = null; state.run = null;
  $("deal-title").textContent = `— ${data.scenario} (${data.file})`;
  const variants = $("variant-select");
  const keep = state.variant;
  variants.replaceChildren(el("option", { value: "", text: "(none)" }),
    ...data.variants.map((v) => el("option", { value: v, text: v })));
  variants.value = keep;
  renderTable(); renderChanges(); renderDownloads();
  await run("check");
}

function renderVerdict(out) {
  const box = $("verdict");
  const result = state.command === "check" ? out.result : out;
  if (state.command === "check") {
    const ok = out.verdict === "feasible";
    box.className = `verdict ${ok ? "ok" : "bad"}`;
    box.textContent = ok ? `FEASIBLE — ${out.scenario}` : `NOT FEASIBLE — ${out.scenario}`;
  } else {
    const ok = result.totals !== null;
    box.className = `verdict ${ok ? "ok" : "bad"}`;
    box.textContent = `${ok ? "SOLVED" : "NO DEAL"} (${result.status}) — ${result.scenario}`;
  }
  const t = result.totals;
  const figures = $("figures");
  figures.replaceChildren();
  if (!t) return;
  const items = [
    ["margin", money(t.margin, result.currency)], ["margin %", pct(t.margin_pct)],
    ["revenue / month", money(t.revenue, result.currency)],
    ["client cost per contact", num(t.client_cost_per_contact, 3)],
    ["client ROI", pct(t.client_roi)], ["FTE", num(t.fte)],
  ];
  for (const [label, value] of items) figures.append(el("div", { class: "figure" }, el("b", { text: value }), el("span", { text: label })));
}

function tierSelect(cat, current) {
  const select = el("select", { "data-category": cat.name, class: "tier" });
  for (const tier of cat.tiers) select.append(el("option", { value: tier, text: tier }));
  select.value = current || cat.tiers[0];
  select.addEventListener("change", () => holdFromRow(cat.name));
  return select;
}

function holdFromRow(name) {
  const tier = document.querySelector(`select.tier[data-category="${name}"]`).value;
  const price = document.querySelector(`input.price[data-category="${name}"]`).value.trim();
  if (price === "") return;
  state.fixes[name] = `${tier}@${price}`;
  renderChanges(); renderTable();
}

function renderTable() {
  const result = state.output ? (state.command === "check" ? state.output.result : state.output) : null;
  const solved = result && result.categories.length;
  if (solved) state.lastDeal = result.categories;
  const rows = new Map((solved ? result.categories : []).map((c) => [c.name, c]));
  const last = new Map((state.lastDeal || []).map((c) => [c.name, c]));
  $("deal-note").textContent = !solved && state.lastDeal
    ? "No deal with these changes: the tiers and prices shown are the last solved deal's." : "";
  const body = $("deal-table").querySelector("tbody");
  body.replaceChildren();
  for (const cat of state.describe.categories) {
    const r = rows.get(cat.name) || {};
    const base = r.tier ? r : last.get(cat.name) || {};
    const held = state.fixes[cat.name];
    const [heldTier, heldPrice] = held ? held.split("@") : [];
    const price = el("input", { type: "text", class: "price", "data-category": cat.name });
    price.value = held ? heldPrice : (base.price ?? "");
    price.addEventListener("change", () => holdFromRow(cat.name));
    const release = held ? el("button", { class: "small", text: "release", onclick: () => { delete state.fixes[cat.name]; renderChanges(); renderTable(); } }) : "";
    const tag = held ? el("span", { class: "tag", text: "held" }) : "";
    body.append(el("tr", held ? { class: "held", "data-category": cat.name } : { "data-category": cat.name },
      el("td", {}, `${cat.name} `, tag), el("td", { text: cat.pricing_model }),
      el("td", {}, tierSelect(cat, heldTier || base.tier)), el("td", {}, price),
      el("td", { class: "num", text: r.contacts === undefined ? "–" : num(r.contacts, 0) }),
      el("td", { class: "num", text: num(r.fte) }),
      el("td", { class: "num", text: pct(r.service_level) }),
      el("td", { class: "num", text: r.margin === undefined ? "–" : money(r.margin, result.currency) }),
      el("td", {}, release)));
  }
}

function renderChanges() {
  const box = $("changes");
  box.replaceChildren();
  const entries = [
    ...Object.entries(state.fixes).map(([c, q]) => [`quote ${c}=${q}`, () => delete state.fixes[c]]),
    ...Object.entries(state.sets).map(([p, v]) => [`set ${p}=${v}`, () => delete state.sets[p]]),
  ];
  if (!entries.length) { box.append(el("span", { class: "muted", text: "No change to the scenario." })); return; }
  box.append(el("span", { class: "muted", text: "Changes: " }));
  for (const [label, drop] of entries) {
    box.append(el("span", { class: "chip" }, label, el("button", { title: "remove", text: "×", onclick: () => { drop(); renderChanges(); renderTable(); } })));
  }
}

function renderDiagnosis() {
  const out = state.output;
  const list = $("diagnosis");
  const items = out && state.command === "check" ? out.diagnosis : (out && out.diagnosis) || [];
  $("diagnosis-card").classList.toggle("hidden", !items.length);
  list.replaceChildren(...items.map((d, i) => el("li", { "data-index": i },
    el("span", {}, el("span", { class: "kind", text: d.kind }), d.message),
    d.apply ? el("button", { class: "small apply", text: "Apply", onclick: () => applyChange(d.apply) }) : "")));
}

async function applyChange(apply) {
  Object.assign(state.sets, apply.overrides || {});
  Object.assign(state.fixes, apply.fixed || {});
  renderChanges();
  await run("check");
}

function renderDownloads() {
  const box = $("downloads");
  box.replaceChildren();
  const result = state.output ? (state.command === "check" ? state.output.result : state.output) : null;
  if (!state.output || !state.run || !result || !result.totals) return;
  box.append(el("a", { class: "button", id: "workbook-link", href: `/api/runs/${state.run}/workbook.xlsx`, text: "Download workbook" }));
  if (state.info && state.info.quote) box.append(el("a", { class: "button", id: "quote-link", href: `/api/runs/${state.run}/quote`, text: "Download quote" }));
}

function setBusy(busy) {
  for (const id of ["check-button", "solve-button", "open-button", "reset-button"]) $(id).disabled = busy;
  $("progress").classList.toggle("hidden", !busy);
}

async function run(command) {
  showError(null);
  setBusy(true);
  $("figures").replaceChildren();
  $("verdict").className = "verdict none";
  $("verdict").textContent = command === "solve" ? "Solving the deal…" : "Checking the deal…";
  $("progress-fill").style.width = "0";
  const start = await api("POST", "/api/jobs", { command, ...requestBody() });
  if (start.status !== 200) { setBusy(false); showError(start.data); return; }
  state.job = start.data.id;
  let job = start.data;
  while (job.state === "running") {
    const share = Math.min(1, job.elapsed / job.time_limit);
    $("progress-fill").style.width = `${Math.max(2, 100 * share)}%`;
    $("progress-text").textContent = `${job.stage}… ${job.elapsed.toFixed(1)} s (limit ${job.time_limit} s)`;
    await new Promise((r) => setTimeout(r, 250));
    job = (await api("GET", `/api/jobs/${state.job}`)).data;
  }
  setBusy(false);
  finish(command, job);
  await loadRuns();
}

function finish(command, job) {
  if (!job.output) {
    const cancelled = job.state === "cancelled";
    $("verdict").textContent = cancelled ? "Not checked: cancelled." : "Not checked: see the message below.";
    showError(cancelled ? { error: "Cancelled: the solve was stopped." } : job);
    state.output = null; state.run = null;
    renderDiagnosis(); renderDownloads();
    return;
  }
  state.output = job.output; state.command = command; state.run = job.run;
  if (job.notes && job.notes.length) showError({ error: job.notes.join("\n") });
  renderVerdict(job.output); renderTable(); renderChanges(); renderDiagnosis(); renderDownloads();
}

async function loadRuns() {
  const { data } = await api("GET", "/api/runs");
  $("history-card").classList.toggle("hidden", !data.runs.length);
  const body = $("history-table").querySelector("tbody");
  body.replaceChildren(...data.runs.slice().reverse().map((r) => {
    const changes = [...r.fix, ...Object.entries(r.set).map(([p, v]) => `${p}=${v}`)].join(", ") || "–";
    const compare = r.id !== state.run && r.margin !== null && state.run
      ? el("button", { class: "small compare", text: "Compare with current", onclick: () => compareWith(r.id) }) : "";
    return el("tr", { "data-run": r.id }, el("td", { text: r.id }), el("td", { text: r.at }),
      el("td", { text: r.command }), el("td", { text: r.scenario }), el("td", { text: changes }),
      el("td", { text: resultLabel(r) }), el("td", { class: "num", text: money(r.margin, "") }),
      el("td", { class: "num", text: num(r.seconds, 2) }), el("td", {}, compare));
  }));
}

function resultLabel(r) {
  if (r.command === "check" && r.exit_code === 0) return "feasible";
  if (r.command === "check" && r.exit_code === 3) return "not feasible";
  return r.status || r.error;
}

async function compareWith(runId) {
  const { status, data } = await api("GET", `/api/compare?base=${runId}&run=${state.run}`);
  const box = $("comparison");
  box.classList.remove("hidden");
  box.textContent = status === 200 ? `Run ${runId} (first column) against the current run ${state.run}:\n\n${data.text}` : data.error;
}

async function cancel() {
  if (state.job) await api("POST", `/api/jobs/${state.job}/cancel`);
}

$("open-button").addEventListener("click", openScenario);
$("check-button").addEventListener("click", () => run("check"));
$("solve-button").addEventListener("click", () => run("solve"));
$("cancel-button").addEventListener("click", cancel);
$("reset-button").addEventListener("click", () => { state.fixes = {}; state.sets = {}; renderChanges(); renderTable(); });
$("scenario-select").addEventListener("change", () => { $("upload").value = ""; });
loadInfo();
