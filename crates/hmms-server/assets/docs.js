// A small, dependency-free renderer for the OpenAPI document: operations grouped by tag,
// their parameters and bodies, and a form to try each one against this server.
"use strict";

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c != null) e.append(c.nodeType ? c : document.createTextNode(String(c)));
  return e;
};

let doc;
const resolve = (s) => (s && s.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s) || {};

function example(schema, depth = 0) {
  const s = resolve(schema);
  if (depth > 4) return null;
  if (s.oneOf || s.anyOf) return example((s.oneOf || s.anyOf).find((x) => x.type !== "null") || {}, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (s.enum) return s.enum[0];
  if (type === "object" || s.properties) {
    const o = {};
    for (const [k, v] of Object.entries(s.properties || {})) if ((s.required || []).includes(k)) o[k] = example(v, depth + 1);
    return o;
  }
  if (type === "array") return [];
  if (type === "integer" || type === "number") return 0;
  if (type === "boolean") return false;
  if (s.format === "uuid") return "00000000-0000-0000-0000-000000000000";
  return "";
}

function schemaTable(schema) {
  const s = resolve(schema);
  if (!s.properties) return el("pre", {}, JSON.stringify(s, null, 2));
  return el("table", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "type"), el("th", {}, "notes")),
    Object.entries(s.properties).map(([k, v]) => {
      const r = resolve(v);
      const t = v.$ref ? v.$ref.split("/").pop() : [].concat(r.type || (r.oneOf ? "one of" : "")).join(" | ");
      return el("tr", {}, el("td", {}, k + ((s.required || []).includes(k) ? " *" : "")), el("td", {}, t + (r.format ? ` (${r.format})` : "")),
        el("td", {}, (r.description || "") + (r.enum ? ` One of: ${r.enum.join(", ")}` : "")));
    }));
}

function operation(path, method, op) {
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-");
  const params = op.parameters || [];
  const inputs = {};
  const out = el("div");
  const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
  const body = bodySchema ? el("textarea", { "aria-label": "request body" }, JSON.stringify(example(bodySchema), null, 2)) : null;
  const secured = !(op.security && op.security.every((r) => Object.keys(r).length === 0));
  async function run() {
    let url = path;
    const q = new URLSearchParams();
    for (const p of params) {
      const v = inputs[p.name + p.in].value;
      if (!v) continue;
      if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(v));
      else if (p.in === "query") q.set(p.name, v);
    }
    const headers = {};
    const token = document.getElementById("token").value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    for (const p of params.filter((p) => p.in === "header")) if (inputs[p.name + p.in].value) headers[p.name] = inputs[p.name + p.in].value;
    if (body) headers["Content-Type"] = "application/json";
    out.replaceChildren(el("p", {}, "Sending…"));
    try {
      const res = await fetch(url + (q.toString() ? `?${q}` : ""), { method: method.toUpperCase(), headers, body: body ? body.value : undefined });
      const text = await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON */ }
      out.replaceChildren(el("p", { class: "status" }, `${res.status} ${res.statusText}`), el("pre", {}, shown || "(empty)"));
    } catch (e) {
      out.replaceChildren(el("p", {}, `Request failed: ${e}`));
    }
  }
  return el("details", { id },
    el("summary", {}, el("span", { class: `m ${method}` }, method.toUpperCase()), el("span", { class: "path" }, path),
      el("span", { class: "sum" }, op.summary || ""), secured ? el("span", { class: "lock" }, "sign-in required") : null),
    el("div", { class: "body" },
      op.description ? el("p", {}, op.description) : null,
      params.length ? el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "value")),
        params.map((p) => {
          const input = el("input", { "aria-label": p.name, placeholder: p.description || "" });
          inputs[p.name + p.in] = input;
          return el("tr", {}, el("td", {}, p.name + (p.required ? " *" : "")), el("td", {}, p.in), el("td", {}, input));
        })) : null,
      bodySchema ? [el("h3", {}, "Body"), schemaTable(bodySchema), body] : null,
      el("h3", {}, "Responses"),
      el("table", {}, Object.entries(op.responses || {}).map(([code, r]) => el("tr", {}, el("td", {}, code), el("td", {}, r.description || "")))),
      el("button", { type: "button", onclick: run }, "Send"),
      out));
}

// Sign in from the page: password, then the authenticator code if the account has one.
document.getElementById("signin").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const status = document.getElementById("signin-status");
  const post = (path, body) => fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
    .then(async (r) => ({ ok: r.ok, body: await r.json() }));
  const email = document.getElementById("email").value;
  const password = document.getElementById("password").value;
  let res = await post("/api/v1/auth/login", { email, password });
  if (res.ok && res.body.status === "otp_required") {
    const code = document.getElementById("code").value.trim();
    if (!code) { status.textContent = "This account needs the 6-digit code from its authenticator app."; return; }
    res = await post("/api/v1/auth/verify-otp", { challengeToken: res.body.challengeToken, code });
  }
  if (!res.ok) { status.textContent = res.body.detail || res.body.title; return; }
  document.getElementById("token").value = res.body.tokens.accessToken;
  status.textContent = res.body.twoFactorEnrolmentRequired
    ? "Signed in, but this role must set up two-factor sign-in first (POST /api/v1/auth/totp/setup)."
    : `Signed in as ${email}; the token is filled in below.`;
});

fetch("/api/v1/openapi.json").then((r) => r.json()).then((d) => {
  doc = d;
  document.getElementById("desc").textContent = `${d.info.title} ${d.info.version} — ${d.info.description || ""}`;
  const byTag = {};
  for (const [path, item] of Object.entries(d.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags || ["other"])[0];
      (byTag[tag] ||= []).push(operation(path, method, op));
    }
  }
  const main = document.getElementById("ops");
  for (const t of (d.tags || []).map((t) => t.name).concat(Object.keys(byTag)).filter((t, i, a) => a.indexOf(t) === i && byTag[t])) {
    main.append(el("h2", {}, t), ...byTag[t]);
  }
}).catch((e) => { document.getElementById("desc").textContent = `Could not load the API document: ${e}`; });
