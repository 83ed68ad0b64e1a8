// Reflect playground: renders the Slack emulator's state (the real Block Kit the bot sent) and
// sends what the person does back through the emulator's JSON API.
"use strict";

const $ = (sel) => document.querySelector(sel);
let user = "";
let people = [];
let tab = "messages";
let last = { dm: "", home: "", view: "", people: "" };

function esc(s) {
  return String(s == null ? "" : s)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

// Slack escapes &, < and > in text; undo that before escaping for HTML.
function unslack(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

let channels = {}; // channel ID → name, from the state

function personName(id) {
  const p = people.find((p) => p.id === id);
  return p ? p.name : id;
}

// Formatting marks count only at word edges, as in Slack: "*bold*" but not "2*3*4".
const before = "(^|[\\s(>_*~;\u0001])";
const after = "(?=$|[\\s.,;:!?)<_*~&\u0001])";
const marks = [["\\*", "b"], ["_", "i"], ["~", "s"]].map(([m, tag]) =>
  [new RegExp(before + m + "([^\\s" + m + "](?:[^" + m + "\\n]*[^\\s" + m + "])?)" + m + after, "g"), tag]);

// inline formats one line of Slack text (still with Slack's &lt; &gt; &amp; escapes): code spans
// and <…> tokens are set aside first, so nothing inside them is formatted and an escaped "&lt;@U1&gt;"
// stays text, then bold, italics and strikethrough.
function inline(line) {
  const kept = [];
  const keep = (html) => { kept.push(html); return "\u0001" + (kept.length - 1) + "\u0001"; };
  line = line.replace(/\u0001/g, "");
  line = line.replace(/`([^`\n]+)`/g, (_, c) => keep("<code>" + esc(unslack(c)) + "</code>"));
  line = line.replace(/<([^<>|]+)(?:\|([^<>]*))?>/g, (all, target, label) =>
    keep(token(unslack(all), unslack(target), label === undefined ? "" : unslack(label))));
  let h = esc(unslack(line));
  // The same formatting twice, so a mark inside another ("_*both*_") is seen once the outer one
  // has become a tag.
  for (let i = 0; i < 2; i++) {
    for (const [re, tag] of marks) h = h.replace(re, "$1<" + tag + ">$2</" + tag + ">");
  }
  return h.replace(/\u0001(\d+)\u0001/g, (_, i) => kept[+i]);
}

// token renders a <…> token: a user or channel mention, a special mention, or a link.
function token(all, target, label) {
  if (target.startsWith("@")) {
    return '<span class="mention">@' + esc(label || personName(target.slice(1))) + "</span>";
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return '<span class="mention">#' + esc(label || channels[id] || id) + "</span>";
  }
  if (target.startsWith("!date^")) {
    return esc(label); // Slack shows the moment in the reader's zone and clock; the page, the fallback
  }
  if (target.startsWith("!")) {
    const what = target.slice(1).split("^")[0];
    return '<span class="mention">' + esc(label || (["here", "channel", "everyone"].includes(what) ? "@" + what : what)) + "</span>";
  }
  if (/^(https?:|mailto:)/.test(target)) {
    return '<a href="' + esc(target) + '" target="_blank" rel="noopener">' + esc(label || target.replace(/^mailto:/, "")) + "</a>";
  }
  return esc(all);
}

// mrkdwn renders Slack's mrkdwn as Slack shows it: ```code blocks```, "> " quotes, `code`,
// *bold*, _italics_, ~strikethrough~, <url|links>, <@U…> and <#C…> mentions by name, and the
// &lt; &gt; &amp; escapes as the characters.
function mrkdwn(text) {
  return String(text || "").split(/```/).map((part, i) => {
    if (i % 2 === 1) return '<pre class="code">' + esc(unslack(part.replace(/^\n/, "").replace(/\n$/, ""))) + "</pre>";
    return part.split("\n").map((line) => {
      const q = /^(?:&gt;|>)\s?(.*)$/.exec(line);
      return q ? '<span class="quote">' + inline(q[1]) + "</span>" : inline(line);
    }).join("\n");
  }).join("");
}

