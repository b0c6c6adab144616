// DaemonNet's page: the collector's HTTP routes (/v1/...), rendered without a framework or a
// build step. One /v1/watch stream keeps the shown view current: each committed change redraws it.
// A reader's bearer token, when signed in, goes with every request; the tab alone keeps it.

const view = document.getElementById("view");
const live = document.getElementById("live");
const query = document.getElementById("query");
let current = { name: "intro" };
let token = sessionStorage.getItem("token");
let historyZoom = "all";
const headers = () => ({ Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) });

const text = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (value) => (value ? new Date(value).toLocaleString() : "now");
// A time as the CLI says it ("3 s ago", "in 59 min"), with the absolute time on hover and focus.
const relative = (value) => {
  if (!value) return "now";
  const seconds = (new Date(value) - Date.now()) / 1000;
  const size = Math.abs(seconds);
  const span = size < 90 ? `${Math.round(size)} s` : size < 5400 ? `${Math.round(size / 60)} min` : size < 129600 ? `${Math.round(size / 3600)} h` : `${Math.round(size / 86400)} d`;
  return `<time datetime="${text(value)}" title="${text(time(value))}" tabindex="0">${seconds < 0 ? `${span} ago` : `in ${span}`}</time>`;
};
// A value with a button that copies it.
const copyable = (value, shown) => `${shown ?? text(value)} <button type="button" class="copy" data-copy="${text(value)}" aria-label="Copy ${text(value)}">Copy</button>`;
const state = (value) => text((value ?? "").replace("DOMAIN_STATE_", "").replace("_", " ").toLowerCase());
// The evidence in the collector's words: the same the CLI prints.
const source = (a) => a.evidence || "unknown";
// An address with its DNS name, as the CLI writes it: "192.168.122.45 (web1.club.example)".
const named = (a) => text(a.ip) + (a.dnsName ? ` (${text(a.dnsName)}${a.dnsNameConfirmed ? "" : "?"})` : "");
const rate = (bits) => (bits >= 1e9 ? `${(bits / 1e9).toFixed(1)} Gbit/s` : bits >= 1e6 ? `${(bits / 1e6).toFixed(1)} Mbit/s`
  : bits >= 1e3 ? `${(bits / 1e3).toFixed(1)} kbit/s` : `${Math.round(bits)} bit/s`);
