// Chime dashboard: a small single-page app over /api/v1. No dependencies, no build step.
"use strict";

const API = "/api/v1";
const CHANNELS = ["email", "sms", "webhook"];
const OUTCOMES = ["success", "transient_failure", "permanent_failure", "expired", "refused"];
const STATUSES = ["scheduled", "sending", "sent", "cancelled", "expired", "dead", "suppressed"];
const REFRESH_MS = 5000;

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const view = () => $("#view");

const state = { token: sessionStorage.getItem("chime.token"), me: null, timer: null, seq: 0 };

function esc(v) {
  return String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
const isAdmin = () => state.me && state.me.role === "admin";
const num = (n) => (n == null ? "–" : Number(n).toLocaleString());

function fmtTime(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
function fmtAgo(iso) {
  if (!iso) return "";
  const s = (new Date(iso).getTime() - Date.now()) / 1000;
  const a = Math.abs(s);
  const txt = a < 60 ? `${Math.round(a)} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${(a / 3600).toFixed(1)} h` : `${(a / 86400).toFixed(1)} d`;
  return s >= 0 ? `in ${txt}` : `${txt} ago`;
}
function fmtDuration(sec) {
  if (sec == null) return "–";
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 120) return `${sec.toFixed(1)} s`;
  if (sec < 7200) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}
const fmtMs = (ms) => (ms == null ? "–" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const time = (iso) => (iso ? `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(fmtTime(iso))}</time>` : "–");
const badge = (s) => `<span class="status s-${esc(s)}">${esc(String(s).replace("_", " "))}</span>`;

function toast(msg) {
  const t = $("#toast");
  t.textContent = msg;
  t.classList.add("on");
  clearTimeout(toast.t);
  toast.t = setTimeout(() => t.classList.remove("on"), 3500);
}

class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.field = e.field;
  }
}