function textObj(t) {
  if (!t) return "";
  if (t.type === "mrkdwn") return '<span class="mrkdwn">' + mrkdwn(t.text) + "</span>";
  return '<span class="mrkdwn">' + esc(t.text) + "</span>";
}

function plain(t) { return t ? esc(t.text) : ""; }

function imageURL(b) {
  if (b.slack_file && b.slack_file.id) return "/files/" + encodeURIComponent(b.slack_file.id);
  if (b.slack_file && b.slack_file.url) return b.slack_file.url;
  return b.image_url || "";
}

// ctx: {kind: "message", channel, ts} or {kind: "view", view_id}
function element(e, ctx, blockID) {
  const data = (action) => ' data-action="' + esc(action) + '" data-block="' + esc(blockID || "") + '"';
  switch (e.type) {
    case "button": {
      const cls = e.style ? " " + esc(e.style) : "";
      return '<button type="button" class="btn' + cls + '"' + data(e.action_id) + ' data-kind="click">' + plain(e.text) + "</button>";
    }
    case "radio_buttons":
      return '<div class="options">' + (e.options || []).map((o) =>
        '<label class="radio"><input type="radio" name="' + esc(blockID + "/" + e.action_id) + '" value="' + esc(o.value) + '"' +
        (e.initial_option && e.initial_option.value === o.value ? " checked" : "") + data(e.action_id) + ' data-kind="select"> ' +
        textObj(o.text) + "</label>").join("") + "</div>";
    case "static_select":
    case "overflow": {
      let opts = e.options || [];
      if (e.option_groups) opts = [].concat(...e.option_groups.map((g) => g.options || []));
      return '<select' + data(e.action_id) + ' data-kind="select"><option value="">' +
        (e.placeholder ? plain(e.placeholder) : (e.type === "overflow" ? "⋯" : "Choose…")) + "</option>" +
        opts.map((o) => '<option value="' + esc(o.value) + '"' +
          (e.initial_option && e.initial_option.value === o.value ? " selected" : "") + ">" + plain(o.text) + "</option>").join("") +
        "</select>";
    }
    case "plain_text_input":
      if (e.multiline) {
        return '<textarea rows="4"' + data(e.action_id) + ' data-kind="input">' + esc(e.initial_value || "") + "</textarea>";
      }
      return '<input type="text"' + data(e.action_id) + ' data-kind="input" value="' + esc(e.initial_value || "") + '">';
    case "timepicker":
      return '<input type="time"' + data(e.action_id) + ' data-kind="input" value="' + esc(e.initial_time || "") + '">';
    case "datepicker":
      return '<input type="date"' + data(e.action_id) + ' data-kind="input" value="' + esc(e.initial_date || "") + '">';
    case "checkboxes":
      return '<div class="options">' + (e.options || []).map((o) =>
        '<label class="radio"><input type="checkbox" value="' + esc(o.value) + '"' + data(e.action_id) + ' data-kind="check"> ' +
        textObj(o.text) + "</label>").join("") + "</div>";
    case "image":
      return '<img alt="' + esc(e.alt_text) + '" src="' + esc(imageURL(e)) + '" style="width:20px;height:20px">';
    default:
      return '<span class="empty">[' + esc(e.type) + "]</span>";
  }
}

function block(b, ctx, errors) {
  const id = b.block_id || "";
  switch (b.type) {
    case "header":
      return '<div class="block header">' + plain(b.text) + "</div>";
    case "divider":
      return '<div class="block divider"></div>';
    case "section": {
      let h = '<div class="block section">' + textObj(b.text);
      if (b.fields) h += '<div class="fields">' + b.fields.map((f) => "<div>" + textObj(f) + "</div>").join("") + "</div>";
      if (b.accessory) h += '<div class="accessory" data-block-id="' + esc(id) + '">' + element(b.accessory, ctx, id) + "</div>";
      return h + "</div>";
    }
    case "context":
      return '<div class="block context">' + (b.elements || []).map((e) =>
        e.type === "image" ? element(e, ctx, id) : textObj(e)).join(" ") + "</div>";
    case "actions":
      return '<div class="block actions" data-block-id="' + esc(id) + '">' + (b.elements || []).map((e) => element(e, ctx, id)).join("") + "</div>";
    case "image":
      return '<div class="block image">' + (b.title ? "<div>" + plain(b.title) + "</div>" : "") +
        '<img alt="' + esc(b.alt_text) + '" src="' + esc(imageURL(b)) + '"></div>';
    case "input": {
      const err = errors && errors[id] ? '<div class="field-error">' + esc(errors[id]) + "</div>" : "";
      return '<div class="block input" data-block-id="' + esc(id) + '"><label class="title">' + plain(b.label) +
        (b.optional ? ' <span class="hint">(optional)</span>' : "") + "</label>" + element(b.element, ctx, id) +
        (b.hint ? '<div class="hint">' + plain(b.hint) + "</div>" : "") + err + "</div>";
    }
    case "rich_text":
      return '<div class="block mrkdwn">' + esc(richText(b)) + "</div>";
    default:
      return '<div class="block empty">[' + esc(b.type) + " block]</div>";
  }
}