// A wide table scrolls inside its own box, which the keyboard can reach and scroll.
const table = (headers, rows) => `<div class="table-wrap" tabindex="0" role="region" aria-label="${text(headers.join(", "))}"><table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join("")}</tr></thead>`
  + `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;

async function ask(path) {
  const response = await fetch(path, { headers: headers() });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

function vmCard(vm) {
  const stale = vm.host.stale ? `<p class="stale">${text(vm.host.name)} has not reported since ${time(vm.host.lastReport)}: this is what it said then.</p>` : "";
  const rows = (vm.nics ?? []).flatMap((nic) => {
    const attachment = nic.nic.network ? `${text(nic.nic.network)} (${text(nic.nic.bridge)})` : text(nic.nic.bridge);
    const addresses = nic.addresses ?? [];
    // A macvtap or passed-through NIC bypasses the host's stack: its address is unknown to the host, not absent.
    const none = ["NIC_KIND_DIRECT", "NIC_KIND_OTHER"].includes(nic.nic.kind) ? "not observable from the host" : "no address seen";
    // The address first: on a phone it is what shows without scrolling.
    const mac = copyable(nic.nic.mac) + (nic.vendor ? `<br><span class="note">${text(nic.vendor)}</span>` : "");
    if (addresses.length === 0) return [["-", none, "", mac, attachment, ""]];
    return addresses.map((a) => [copyable(a.ip, `<strong>${named(a)}</strong>`), text(source(a)),
      relative(a.lastConfirmed) + (a.leaseExpiry ? `, lease ends ${relative(a.leaseExpiry)}` : "") + (a.outlivesVm ? " (outlives the stopped VM)" : ""),
      mac, attachment, text(a.observedOn)]);
  });
  const labels = [vm.owner ? `owner ${text(vm.owner)}` : "", (vm.tags ?? []).length ? `tags ${text(vm.tags.join(", "))}` : "",
    text([vm.title, vm.description].filter(Boolean).join(": "))].filter(Boolean).join(" · ");
  return `<article class="vm"><h2>${text(vm.name)} on ${text(vm.host.name)}: ${state(vm.state)}</h2>`
    + (labels ? `<p class="labels">${labels}</p>` : "")
    + `<p class="note">since ${relative(vm.since)} · uuid ${text(vm.uuid)}</p>${stale}`
    + table(["Address", "Source", "Confirmed", "NIC", "Network", "Seen on"], rows) + "</article>";
}

const views = {
  intro: async () => view.innerHTML,
  where: async ({ q }) => {
    const { ok, body } = await ask(`/v1/where/${encodeURIComponent(q)}`);
    const offer = `<p><button type="button" class="wait" data-wait="${text(q)}">Wait for ${text(q)}</button> until it exists and has an address.</p>`;
    if (!ok) return `<p>${text(body.message ?? `No VM matches '${q}'.`)}</p>${offer}`;
    return body.vms.map(vmCard).join("") + (missingFamilies(body.vms).length === 2 ? offer : "");
  },
  // The moment after virt-install: redrawn at each change the watch stream brings, until the VM has both families.
  wait: async ({ q }) => {
    const { ok, body } = await ask(`/v1/where/${encodeURIComponent(q)}`);
    const vms = ok ? body.vms : [];
    const missing = missingFamilies(vms);
    if (waited.q !== q) Object.assign(waited, { q, missing });
    if (missing.length < waited.missing.length) {
      notify(`${q} has ${["IPv4", "IPv6"].filter((f) => !missing.includes(f)).join(" and ")} now`);
      waited.missing = missing;
    }
    const status = vms.length === 0 ? `Waiting for ${text(q)} to be defined on a host and get an address…`
      : missing.length > 0 ? `Waiting for ${missing.map((f) => `an ${f} address`).join(" and ")} of ${text(q)}…` : `${text(q)} has its addresses.`;
    const notifying = "Notification" in window && Notification.permission === "default" && missing.length > 0
      ? '<button type="button" id="notify">Notify me</button>' : "";
    return `<p class="waiting" role="status">${status} ${notifying}</p>` + vms.map(vmCard).join("");
  },
  // Each interval as a bar on a time axis that can be zoomed to the last day or hour, with its evidence.
  history: async ({ q }) => {
    const { ok, body } = await ask(`/v1/history/${encodeURIComponent(q)}`);
    if (!ok) return `<p>${text(body.message ?? `No history for '${q}'.`)}</p>`;
    const what = (e) => ({
      HISTORY_KIND_PLACEMENT: `${text(e.vmName)} ${state(e.state)}`,
      HISTORY_KIND_NIC: `${text(e.vmName || e.vmUuid)} NIC ${text(e.mac)} on ${text(e.nic?.network || e.nic?.bridge)}`,
      HISTORY_KIND_ADDRESS: `${text(e.address?.ip)} held by ${text(e.mac)} (${text(source(e.address ?? {}))})`,
      HISTORY_KIND_SILENCE: "host silent: nothing is known of it",
    }[e.kind] ?? text(e.kind));
    const end = Date.now();
    const entries = body.entries ?? [];
    const spans = { all: null, day: 86400e3, hour: 3600e3 };
    const start = spans[historyZoom] ? end - spans[historyZoom] : Math.min(end - 60e3, ...entries.map((e) => Date.parse(e.from)));
    const shown = entries.filter((e) => (e.to ? Date.parse(e.to) : end) >= start);
    const bar = (e) => {
      const from = Math.max(Date.parse(e.from), start);
      const to = e.to ? Date.parse(e.to) : end;
      return `<span class="bar" style="margin-left:${((from - start) / (end - start) * 100).toFixed(2)}%;width:${Math.max(0.5, (to - from) / (end - start) * 100).toFixed(2)}%"></span>`;
    };
    const zoom = `<div class="zoom" role="group" aria-label="Time shown">${[["all", "All"], ["day", "Last day"], ["hour", "Last hour"]].map(([z, label]) =>
      `<button type="button" data-zoom="${z}" aria-pressed="${z === historyZoom}">${label}</button>`).join("")}</div>`;
    return `<h2>History of ${text(q)}</h2>${zoom}<p class="note">${time(start)} → now: ${shown.length} of ${entries.length} intervals</p>`
      + `<ol class="timeline">${shown.map((e) => `<li class="${e.kind === "HISTORY_KIND_SILENCE" ? "silence" : ""}">${bar(e)}`
        + `<span>${relative(e.from)} → ${e.to ? relative(e.to) : "now"} · ${text(e.host)} · ${what(e)}</span></li>`).join("")}</ol>`;
  },
  hosts: async () => {
    const { body } = await ask("/v1/hosts");
    return table(["Host", "Status", "Last report", "VMs", "Source errors"], (body.hosts ?? []).map((h) => [text(h.status.name),
      h.status.stale ? '<span class="stale">stale</span>' : "reporting", time(h.status.lastReport), text(h.vmCount ?? 0),
      text((h.errors ?? []).map((e) => `${e.source}: ${e.message}`).join("; "))]));
  },
  vms: async () => vmTable(await ask("/v1/vms")),
  // The VMs of one owner, as their libvirt metadata names it; the browser remembers whose.
  mine: async () => {
    const owner = localStorage.getItem("owner") ?? "";
    const form = `<form id="owner-form" class="owner"><label for="owner">Owner</label>`
      + `<input id="owner" name="owner" autocomplete="username" value="${text(owner)}" required><button type="submit">Show my VMs</button></form>`;
    if (!owner) return form + "<p>Give the owner your VMs' metadata names (virsh metadata, see the integrations guide).</p>";
    const answer = await ask(`/v1/vms?owner=${encodeURIComponent(owner)}`);
    return form + ((answer.body.vms ?? []).length ? vmTable(answer) : `<p>No VM has the owner ${text(owner)}.</p>`);
  },
  tunnels: async () => {
    const { body } = await ask("/v1/tunnels");
    return (body.hosts ?? []).map((host) => `<section><h2>${text(host.host.name)}</h2>` + ((host.tunnels ?? []).map((t) =>
      `<h3>${text(t.name)} · ${text(t.kind)} ${text(t.local)} → ${text(t.remote)} · ${text(t.operstate || "absent")}</h3>${plot(t)}`).join("")
      || "<p>No tunnels.</p>") + "</section>").join("");
  },
  audit: async ({ q }) => {
    const least = ["info", "warning", "critical"].includes(q) ? q : "info";
    const { body } = await ask(`/v1/audit?minSeverity=SEVERITY_${least.toUpperCase()}`);
    const findings = body.findings ?? [];
    const filter = `<div class="zoom" role="group" aria-label="Least severity shown">${["info", "warning", "critical"].map((s) =>
      `<button type="button" data-severity="${s}" aria-pressed="${s === least}">${s} and above</button>`).join("")}</div>`;
    return filter + (findings.length === 0 ? `<p>Nothing in the cluster is inconsistent at ${least} or above.</p>` : table(["Severity", "Rule", "Finding", "About", "What to do"], findings.map((f) => {
      const severity = f.severity.replace("SEVERITY_", "").toLowerCase();
      return [`<span class="severity-${severity}">${severity}</span>`, text(f.rule), text(f.summary), historyLinks(f.objects), text(f.action)];
    })));
  },
  // Alerts are for readers: with open reads alone, the collector refuses them and the page says how to sign in.
  alerts: async () => {
    const { ok, body } = await ask("/v1/alerts?limit=100");
    if (!ok) return `<p class="stale">${text(body.message ?? "The collector refused.")}</p><p>Alerts are shown to readers: sign in above with a reader token ('daemonnet-collector certs token issue').</p>`;
    const alerts = body.alerts ?? [];
    return alerts.length === 0 ? "<p>No alerts yet.</p>" : table(["When", "Severity", "Rule", "Alert", "About", "Delivered to"], alerts.map((a) => {
      const severity = (a.severity ?? "").replace("SEVERITY_", "").toLowerCase();
      return [relative(a.at), `<span class="severity-${severity}">${text(severity)}</span>`, text(a.rule) + (a.repeats ? ` (repeated ${text(a.repeats)}×)` : ""),
        text(a.summary), historyLinks(a.objects), text((a.deliveries ?? []).map((d) => `${d.sink}: ${(d.state ?? "").replace("DELIVERY_STATE_", "").toLowerCase()}`).join(", "))];
    }));
  },
};

// What a wait is waiting for: the families none of the VMs' current addresses has.
function missingFamilies(vms) {
  const ips = vms.flatMap((vm) => (vm.nics ?? []).flatMap((n) => n.addresses ?? [])).filter((a) => !a.outlivesVm).map((a) => a.ip);
  return [["IPv4", ips.some((ip) => !ip.includes(":"))], ["IPv6", ips.some((ip) => ip.includes(":"))]].filter(([, has]) => !has).map(([f]) => f);
}

const waited = { q: null, missing: [] };

function notify(message) {
  if ("Notification" in window && Notification.permission === "granted") new Notification("DaemonNet", { body: message });
}

// Links to the history of what a finding or alert is about (VMs, MACs, addresses).
const historyLinks = (objects) => (objects ?? []).map((o) => `<a href="#history/${encodeURIComponent(o)}">${text(o)}</a>`).join(", ");

function vmTable({ body }) {
  return table(["VM", "Host", "State", "Owner", "Address"], (body.vms ?? []).map((vm) => {
    const first = (vm.nics ?? []).flatMap((n) => n.addresses ?? []).find((a) => !a.outlivesVm);
    return [text(vm.name), text(vm.host.name) + (vm.host.stale ? ' <span class="stale">(stale)</span>' : ""), state(vm.state), text(vm.owner || "-"),
      first ? `${named(first)} (${text(source(first))})` : "-"];
  }));
}

// rx and tx of each interval in the window, with the 95th percentile and the configured limit drawn.
function plot(tunnel) {
  const traffic = tunnel.traffic ?? {};
  const points = traffic.points ?? [];
  const p95 = Math.max(traffic.rxP95BitsPerSecond ?? 0, traffic.txP95BitsPerSecond ?? 0);
  const limit = tunnel.limitBitsPerSecond ?? 0;
  const top = Math.max(1, limit, p95, ...points.flatMap((p) => [p.rxBitsPerSecond ?? 0, p.txBitsPerSecond ?? 0])) * 1.1;
  const width = 400, height = 100;
  const x = (i) => (points.length < 2 ? 0 : (i / (points.length - 1)) * width);
  const y = (bits) => height - (bits / top) * height;
  const line = (key) => points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p[key] ?? 0).toFixed(1)}`).join(" ");
  const horizontal = (bits, cls) => `<line class="${cls}" x1="0" x2="${width}" y1="${y(bits)}" y2="${y(bits)}"/>`;
  return `<svg class="plot" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="traffic of ${text(tunnel.name)}">`
    + `<path class="rx" d="${line("rxBitsPerSecond")}"/><path class="tx" d="${line("txBitsPerSecond")}"/>`
    + (p95 > 0 ? horizontal(p95, "p95") : "") + (limit > 0 ? horizontal(limit, "limit") : "") + "</svg>"
    + `<p class="legend"><span>rx (blue) ${rate(traffic.rxBitsPerSecond ?? 0)}</span><span>tx (green) ${rate(traffic.txBitsPerSecond ?? 0)}</span>`
    + `<span>p95 ${rate(p95)}</span>${limit > 0 ? `<span>limit ${rate(limit)}</span>` : ""}<span>${points.length} intervals</span></p>`;
}

