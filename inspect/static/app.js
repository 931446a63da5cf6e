// Touchpoint inspector. Everything the server sends is shown with
// textContent, never parsed as HTML, except the server's own escaped
// page fragments on live refresh.
"use strict";
(function () {
  var main = document.getElementById("content");

  // Live refresh of server-rendered pages.
  var every = main ? parseInt(main.getAttribute("data-refresh") || "0", 10) : 0;
  if (every > 0) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      var u = new URL(window.location.href);
      u.searchParams.set("fragment", "1");
      fetch(u.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { main.innerHTML = html; })
        .catch(function () {})
        .then(function () { busy = false; });
    }, every * 1000);
  }

  // The live event stream.
  var table = document.getElementById("events");
  if (!table || !window.EventSource) return;
  var tbody = table.tBodies[0];
  var conn = document.getElementById("conn");
  var maxRows = 500;
  var reveal = table.getAttribute("data-reveal") === "true";
  var gaps = 0;

  function set(id, v) { var e = document.getElementById(id); if (e) e.textContent = String(v); }
  function td(tr, text, cls) {
    var c = document.createElement("td");
    c.textContent = text == null ? "" : String(text);
    if (cls) c.className = cls;
    tr.appendChild(c);
    return c;
  }
  function abbr(v) {
    return /^ps1_[0-9a-f]{32}$/.test(v || "") ? v.slice(0, 12) + "\u2026" : v;
  }
  function idCell(tr, v) { var c = td(tr, abbr(v), "id"); c.title = v || ""; }
  function add(row) {
    var tr = document.createElement("tr");
    tr.className = "fresh";
    tr.setAttribute("data-seq", String(row.seq));
    tr.title = "messageId " + row.id;
    td(tr, row.clock).title = row.at + ", event time " + row.time; td(tr, row.point); td(tr, row.type); td(tr, row.name, "name");
    td(tr, row.channel); td(tr, row.category);
    td(tr, row.place + (row.zone ? " / " + row.zone : ""));
    idCell(tr, row.user); idCell(tr, row.anon); idCell(tr, row.profile); idCell(tr, row.device);
    var keys = td(tr, (row.keys || []).join(", "), "keys");
    if (reveal && row.payload) {
      var d = document.createElement("details"), s = document.createElement("summary"), p = document.createElement("pre");
      s.textContent = "payload"; p.textContent = row.payload;
      d.appendChild(s); d.appendChild(p); keys.appendChild(d);
    }
    td(tr, row.err ? row.err : "ok", row.err ? "bad" : "good");
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.rows.length > maxRows) tbody.deleteRow(tbody.rows.length - 1);
    set("shown", tbody.rows.length);
    var rec = document.getElementById("recorded");
    if (rec && row.seq > parseInt(rec.textContent, 10)) rec.textContent = String(row.seq);
  }

  var es = new EventSource(table.getAttribute("data-stream"));
  es.onopen = function () { conn.textContent = "live"; conn.className = "conn live"; };
  es.onerror = function () { conn.textContent = "reconnecting"; conn.className = "conn down"; };
  es.onmessage = function (m) { add(JSON.parse(m.data)); };
  es.addEventListener("gap", function (m) { gaps += JSON.parse(m.data).skipped; set("gaps", gaps); });
  es.addEventListener("stats", function (m) {
    var s = JSON.parse(m.data);
    set("recorded", s.Recorded); set("dropped", s.Dropped);
  });
  window.addEventListener("pagehide", function () { es.close(); });
})();