function richText(b) {
  const parts = [];
  const walk = (e) => {
    if (e.text) parts.push(e.text);
    (e.elements || []).forEach(walk);
  };
  (b.elements || []).forEach(walk);
  return parts.join("");
}

function blocks(list, ctx, errors) {
  return (list || []).map((b) => block(b, ctx, errors)).join("");
}

function when(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  return d.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

function renderDM(dm) {
  const el = $("#messages");
  const stick = el.scrollTop + el.clientHeight >= el.scrollHeight - 30;
  if (dm.length === 0) {
    el.innerHTML = '<p class="empty">No messages yet. Try <code>/reflect prompt</code>.</p>';
    return;
  }
  el.innerHTML = dm.map((m) => {
    const who = m.bot ? "Reflect" : personName(m.user);
    const ctx = { kind: "message", channel: m.channel, ts: m.ts };
    let body = m.blocks && m.blocks.length ? blocks(m.blocks, ctx) : '<div class="mrkdwn">' + mrkdwn(m.text) + "</div>";
    for (const f of m.files || []) body += fileHTML(f);
    return '<div class="msg' + (m.bot ? " bot" : "") + (m.ephemeral ? " ephemeral" : "") + '" data-channel="' + esc(m.channel) +
      '" data-ts="' + esc(m.ts) + '"><div class="avatar">' + esc(who.slice(0, 1)) + '</div><div class="body"><div class="who">' +
      esc(who) + '<span class="meta">' + esc(when(m.ts)) + (m.edited ? " (edited)" : "") +
      (m.ephemeral ? " · only visible to you" : "") + "</span></div>" + body + "</div></div>";
  }).join("");
  if (stick || follow) el.scrollTop = el.scrollHeight;
  follow = false;
}

let follow = false; // the next conversation shown scrolls to its end (after the person sends)

// fileHTML shows a picture as a picture, any other file as a file: its name, size and a link that
// saves it.
function fileHTML(f) {
  if (f.image) {
    return '<div class="block image"><img alt="' + esc(f.name) + '" src="' + esc(f.url) + '"></div>';
  }
  return '<div class="block file"><span class="file-icon" aria-hidden="true">' + esc(ext(f.name)) + '</span><span class="file-info">' +
    '<a class="file-name" href="' + esc(f.download) + '" download="' + esc(f.name) + '">' + esc(f.name) + "</a>" +
    '<span class="file-size">' + esc(size(f.size)) + "</span></span></div>";
}

// ext is a file's kind as its icon shows it: "JSON" for a .json file.
function ext(name) {
  const m = /\.([A-Za-z0-9]{1,4})$/.exec(name || "");
  return m ? m[1].toUpperCase() : "FILE";
}

function size(n) {
  if (n < 1024) return n + " bytes";
  if (n < 1024 * 1024) return (n / 1024).toFixed(n < 10240 ? 1 : 0) + " KB";
  return (n / 1024 / 1024).toFixed(1) + " MB";
}

// showNotes puts what time travel did that the conversation does not show above the conversation.
function showNotes(notes) {
  const el = $("#notes");
  if (!notes || notes.length === 0) { el.hidden = true; el.innerHTML = ""; return; }
  el.innerHTML = '<button type="button" id="notes-close" aria-label="Dismiss">×</button>' +
    notes.map((n) => "<p>" + esc(n) + "</p>").join("");
  el.hidden = false;
}

function renderHome(home, id) {
  $("#home").innerHTML = home && home.length
    ? '<div data-view="' + esc(id || "") + '">' + blocks(home, { kind: "view", view_id: id }) + "</div>"
    : '<p class="empty">Opening the Home tab…</p>';
}

function renderModal(view) {
  const el = $("#modal");
  if (!view) {
    el.hidden = true;
    el.innerHTML = "";
    return;
  }
  // Keep what the person has filled in when the same modal comes back (with field errors, say).
  const open = el.querySelector(".dialog");
  const prev = open && open.dataset.view === view.id ? collect(open) : null;
  el.hidden = false;
  el.innerHTML = '<div class="dialog" data-view="' + esc(view.id) + '"><h3>' + esc(view.title) + '</h3><div class="content">' +
    blocks(view.blocks, { kind: "view", view_id: view.id }, view.errors) +
    '</div><div class="footer"><button type="button" class="btn" id="modal-close">' + esc(view.close || "Cancel") + "</button>" +
    (view.submit ? '<button type="button" class="btn primary" id="modal-submit">' + esc(view.submit) + "</button>" : "") +
    "</div></div>";
  if (prev) restore(el.querySelector(".dialog"), prev);
}

function restore(dialog, values) {
  dialog.querySelectorAll(".block.input [data-action]").forEach((el) => {
    const v = (values[el.dataset.block] || {})[el.dataset.action];
    if (v === undefined) return;
    if (el.type === "radio") el.checked = el.value === v;
    else if (el.type === "checkbox") el.checked = v.split(",").includes(el.value);
    else el.value = v;
  });
}

async function api(path, body, signal) {
  const res = await fetch(path, body === undefined ? { signal } : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal,
  });
  const data = await res.json().catch(() => ({ ok: false, error: res.statusText }));
  if (!res.ok || data.ok === false) throw new Error(data.error || res.statusText);
  return data;
}