async function api(method, path, body) {
  const res = await fetch(API + path, {
    method,
    headers: Object.assign({ Accept: "application/json" }, state.token ? { Authorization: `Bearer ${state.token}` } : {}, body ? { "Content-Type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  if (res.status === 401 && state.token && path !== "/auth/login") {
    signOut("Your session ended; sign in again.");
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---------- sign in ----------

function showLogin(message) {
  $("#nav").hidden = true;
  $("#signout").hidden = true;
  $("#whoami").textContent = "";
  view().innerHTML = "";
  $("#login").hidden = false;
  $("#login-error").textContent = message || "";
  const mode = $("#login-form").mode.value;
  (mode === "key" ? $("#login-key") : $("#login-email")).focus();
}

function signOut(message) {
  state.token = null;
  state.me = null;
  sessionStorage.removeItem("chime.token");
  stopRefresh();
  showLogin(message);
}

async function loadMe() {
  state.me = await api("GET", "/me");
  $("#whoami").textContent = `${state.me.name} · ${state.me.tenant.name} · ${state.me.role}`;
  $("#nav").hidden = false;
  $("#signout").hidden = false;
  $("#login").hidden = true;
  $$("[data-admin]").forEach((el) => (el.hidden = !isAdmin()));
}

async function onLogin(ev) {
  ev.preventDefault();
  const f = ev.target;
  const err = $("#login-error");
  err.textContent = "";
  $("#login-submit").disabled = true;
  try {
    if (f.mode.value === "key") {
      const key = f.key.value.trim();
      if (!key) throw new Error("Enter an API key.");
      state.token = key;
    } else {
      const body = { email: f.email.value.trim(), password: f.password.value };
      if (f.tenant.value.trim()) body.tenant = f.tenant.value.trim();
      const res = await api("POST", "/auth/login", body);
      state.token = res.token;
    }
    await loadMe();
    sessionStorage.setItem("chime.token", state.token);
    f.reset();
    if (!location.hash || location.hash === "#/") location.hash = "#/overview";
    else route();
  } catch (e) {
    state.token = null;
    err.textContent = e.status === 401 ? "Those credentials were not accepted." : e.message;
  } finally {
    $("#login-submit").disabled = false;
  }
}

// ---------- routing ----------

const pages = {
  overview: overviewPage,
  forecast: forecastPage,
  notifications: notificationsPage,
  "dead-letters": deadLettersPage,
  events: eventsPage,
  rules: rulesPage,
  series: seriesPage,
  keys: keysPage,
};

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs] = raw.split("?");
  const parts = path.split("/").filter(Boolean);
  return { parts, params: new URLSearchParams(qs || "") };
}

function stopRefresh() {
  clearInterval(state.timer);
  state.timer = null;
}

// Re-runs `load` every few seconds while the tab is visible and the page is still shown.
function autoRefresh(load) {
  stopRefresh();
  const seq = state.seq;
  state.timer = setInterval(() => {
    if (seq !== state.seq) return stopRefresh();
    if (!document.hidden) load().catch(() => {});
  }, REFRESH_MS);
}

async function route() {
  if (!state.token) return showLogin();
  if (!state.me) {
    try {
      await loadMe();
    } catch (e) {
      return signOut(e.status === 401 ? "Sign in again." : e.message);
    }
  }
  stopRefresh();
  state.seq++;
  const { parts, params } = parseHash();
  const name = parts[0] || "overview";
  $$("#nav a").forEach((a) => (a.dataset.page === name ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current")));
  const page = pages[name];
  if (!page) {
    view().innerHTML = `<div class="card"><h1>Not found</h1><p>No page “${esc(name)}”. <a href="#/overview">Overview</a></p></div>`;
    return;
  }
  try {
    await page(parts.slice(1), params);
  } catch (e) {
    view().innerHTML = `<div class="card"><h1>Could not load this page</h1><p class="error">${esc(e.message)}</p></div>`;
  }
}

// ---------- charts (inline SVG) ----------

// Stacked bars. `items` have `label`, `title`, `href` and a value per key.
function stackedBars(items, keys, opts = {}) {
  // Drawn at the width it is shown at, so its text keeps the page's size.
  const W = Math.max(480, Math.round(($("#view").clientWidth || 900) - 34)), H = opts.height || 220, L = 44, B = 26, T = 10, R = 8;
  const max = Math.max(1, ...items.map((it) => keys.reduce((s, k) => s + (it[k] || 0), 0)));
  const nice = max <= 4 ? 4 : niceMax(max);
  const bw = (W - L - R) / Math.max(1, items.length);
  const y = (v) => T + (H - T - B) * (1 - v / nice);
  let svg = `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.label || "chart")}">`;
  for (let i = 0; i <= 4; i++) {
    const v = (nice * i) / 4;
    svg += `<line class="grid-line" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${esc(shortNum(v))}</text>`;
  }
  const every = Math.ceil(items.length / (opts.maxLabels || 12));
  items.forEach((it, i) => {
    const x = L + i * bw;
    let acc = 0;
    let bars = "";
    keys.forEach((k) => {
      const v = it[k] || 0;
      if (!v) return;
      const y1 = y(acc + v), y0 = y(acc);
      bars += `<rect x="${x + 1}" y="${y1}" width="${Math.max(1, bw - 2)}" height="${Math.max(0.5, y0 - y1)}" fill="var(--${k})"/>`;
      acc += v;
    });
    const hit = `<rect x="${x}" y="${T}" width="${bw}" height="${H - T - B}" fill="transparent"/>`;
    const title = `<title>${esc(it.title)}</title>`;
    svg += it.href
      ? `<a href="${esc(it.href)}" data-start="${esc(it.start || "")}" aria-label="${esc(it.title)}">${title}${hit}${bars}</a>`
      : `<g>${title}${hit}${bars}</g>`;
    if (i % every === 0) svg += `<text x="${x + bw / 2}" y="${H - 8}" text-anchor="middle">${esc(it.label)}</text>`;
  });
  return svg + "</svg>";
}
function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
const shortNum = (v) => (v >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : `${+v.toFixed(1)}`);
const legend = (keys) => `<div class="legend">${keys.map((k) => `<span><i class="sw-${k}"></i>${esc(k.replace("_", " "))}</span>`).join("")}</div>`;
const hhmm = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

// ---------- overview ----------

function stat(label, value, sub, cls = "", id = "") {
  return `<div class="stat ${cls}" ${id ? `id="${id}"` : ""}><div class="label">${esc(label)}</div><div class="value">${value}</div><div class="sub">${sub || "&nbsp;"}</div></div>`;
}

async function overviewPage() {
  view().innerHTML = `<h1>Overview</h1><div id="ov" aria-live="polite"><p class="muted">Loading…</p></div>`;
  const load = async () => {
    const s = await api("GET", "/stats");
    if (!$("#ov")) return;
    const q = s.queues || {};
    const overdue = s.overdue.count;
    const capped = (n) => (n >= s.count_cap ? `${num(n)}+` : num(n));
    const perMinute = s.sends_per_minute.map((m) => Object.assign({ label: hhmm(m.minute), title: `${hhmm(m.minute)}: ${OUTCOMES.map((o) => `${m[o]} ${o.replace("_", " ")}`).join(", ")}` }, m));
    const sentHour = s.sends_per_minute.reduce((a, m) => a + m.success, 0);
    $("#ov").innerHTML = `
      <div class="grid">
        ${stat("Overdue now", capped(overdue), overdue ? `oldest ${fmtDuration(s.overdue.oldest_age_seconds)} late` : "nothing is late", overdue ? "bad" : "good", "stat-overdue")}
        ${stat("Due in the next hour", capped(s.due.next_hour), `${capped(s.due.next_day)} in the next 24 h`, "", "stat-due")}
        ${stat("Delivery lag p50 / p99", `${fmtMs(s.lag.p50_ms)} / ${fmtMs(s.lag.p99_ms)}`, `${num(s.lag.samples)} sends in the last 5 min`, s.lag.p99_ms > 1000 ? "bad" : "", "stat-lag")}
        ${stat("Sent in the last hour", num(sentHour), `${num(s.events_backlog)} events waiting`, "", "stat-sent")}
      </div>
      <div class="row">
        <section class="card"><h2>Notifications by status</h2><div class="pills" id="counts">
          ${STATUSES.map((st) => `<a class="pill" href="#/notifications?status=${st}" data-status="${st}">${badge(st)}<b>${capped(s.counts[st] || 0)}</b></a>`).join("")}
        </div></section>
        <section class="card"><h2>Queues</h2>
          ${q.error ? `<p class="error">${esc(q.error)}</p>` : `<dl class="kv" id="queues">
            <dt>Scheduler leader</dt><dd>${q.leader && q.leader.present ? `<span class="status s-sent">elected</span> <span class="muted">lease ${fmtMs(q.leader.ttl_ms)}</span>` : `<span class="status s-dead">none</span>`}</dd>
            <dt>Schedule</dt><dd>${num(q.schedule)} entries</dd>
            <dt>Ready</dt><dd>${num(q.ready)} entries</dd>
            <dt>Pending (being sent)</dt><dd>${num(q.pending)}</dd>
            <dt>Events backlog</dt><dd>${num(q.events)} queued · ${num(s.events_backlog)} of this tenant not yet handled</dd>
          </dl>`}
        </section>
      </div>
      <section class="card"><h2>Sends per minute, last hour</h2>${legend(OUTCOMES)}
        ${stackedBars(perMinute, OUTCOMES, { label: "Delivery attempts per minute by outcome over the last hour", maxLabels: 12, height: 200 })}
      </section>
      <p class="muted">Updated ${esc(fmtTime(s.generated_at))} · refreshes every ${REFRESH_MS / 1000} s</p>`;
  };
  await load();
  autoRefresh(load);
}

// ---------- forecast ----------

async function forecastPage(_, params) {
  const range = params.get("range") === "7d" ? "7d" : "24h";
  view().innerHTML = `<h1>Forecast</h1>
    <div class="toolbar"><div class="seg" role="group" aria-label="Range">
      <button type="button" data-range="24h" aria-pressed="${range === "24h"}">Next 24 hours</button>
      <button type="button" data-range="7d" aria-pressed="${range === "7d"}">Next 7 days</button></div>
      <span class="muted">Scheduled sends by channel; select a bar to list them.</span></div>
    <div id="fc"><p class="muted">Loading…</p></div>`;
  $$("[data-range]").forEach((b) => b.addEventListener("click", () => (location.hash = `#/forecast?range=${b.dataset.range}`)));
  const load = async () => {
    const s = await api("GET", "/stats");
    if (!$("#fc")) return;
    const width = range === "7d" ? 86400e3 : 3600e3;
    const buckets = (range === "7d" ? s.forecast.daily : s.forecast.hourly).map((b) => {
      const end = new Date(new Date(b.start).getTime() + width).toISOString();
      const label = range === "7d" ? new Date(b.start).toLocaleDateString(undefined, { weekday: "short", day: "numeric" }) : hhmm(b.start);
      return Object.assign({}, b, {
        label,
        title: `${fmtTime(b.start)}: ${b.total} (${CHANNELS.map((c) => `${b[c]} ${c}`).join(", ")})`,
        href: `#/notifications?status=scheduled&sort=send_at&due_after=${encodeURIComponent(b.start)}&due_before=${encodeURIComponent(end)}`,
        end,
      });
    });
    const total = buckets.reduce((a, b) => a + b.total, 0);
    $("#fc").innerHTML = `<section class="card">${legend(CHANNELS)}
      ${stackedBars(buckets, CHANNELS, { label: `Scheduled sends per ${range === "7d" ? "day" : "hour"}`, maxLabels: range === "7d" ? 7 : 12, height: 240 })}
      ${s.forecast.truncated ? `<p class="muted">Only the earliest ${num(200000)} pending sends are counted.</p>` : ""}</section>
      <section class="card"><h2>${num(total)} scheduled in the next ${range === "7d" ? "7 days" : "24 hours"}</h2>
      <table id="forecast-table"><thead><tr><th>From</th>${CHANNELS.map((c) => `<th class="num">${c}</th>`).join("")}<th class="num">Total</th></tr></thead><tbody>
      ${buckets.map((b) => `<tr data-start="${esc(b.start)}" data-total="${b.total}"><td><a href="${esc(b.href)}">${esc(fmtTime(b.start))}</a></td>${CHANNELS.map((c) => `<td class="num">${b[c]}</td>`).join("")}<td class="num">${b.total}</td></tr>`).join("")}
      </tbody></table></section>`;
  };
  await load();
  autoRefresh(load);
}

// ---------- notifications ----------

const FILTER_FIELDS = [
  ["status", "Status", "select", [""].concat(STATUSES)],
  ["channel", "Channel", "select", [""].concat(CHANNELS)],
  ["recipient", "Recipient", "text"],
  ["group_key", "Group key", "text"],
  ["idempotency_key", "Idempotency key", "text"],
  ["event_id", "Event id", "text"],
  ["series_id", "Series id", "text"],
  ["due_after", "Due from", "datetime-local"],
  ["due_before", "Due before", "datetime-local"],
  ["sort", "Sort", "select", ["created_at", "send_at", "-send_at"]],
];
const SORT_LABELS = { created_at: "Newest created", "send_at": "Send time, earliest", "-send_at": "Send time, latest" };

function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return "";
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function filterForm(params, fields, id) {
  return `<form class="card filters" id="${id}" role="search">${fields
    .map(([name, label, type, options]) => {
      const v = params.get(name) || "";
      const input =
        type === "select"
          ? `<select id="f-${name}" name="${name}">${options.map((o) => `<option value="${esc(o)}" ${o === v ? "selected" : ""}>${esc(name === "sort" ? SORT_LABELS[o] : o || "any")}</option>`).join("")}</select>`
          : `<input id="f-${name}" name="${name}" type="${type}" value="${esc(type === "datetime-local" ? toLocalInput(v) : v)}">`;
      return `<div><label for="f-${name}">${esc(label)}</label>${input}</div>`;
    })
    .join("")}<div class="actions"><button type="submit">Apply</button><button type="button" class="ghost" data-clear>Clear</button></div></form>`;
}

function formParams(form) {
  const p = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || !el.value) continue;
    if (el.type === "datetime-local") p.set(el.name, new Date(el.value).toISOString());
    else if (!(el.name === "sort" && el.value === "created_at")) p.set(el.name, el.value.trim());
  }
  return p;
}

function bindFilters(form, page) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/${page}?${formParams(form)}`;
  });
  $("[data-clear]", form).addEventListener("click", () => (location.hash = `#/${page}`));
}

function notificationRows(items, withReplay) {
  if (!items.length) return `<tr><td colspan="7" class="muted">Nothing matches.</td></tr>`;
  return items
    .map(
      (n) => `<tr data-id="${esc(n.id)}"><td><a href="#/notifications/${esc(n.id)}" class="mono">${esc(n.id.slice(0, 8))}…</a></td>
      <td>${badge(n.status)}</td><td>${esc(n.channel)}</td><td>${esc(n.recipient)}</td>
      <td>${time(n.send_at)}<div class="muted">${esc(fmtAgo(n.send_at))}</div></td>
      <td>${esc(n.group_key || "")}${n.last_error ? `<div class="error">${esc(n.last_error)}</div>` : ""}</td>
      <td>${withReplay && isAdmin() ? `<button type="button" class="ghost" data-replay="${esc(n.id)}">Replay</button>` : ""}</td></tr>`
    )
    .join("");
}

// A paged list: `fetchPage(cursor)` → {items, next_cursor}.
async function pagedTable(container, head, fetchPage, rows) {
  let cursor = null;
  container.innerHTML = `<table><thead><tr>${head}</tr></thead><tbody></tbody></table><div class="toolbar"><button type="button" class="ghost" data-more hidden>Load more</button></div>`;
  const body = $("tbody", container), more = $("[data-more]", container);
  const next = async () => {
    const page = await fetchPage(cursor);
    body.insertAdjacentHTML("beforeend", rows(page.items));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener("click", () => next().catch((e) => toast(e.message)));
  await next();
}

// Count first (dry run), then act in bounded calls until nothing more matches.
function bulkAction(button, { path, filter, noun, verb, done, after }) {
  button.addEventListener("click", async () => {
    const box = button.parentElement.querySelector(".confirm") || document.createElement("div");
    box.className = "confirm";
    button.after(box);
    try {
      const { matched } = await api("POST", path, Object.assign({ dry_run: true }, filter));
      if (!matched) {
        box.innerHTML = `<span>No ${noun} match this filter.</span>`;
        return;
      }
      // Counting stops at 10,000 (the server's cap): more is "10,000+", acted on in rounds.
      const shown = matched >= 10000 ? `${num(matched)}+` : num(matched);
      box.innerHTML = `<span id="bulk-count"><b>${shown}</b> ${noun} match. ${esc(verb)} them?</span>
        <button type="button" class="danger" data-go>${esc(verb)} ${shown}</button><button type="button" class="ghost" data-no>Keep them</button>`;
      $("[data-no]", box).addEventListener("click", () => box.remove());
      const go = $("[data-go]", box);
      go.focus();
      go.addEventListener("click", async () => {
        go.disabled = true;
        let total = 0;
        for (let i = 0; i < 1000; i++) {
          const r = await api("POST", path, filter);
          const n = r.cancelled ?? r.replayed ?? 0;
          total += n;
          box.innerHTML = `<span>${esc(verb)}: ${num(total)}…</span>`;
          if (!r.more || n === 0) break;
        }
        box.innerHTML = `<span id="bulk-result">${esc(done)}: <b>${num(total)}</b></span>`;
        toast(`${done}: ${total}`);
        if (after) after().catch((e) => toast(e.message));
      });
    } catch (e) {
      box.innerHTML = `<span class="error">${esc(e.message)}</span>`;
    }
  });
}

function filterObject(params, skip = []) {
  const o = {};
  for (const [k, v] of params) if (v && !skip.includes(k)) o[k] = v;
  return o;
}

async function notificationsPage(parts, params) {
  if (parts[0]) return notificationDetail(parts[0]);
  view().innerHTML = `<h1>Notifications</h1>${filterForm(params, FILTER_FIELDS, "filters")}
    <div class="toolbar">${isAdmin() ? `<button type="button" class="ghost" id="cancel-matching">Cancel all matching…</button>` : ""}</div>
    <div class="card" id="list"></div>`;
  bindFilters($("#filters"), "notifications");
  const filter = filterObject(params, ["sort", "status"]);
  const head = `<th>Id</th><th>Status</th><th>Channel</th><th>Recipient</th><th>Send at</th><th>Group / last error</th><th></th>`;
  const load = () => pagedTable($("#list"), head, (cursor) => {
    const q = new URLSearchParams(params);
    if (cursor) q.set("cursor", cursor);
    return api("GET", `/notifications?${q}`);
  }, (items) => notificationRows(items, false));
  if (isAdmin()) {
    bulkAction($("#cancel-matching"), { path: "/notifications/cancel-matching", filter, noun: "scheduled notifications", verb: "Cancel", done: "Cancelled", after: load });
  }
  await load();
}

async function notificationDetail(id) {
  const t = await api("GET", `/notifications/${encodeURIComponent(id)}/timeline`);
  const n = t.notification;
  const by = t.created_by || {};
  const byText = by.event_id ? `event <a href="#/notifications?event_id=${esc(by.event_id)}" class="mono">${esc(by.event_id)}</a>` : esc(by.name || by.actor || "");
  const item = (it) => {
    let what = "";
    switch (it.kind) {
      case "created": what = `<b>Created</b> by ${byText}`; break;
      case "scheduled": what = `<b>Scheduled</b> to send`; break;
      case "claimed": what = `<b>Claimed</b> by a sender (attempt ${esc(it.attempt)})`; break;
      case "attempt": what = `<b>Attempt ${esc(it.number)}</b> ${badge(it.outcome)} <span class="muted">${esc(it.duration_ms)} ms</span>${it.response ? `<pre>${esc(it.response)}</pre>` : ""}${it.error ? `<pre class="error">${esc(it.error)}</pre>` : ""}`; break;
      case "audit": what = `<b>${esc(it.action.replace("notification.", "").replace("_", " "))}</b> by ${esc(it.name || it.actor)}${it.detail && Object.keys(it.detail).length ? ` <span class="muted mono">${esc(JSON.stringify(it.detail))}</span>` : ""}`; break;
      case "ended": what = `<b>Ended</b> ${badge(it.status)}${it.error ? `<pre class="error">${esc(it.error)}</pre>` : ""}`; break;
      default: what = esc(it.kind);
    }
    return `<li data-kind="${esc(it.kind)}"><div class="when">${time(it.at)} · ${esc(fmtAgo(it.at))}</div>${what}</li>`;
  };
  const r = t.rendered;
  view().innerHTML = `<p><a href="#/notifications">← Notifications</a></p>
    <h1>Notification <span class="mono">${esc(n.id)}</span> ${badge(n.status)}</h1>
    <div class="toolbar" id="actions">
      ${isAdmin() && n.status === "scheduled" ? `<button type="button" class="danger" id="cancel-one">Cancel</button>` : ""}
      ${isAdmin() && n.status === "dead" ? `<button type="button" id="replay-one">Replay</button>` : ""}
    </div>
    <div class="row">
      <section class="card"><h2>Timeline</h2><ol class="timeline" id="timeline">${t.items.map(item).join("")}</ol></section>
      <section class="card"><h2>Details</h2><dl class="kv">
        <dt>Channel</dt><dd>${esc(n.channel)}</dd><dt>Recipient</dt><dd>${esc(n.recipient)}</dd>
        <dt>Send at</dt><dd>${time(n.send_at)} <span class="muted">${esc(fmtAgo(n.send_at))}</span></dd>
        ${n.next_attempt_at ? `<dt>Next attempt</dt><dd>${time(n.next_attempt_at)}</dd>` : ""}
        <dt>Attempts</dt><dd>${esc(n.attempts)} of ${esc(n.max_attempts)}</dd>
        <dt>Expires</dt><dd>${time(n.expires_at)}</dd>
        ${n.group_key ? `<dt>Group key</dt><dd><a href="#/notifications?group_key=${encodeURIComponent(n.group_key)}">${esc(n.group_key)}</a></dd>` : ""}
        ${n.idempotency_key ? `<dt>Idempotency key</dt><dd>${esc(n.idempotency_key)}</dd>` : ""}
        ${n.series_id ? `<dt>Series</dt><dd><a class="mono" href="#/notifications?series_id=${esc(n.series_id)}">${esc(n.series_id)}</a> <span class="muted">${esc(n.cron || "")}</span></dd>` : ""}
        ${n.event_id ? `<dt>Event</dt><dd class="mono">${esc(n.event_id)}</dd>` : ""}
      </dl>
      <h2 class="spaced">Rendered message</h2>
      ${r.error ? `<p class="error">${esc(r.error)}</p>` : `${r.subject != null ? `<div class="muted">Subject</div><pre id="rendered-subject">${esc(r.subject)}</pre>` : ""}<div class="muted">Body</div><pre id="rendered-body">${esc(r.body || "(empty: the webhook sends the data)")}</pre>`}
      <div class="muted">Data</div><pre class="mono">${esc(JSON.stringify(n.data, null, 2))}</pre>
      </section>
    </div>`;
  const act = (sel, path, msg) => {
    const b = $(sel);
    if (b) b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await api("POST", path);
        toast(msg);
        await notificationDetail(id);
      } catch (e) {
        toast(e.message);
        b.disabled = false;
      }
    });
  };
  act("#cancel-one", `/notifications/${n.id}/cancel`, "Cancelled");
  act("#replay-one", `/notifications/${n.id}/replay`, "Replayed: scheduled to send now");
}

