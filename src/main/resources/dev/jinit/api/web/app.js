// jinit's status page: plain JS, no framework, no CDN (it must work inside an offline VM).
// Unit states change live from the /api/v1/events WebSocket (the manager's stream of changes);
// CPU and memory are samples, so they are re-read every few seconds. Every value from jinit is
// put in the page with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
const MAX_LOG_LINES = 2000;
const RESOURCE_REFRESH_MS = 5000;

let units = new Map();      // name -> unit object from the API
let refreshTimer = null;
let eventsSocket = null;
let logSocket = null;

async function api(path, options = {}) {
  const r = await fetch(path, { credentials: "same-origin", ...options });
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  if (r.status === 401) { showLogin(); throw new Error("login required"); }
  if (!r.ok) throw new Error(body && body.error ? body.error.message : r.status + " " + r.statusText);
  return body;
}

function showLogin() {
  $("app").hidden = true;
  $("login").hidden = false;
  $("token").focus();
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  const r = await fetch("/login", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "token=" + encodeURIComponent($("token").value),
  });
  if (r.ok) { $("token").value = ""; start(); return; }
  let msg = r.status + "";
  try { msg = (await r.json()).error.message; } catch (e) { /* keep the status */ }
  $("login-error").textContent = msg;
});

// ---- formatting

function duration(seconds) {
  if (seconds == null || seconds < 0) return "";
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600),
        m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
  if (d) return d + "d " + h + "h";
  if (h) return h + "h " + m + "m";
  if (m) return m + "m " + s + "s";
  return s + "s";
}

function bytes(n) {
  if (n == null || n < 0) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}

function cpu(seconds) {
  if (seconds == null || seconds < 0) return "";
  return seconds < 60 ? seconds.toFixed(2) + " s" : duration(seconds);
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// ---- system panel

async function loadSystem() {
  const s = await api("/api/v1/system");
  $("host").textContent = s.hostname || "";
  document.title = "jinit · " + (s.hostname || "");
  const facts = [
    ["Kernel", s.kernel ? [s.kernel.name, s.kernel.release, s.kernel.machine].filter(Boolean).join(" ") : ""],
    ["Uptime", duration(s.uptime_seconds)],
    ["Load", s.load ? s.load.map((x) => x.toFixed(2)).join(" ") : ""],
    ["Memory", s.memory && s.memory.total_bytes ? bytes(s.memory.total_bytes - s.memory.available_bytes) + " used of " + bytes(s.memory.total_bytes) : ""],
    ["Addresses", (s.addresses || []).map((a) => a.interface + " " + a.addresses.join(", ")).join(" · ")],
    ["jinit", s.jinit ? s.jinit.version + " (" + s.jinit.mode + " mode, pid " + s.jinit.pid + ", up " + duration(s.jinit.uptime_seconds) + ")" : ""],
  ];
  const dl = $("system-facts");
  dl.replaceChildren();
  for (const [k, v] of facts) { dl.append(el("dt", k), el("dd", v)); }
}

// ---- units table

async function loadUnits() {
  const doc = await api("/api/v1/units?resources=1");
  units = new Map(doc.units.map((u) => [u.name, u]));
  render();
}

function render() {
  const tbody = $("units").querySelector("tbody");
  const rows = [];
  const now = Date.now();
  for (const u of units.values()) {
    const tr = document.createElement("tr");
    tr.dataset.unit = u.name;
    const name = el("td", null);
    name.append(el("strong", u.name));
    if (u.description) name.append(el("span", u.description, "desc"));
    const state = el("td", u.active + " (" + u.sub + ")", "state " + u.active);
    state.dataset.label = "State";
    const running = (u.active === "active" || u.active === "reloading") && u.since;
    const cells = [
      name, state,
      cell("PID", u.pid ? String(u.pid) : ""),
      cell("Uptime", running ? duration((now - Date.parse(u.since)) / 1000) : ""),
      cell("Restarts", String(u.restarts)),
      cell("CPU", cpu(u.cpu_seconds)),
      cell("Memory", bytes(u.memory_bytes)),
    ];
    const actions = el("td", null, "actions");
    for (const a of ["start", "stop", "restart", "reload"]) {
      const b = el("button", a);
      b.type = "button";
      b.dataset.action = a;
      b.addEventListener("click", () => act(u.name, a, b));
      actions.append(b);
    }
    cells.push(actions);
    tr.append(...cells);
    rows.push(tr);
  }
  tbody.replaceChildren(...rows);
  $("unit-count").textContent = "(" + units.size + ")";
  const select = $("log-unit");
  const chosen = select.value;
  const options = [el("option", "all units")];
  options[0].value = "";
  for (const name of units.keys()) { const o = el("option", name); o.value = name; options.push(o); }
  select.replaceChildren(...options);
  select.value = chosen;
}

function cell(label, text) {
  const td = el("td", text, "num");
  td.dataset.label = label;
  return td;
}

async function act(unit, action, button) {
  $("action-error").textContent = "";
  button.disabled = true;
  try {
    await api("/api/v1/units/" + encodeURIComponent(unit) + "/" + action, { method: "POST" });
  } catch (e) {
    $("action-error").textContent = unit + ": " + action + " failed: " + e.message;
  } finally {
    button.disabled = false;
    scheduleRefresh(0);
  }
}

function scheduleRefresh(delay) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => loadUnits().catch(() => {}), delay);
}