// The view is in the address (#where/web1, #hosts), so that an answer can be linked and reloaded.
async function show(next) {
  current = next;
  history.replaceState(null, "", `#${next.name}${next.q ? `/${encodeURIComponent(next.q)}` : ""}`);
  document.querySelectorAll("nav button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.view === next.name)));
  try {
    view.innerHTML = await views[next.name](next);
  } catch (error) {
    view.innerHTML = `<p class="stale">The collector did not answer: ${text(error.message)}; asking again in 2 s.</p>`;
    setTimeout(() => { if (current === next) show(next); }, 2000);
  }
  // Which view is drawn: for the tests, and for styling by view.
  view.dataset.shown = next.name;
}

view.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (button?.dataset.copy) {
    await navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = "Copied";
  } else if (button?.dataset.wait) {
    show({ name: "wait", q: button.dataset.wait });
  } else if (button?.dataset.zoom) {
    historyZoom = button.dataset.zoom;
    show(current);
  } else if (button?.dataset.severity) {
    show({ name: "audit", q: button.dataset.severity });
  } else if (button?.id === "notify") {
    await Notification.requestPermission();
    show(current);
  }
});
view.addEventListener("submit", (event) => {
  if (event.target.id !== "owner-form") return;
  event.preventDefault();
  localStorage.setItem("owner", event.target.owner.value.trim());
  show({ name: "mine" });
});
document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  show({ name: "where", q: query.value.trim() });
});
document.getElementById("show-history").addEventListener("click", () => {
  if (query.reportValidity()) show({ name: "history", q: query.value.trim() });
});
document.querySelectorAll("nav button").forEach((button) => button.addEventListener("click", () => {
  const q = query.value.trim();
  if (button.dataset.view === "where" && !q) return;
  show({ name: button.dataset.view, q: ["where", "history", "wait"].includes(button.dataset.view) ? q : undefined });
}));
// A link to a history (from the audit or an alert) is followed like a search.
window.addEventListener("hashchange", () => {
  const [name, q] = location.hash.slice(1).split("/");
  if (views[name] && `#${name}${q ? `/${q}` : ""}` !== `#${current.name}${current.q ? `/${encodeURIComponent(current.q)}` : ""}`) {
    query.value = name === "audit" ? "" : decodeURIComponent(q ?? "");
    show({ name, q: decodeURIComponent(q ?? "") });
  }
});