// ---------- dead letters ----------

async function deadLettersPage(_, params) {
  const fields = FILTER_FIELDS.filter(([n]) => ["channel", "recipient", "group_key", "event_id", "due_after", "due_before"].includes(n));
  view().innerHTML = `<h1>Dead letters</h1>
    <p class="muted">Notifications that used up their attempts or were refused for good.${isAdmin() ? "" : " Replaying needs the admin role."}</p>
    ${filterForm(params, fields, "filters")}
    <div class="toolbar">${isAdmin() ? `<button type="button" class="ghost" id="replay-matching">Replay all matching…</button>` : ""}</div>
    <div class="card" id="list"></div>`;
  bindFilters($("#filters"), "dead-letters");
  const filter = filterObject(params);
  if (isAdmin()) {
    bulkAction($("#replay-matching"), { path: "/dead-letters/replay", filter, noun: "dead notifications", verb: "Replay", done: "Replayed", after: () => route() });
  }
  const head = `<th>Id</th><th>Status</th><th>Channel</th><th>Recipient</th><th>Send at</th><th>Group / last error</th><th></th>`;
  const list = $("#list");
  list.addEventListener("click", async (e) => {
    const b = e.target.closest("[data-replay]");
    if (!b) return;
    b.disabled = true;
    try {
      await api("POST", `/notifications/${b.dataset.replay}/replay`);
      b.closest("tr").querySelector(".status").outerHTML = badge("scheduled");
      b.replaceWith(Object.assign(document.createElement("span"), { className: "muted replayed", textContent: "replayed" }));
      toast("Replayed: scheduled to send now");
    } catch (err) {
      toast(err.message);
      b.disabled = false;
    }
  });
  // Members read dead letters through the notifications list (the dead-letter route is admin-only).
  await pagedTable(list, head, (cursor) => {
    const q = new URLSearchParams(params);
    if (cursor) q.set("cursor", cursor);
    if (isAdmin()) return api("GET", `/dead-letters?${q}`);
    q.set("status", "dead");
    return api("GET", `/notifications?${q}`);
  }, (items) => notificationRows(items, true));
}