function showError(err) {
  const el = $("#error");
  if (!err) { el.hidden = true; return; }
  el.textContent = String(err.message || err);
  el.hidden = false;
  setTimeout(() => { el.hidden = true; }, 6000);
}

let version = ""; // the version of the state on the page
let watcher = null; // the AbortController of the waiting state request

let seen = 0; // the sequence number of the latest state shown

function render(st) {
  // An answer about someone else (from before switching person), or one overtaken by a later one
  // (a quick refresh that comes back after a waiting request), is dropped.
  if ((user && st.user !== user) || st.seq <= seen) return;
  seen = st.seq;
  const ps = JSON.stringify(st.people);
  if (ps !== last.people) {
    people = st.people;
    last.people = ps;
    last.dm = ""; // mentions are shown by name
    $("#person").innerHTML = people.map((p) => '<option value="' + esc(p.id) + '">' + esc(p.name) + "</option>").join("");
    if (!user) user = st.user;
    $("#person").value = user;
  }
  channels = st.channels || {};
  version = st.version;
  $("#now").textContent = "Reflect's clock: " + new Date(st.now).toUTCString();
  $("#now").dataset.now = st.now;
  const dm = JSON.stringify(st.dm);
  if (dm !== last.dm) { last.dm = dm; renderDM(st.dm); }
  const home = JSON.stringify(st.home);
  if (home !== last.home) { last.home = home; renderHome(st.home, st.home_id); }
  const top = st.views.length ? st.views[st.views.length - 1] : null;
  const v = JSON.stringify(top);
  if (v !== last.view) { last.view = v; renderModal(top); }
}

// refresh shows the state now.
async function refresh() {
  try {
    render(await api("/api/state?user=" + encodeURIComponent(user)));
  } catch (e) {
    // The watch loop reports nothing either: the next answer repairs the page.
  }
}

// watch keeps the page live: each request waits on the server until the state differs from the
// version shown (or a while has passed), so the bot's posts and updates appear as they happen.
async function watch() {
  for (;;) {
    const ctl = new AbortController();
    watcher = ctl;
    try {
      render(await api("/api/state?user=" + encodeURIComponent(user) + "&after=" + encodeURIComponent(version), undefined, ctl.signal));
    } catch (e) {
      if (!ctl.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1000)); // the server is away
    }
  }
}

