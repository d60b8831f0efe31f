// The incident page's live timeline: entries arrive as Server-Sent Events (only those the
// viewer's organisation may see) and are added on top, as text, never as HTML.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("stream").textContent);
  const body = document.getElementById("timeline");
  if (!config.live || !body || !window.EventSource) {
    return;
  }
  const seen = new Set(Array.from(body.rows, (row) => row.dataset.seq));
  const when = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) {
      td.className = className;
    }
  }
  const events = new EventSource(config.events);
  events.addEventListener("open", () => {
    document.getElementById("live").hidden = false;
  });
  events.addEventListener("entry", (message) => {
    const entry = JSON.parse(message.data);
    if (seen.has(String(entry.seq))) {
      return;
    }
    seen.add(String(entry.seq));
    const row = body.insertRow(0);
    row.dataset.seq = entry.seq;
    row.className = "new";
    cell(row, String(entry.seq));
    cell(row, when.format(new Date(entry.at)));
    cell(row, (entry.actor.display || entry.actor.user_id) + " (" + entry.actor.org + ")");
    cell(row, entry.text, "text");
    cell(row, entry.tlp);
  });
})();