// ---------- events, rules, series, keys ----------

async function eventsPage(_, params) {
  const status = params.get("status") || "";
  view().innerHTML = `<h1>Events</h1>
    <form class="card filters" id="filters" role="search"><div><label for="f-status">Status</label><select id="f-status" name="status">
    ${["", "received", "processed", "ignored", "failed"].map((s) => `<option value="${s}" ${s === status ? "selected" : ""}>${s || "any"}</option>`).join("")}</select></div>
    <div><label for="f-type">Type</label><input id="f-type" name="type" value="${esc(params.get("type") || "")}"></div>
    <div class="actions"><button type="submit">Apply</button><button type="button" class="ghost" data-clear>Clear</button></div></form>
    <div class="card" id="list"></div>`;
  bindFilters($("#filters"), "events");
  const head = `<th>Received</th><th>Type</th><th>Status</th><th>Outcome</th><th>Notifications created</th>`;
  await pagedTable($("#list"), head, (cursor) => {
    const q = new URLSearchParams();
    for (const k of ["status", "type"]) if (params.get(k)) q.set(k, params.get(k));
    if (cursor) q.set("cursor", cursor);
    return api("GET", `/events?${q}`);
  }, (items) => items.length ? items.map((e) => `<tr data-id="${esc(e.id)}"><td>${time(e.created_at)}</td><td class="mono">${esc(e.type)}</td><td>${badge(e.status)}</td>
      <td>${e.error ? `<span class="${e.status === "failed" ? "error" : "muted"}">${esc(e.error)}</span>` : e.status === "processed" ? "created reminders" : ""}</td>
      <td>${(e.notification_ids || []).length ? `<a href="#/notifications?event_id=${esc(e.id)}">${e.notification_ids.length} notification${e.notification_ids.length > 1 ? "s" : ""}</a>` : "–"}</td></tr>`).join("") : `<tr><td colspan="5" class="muted">No events.</td></tr>`);
}