// ---- live state changes

function connectEvents() {
  if (eventsSocket) eventsSocket.close();
  const ws = new WebSocket(wsBase + "/api/v1/events");
  eventsSocket = ws;
  ws.onopen = () => { setLive(true); scheduleRefresh(0); };
  ws.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === "transition") {
      const u = units.get(e.unit);
      if (u) {
        u.active = e.active; u.sub = e.sub; u.since = e.time;
        render();
      }
      scheduleRefresh(300); // pid, restarts and the rest follow from one read after a burst of changes
    } else if (e.type === "gap") {
      scheduleRefresh(0);
    }
  };
  ws.onclose = () => {
    if (eventsSocket !== ws) return;
    setLive(false);
    setTimeout(connectEvents, 2000);
  };
}

function setLive(on) {
  const b = $("live");
  b.textContent = on ? "live" : "offline";
  b.className = "badge " + (on ? "on" : "off");
}

// ---- log viewer

function followLogs() {
  if (logSocket) { const old = logSocket; logSocket = null; old.close(); }
  const unit = $("log-unit").value;
  const path = unit ? "/api/v1/units/" + encodeURIComponent(unit) + "/logs/follow" : "/api/v1/logs/follow";
  const ws = new WebSocket(wsBase + path + "?lines=200");
  logSocket = ws;
  $("log").replaceChildren();
  ws.onmessage = (m) => appendLog(JSON.parse(m.data), !unit);
  ws.onclose = (ev) => {
    if (logSocket !== ws) return;
    appendLog({ time: new Date().toISOString(), unit: "jinit", stream: "jinit",
                text: "log stream closed" + (ev.reason ? ": " + ev.reason : "") + "; reconnecting" }, true);
    setTimeout(() => { if (logSocket === ws) followLogs(); }, 3000);
  };
}

function appendLog(line, showUnit) {
  const pre = $("log");
  const row = el("div", null, line.stream);
  row.append(el("span", line.time.substring(11, 23) + " ", "t"));
  if (showUnit) row.append(el("span", line.unit + " ", "u"));
  row.append(document.createTextNode(line.text));
  pre.append(row);
  while (pre.childElementCount > MAX_LOG_LINES) pre.firstElementChild.remove();
  if ($("log-scroll").checked) pre.scrollTop = pre.scrollHeight;
}

$("log-unit").addEventListener("change", followLogs);
$("log-clear").addEventListener("click", () => $("log").replaceChildren());

// ---- start

let started = false;

async function start() {
  try {
    await loadSystem();
  } catch (e) {
    return; // showLogin() was called for a 401; other errors leave the page as it is
  }
  $("login").hidden = true;
  $("app").hidden = false;
  if (started) return;
  started = true;
  await loadUnits();
  connectEvents();
  followLogs();
  setInterval(() => { if (!document.hidden) loadUnits().catch(() => {}); }, RESOURCE_REFRESH_MS);
  setInterval(() => { if (!document.hidden) loadSystem().catch(() => {}); }, 30000);
}

start();