function collect(dialog) {
  const values = {};
  dialog.querySelectorAll(".block.input [data-action]").forEach((el) => {
    const b = el.dataset.block, a = el.dataset.action;
    values[b] = values[b] || {};
    if (el.type === "radio") {
      if (el.checked) values[b][a] = el.value;
    } else if (el.type === "checkbox") {
      if (el.checked) values[b][a] = values[b][a] ? values[b][a] + "," + el.value : el.value;
    } else if (el.value !== "") {
      values[b][a] = el.value;
    }
  });
  return values;
}

async function act(el) {
  const msg = el.closest(".msg");
  const view = el.closest("[data-view]"); // a modal or the Home tab
  const body = { user, action_id: el.dataset.action };
  if (el.dataset.kind === "select") { body.select = true; body.value = el.value; }
  if (view) body.view_id = view.dataset.view;
  else if (msg) { body.channel = msg.dataset.channel; body.ts = msg.dataset.ts; }
  else return;
  await api("/api/click", body);
}

document.addEventListener("click", async (ev) => {
  const t = ev.target.closest("button");
  if (!t) return;
  try {
    if (t.dataset.tab) {
      tab = t.dataset.tab;
      document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b === t));
      $("#messages").hidden = tab !== "messages";
      $("#home").hidden = tab !== "home";
      $("#composer").hidden = tab !== "messages";
      if (tab === "home") await api("/api/home", { user });
    } else if (t.id === "next-prompt" || t.id === "end-of-month") {
      // Busy until the page shows where time went.
      document.body.dataset.busy = "1";
      document.querySelectorAll("#side button").forEach((b) => { b.disabled = true; });
      try {
        showNotes([]);
        const known = new Set([...document.querySelectorAll("#messages .msg")].map((m) => m.dataset.ts));
        const res = await api("/api/time", { user, to: t.id });
        await refresh();
        showNotes(res.notes);
        // Show where time went: the first message that came on the way.
        const fresh = [...document.querySelectorAll("#messages .msg")].find((m) => !known.has(m.dataset.ts));
        if (fresh && tab === "messages") fresh.scrollIntoView({ block: "start" });
      } finally {
        document.querySelectorAll("#side button").forEach((b) => { b.disabled = false; });
        delete document.body.dataset.busy;
      }
      return;
    } else if (t.id === "notes-close") {
      showNotes([]);
      return;
    } else if (t.id === "modal-submit") {
      const dialog = t.closest(".dialog");
      const res = await api("/api/submit", { user, view_id: dialog.dataset.view, values: collect(dialog) });
      if (res.ack && res.ack.errors) last.view = ""; // re-render with the errors
    } else if (t.id === "modal-close") {
      await api("/api/close", { user, view_id: t.closest(".dialog").dataset.view });
    } else if (t.dataset.kind === "click") {
      // Disabled while the click is on its way only: Slack's buttons stay live, and the bot may
      // leave the message as it is.
      t.disabled = true;
      try { await act(t); } finally { t.disabled = false; }
    } else {
      return;
    }
    await refresh();
  } catch (e) {
    showError(e);
  }
});

document.addEventListener("change", async (ev) => {
  const el = ev.target;
  if (el.dataset.kind !== "select" || el.closest(".block.input")) return; // inputs wait for Submit
  try { await act(el); await refresh(); } catch (e) { showError(e); }
});

$("#person").addEventListener("change", (ev) => {
  user = ev.target.value;
  showNotes([]); // they were about the person before
  last = { dm: "", home: "", view: "", people: last.people };
  version = "";
  if (watcher) watcher.abort(); // the watch loop starts again for this person
  if (tab === "home") api("/api/home", { user }).catch(showError);
  refresh();
});

$("#composer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("#text");
  const text = input.value.trim();
  if (!text) return;
  try {
    follow = true;
    await api("/api/send", { user, text });
    input.value = "";
  } catch (e) { showError(e); }
});

watch();