async function rulesPage() {
  const { items } = await api("GET", "/rules");
  view().innerHTML = `<h1>Rules</h1><div class="card"><table><thead><tr><th>Event type</th><th>Channel</th><th>Recipient from</th><th>Target date from</th><th>Lead times</th><th>Updated</th></tr></thead><tbody>
    ${items.length ? items.map((r) => `<tr><td class="mono">${esc(r.event_type)}</td><td>${esc(r.channel)}</td><td class="mono">${esc(r.recipient_path)}</td><td class="mono">${esc(r.target_date_path)}</td><td>${esc((r.lead_times || []).join(", "))}</td><td>${time(r.updated_at)}</td></tr>`).join("") : `<tr><td colspan="6" class="muted">No rules yet.</td></tr>`}
    </tbody></table></div>`;
}

async function seriesPage(_, params) {
  view().innerHTML = `<h1>Series</h1><div class="card" id="list"></div>`;
  const head = `<th>Cron</th><th>Time zone</th><th>Status</th><th>Next fire times</th><th>Ends</th><th></th>`;
  const list = $("#list");
  list.addEventListener("click", async (e) => {
    const b = e.target.closest("[data-cancel-series]");
    if (!b) return;
    b.disabled = true;
    try {
      await api("POST", `/series/${b.dataset.cancelSeries}/cancel`);
      toast("Series cancelled");
      seriesPage(_, params);
    } catch (err) {
      toast(err.message);
      b.disabled = false;
    }
  });
  await pagedTable(list, head, (cursor) => api("GET", `/series${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`), (items) =>
    items.length ? items.map((s) => {
      const fires = (s.pending_occurrence ? [s.pending_occurrence.due_at] : []).concat(s.next_fire_times || []);
      return `<tr data-id="${esc(s.id)}"><td class="mono"><a href="#/notifications?series_id=${esc(s.id)}">${esc(s.cron)}</a></td><td>${esc(s.timezone)}</td><td>${badge(s.status)}</td>
      <td>${fires.length ? fires.map((f) => `<div>${time(f)} <span class="muted">${esc(fmtAgo(f))}</span></div>`).join("") : "–"}</td><td>${time(s.ends_at)}</td>
      <td>${isAdmin() && s.status === "active" ? `<button type="button" class="ghost" data-cancel-series="${esc(s.id)}">Cancel</button>` : ""}</td></tr>`;
    }).join("") : `<tr><td colspan="6" class="muted">No series.</td></tr>`);
}