function showSignedIn() {
  document.getElementById("sign-in-box").hidden = Boolean(token);
  document.getElementById("signed-in").hidden = !token;
  document.getElementById("token-id").textContent = token ? token.split("_")[1] ?? "" : "";
}
document.getElementById("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  token = event.target.token.value.trim();
  event.target.reset();
  sessionStorage.setItem("token", token);
  showSignedIn();
  watching?.abort();
  if (current.name !== "intro") show(current);
});
document.getElementById("sign-out").addEventListener("click", () => {
  token = null;
  sessionStorage.removeItem("token");
  showSignedIn();
  watching?.abort();
  if (current.name !== "intro") show(current);
});

// The watch stream is a sequence of JSON objects; each one means something was committed.
// Signing in or out ends it, and it starts again with the new credentials.
let watching = null;
async function follow() {
  while (true) {
    try {
      watching = new AbortController();
      const response = await fetch("/v1/watch", { headers: headers(), signal: watching.signal });
      if (!response.ok) throw new Error(response.status === 401 ? "sign in with a reader token to follow the cluster" : `watch answered ${response.status}`);
      live.textContent = "live: following the cluster's changes";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let pending = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.includes("}")) {
          clearTimeout(pending);
          pending = setTimeout(() => { if (current.name !== "intro") show(current); }, 200);
        }
      }
    } catch (error) {
      if (!watching.signal.aborted) live.textContent = `not live (${error.message}); retrying`;
    }
    if (!watching.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
showSignedIn();
const [name, q] = location.hash.slice(1).split("/");
if (views[name] && name !== "intro") {
  query.value = decodeURIComponent(q ?? "");
  show({ name, q: query.value });
}
follow();