async function keysPage() {
  if (!isAdmin()) {
    view().innerHTML = `<div class="card"><h1>API keys</h1><p>Managing API keys needs the admin role.</p></div>`;
    return;
  }
  const { items } = await api("GET", "/api-keys");
  view().innerHTML = `<h1>API keys</h1>
    <form class="card filters" id="new-key"><div><label for="k-name">Name</label><input id="k-name" name="name" required></div>
    <div><label for="k-role">Role</label><select id="k-role" name="role"><option>member</option><option>admin</option></select></div>
    <div class="actions"><button type="submit">Create key</button></div></form>
    <div id="new-key-result"></div>
    <div class="card"><table><thead><tr><th>Name</th><th>Prefix</th><th>Role</th><th>Created</th><th>Revoked</th><th></th></tr></thead><tbody>
    ${items.map((k) => `<tr><td>${esc(k.name)}</td><td class="mono">${esc(k.prefix || k.key_prefix || "")}</td><td>${esc(k.role)}</td><td>${time(k.created_at)}</td><td>${time(k.revoked_at)}</td>
      <td>${k.revoked_at ? "" : `<button type="button" class="ghost" data-revoke="${esc(k.id)}">Revoke</button>`}</td></tr>`).join("")}
    </tbody></table></div>`;
  $("#new-key").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const k = await api("POST", "/api-keys", { name: e.target.name.value, role: e.target.role.value });
      await keysPage();
      $("#new-key-result").innerHTML = `<div class="card"><p>Copy this key now; it is not shown again.</p><pre class="mono">${esc(k.key)}</pre></div>`;
    } catch (err) {
      toast(err.message);
    }
  });
  $$("[data-revoke]").forEach((b) => b.addEventListener("click", async () => {
    if (b.dataset.sure !== "1") {
      b.dataset.sure = "1";
      b.textContent = "Really revoke?";
      b.classList.add("danger");
      return;
    }
    try {
      await api("DELETE", `/api-keys/${b.dataset.revoke}`);
      toast("Key revoked");
      keysPage();
    } catch (err) {
      toast(err.message);
    }
  }));
}

// ---------- theme and keyboard ----------

function applyTheme(t) {
  if (t) document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
}
function toggleTheme() {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === "dark"
    : matchMedia("(prefers-color-scheme: dark)").matches;
  const next = dark ? "light" : "dark";
  localStorage.setItem("chime.theme", next);
  applyTheme(next);
}

const GO = { o: "overview", f: "forecast", n: "notifications", d: "dead-letters", e: "events", r: "rules", s: "series", k: "keys" };
let pendingG = 0;
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = (e.target.tagName || "").toLowerCase();
  if (["input", "select", "textarea"].includes(tag) || !state.me) return;
  if (pendingG && GO[e.key]) {
    pendingG = 0;
    location.hash = `#/${GO[e.key]}`;
    return e.preventDefault();
  }
  pendingG = 0;
  if (e.key === "g") {
    pendingG = 1;
    setTimeout(() => (pendingG = 0), 1200);
  } else if (e.key === "/") {
    const f = $("#view form input, #view form select");
    if (f) { f.focus(); e.preventDefault(); }
  } else if (e.key === "r") route();
  else if (e.key === "t") toggleTheme();
  else if (e.key === "?") $("#help").showModal();
}

document.addEventListener("DOMContentLoaded", () => {
  applyTheme(localStorage.getItem("chime.theme"));
  $("#login-form").addEventListener("submit", onLogin);
  $("#login-form").addEventListener("change", (e) => {
    if (e.target.name !== "mode") return;
    $$("[data-mode]").forEach((d) => (d.hidden = d.dataset.mode !== e.target.value));
  });
  $("#signout").addEventListener("click", () => signOut());
  $("#theme").addEventListener("click", toggleTheme);
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => {
    route();
    $("#main").focus({ preventScroll: true });
  });
  route();
});
