/*
 * The creator's dashboard, live: a tip that moves (paid, confirmed, taken back) shows
 * in the table and the totals without a reload.
 *
 * One EventSource on the dashboard's channel (dashboard/stream.py); each `tips` event
 * carries the changed rows, rendered by the server with the table's own template (every
 * viewer's text escaped by Django there), and the overview's totals. Where the stream
 * is unavailable (no EventSource, or the server answered 204 under WSGI) the page polls
 * the same reads as JSON (dashboard/events.py) every few seconds instead.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;

  function fragment(html, context) {
    // Server-rendered markup (escaped by Django), parsed in the right context: a <tr>
    // needs a table body around it.
    var template = document.createElement("template");
    template.innerHTML = context ? "<table><tbody>" + html + "</tbody></table>" : html;
    return context ? template.content.querySelector("tr") : template.content;
  }

  function init(indicator) {
    var table = document.querySelector("table[data-live-rows]");
    var body = table && table.tBodies[0];
    var keep = table ? parseInt(table.dataset.liveRows, 10) || 0 : 0;
    var totals = document.querySelector("[data-live-totals]");
    var cursor = indicator.dataset.cursor;

    function say(state) {
      indicator.dataset.state = state;
      indicator.textContent = indicator.dataset[state + "Label"] || "";
    }

    function place(tip) {
      if (!body) return;
      var row = fragment(tip.row, true);
      if (!row) return;
      var old = body.querySelector('tr[data-tip="' + CSS.escape(tip.id) + '"]');
      if (old) {
        old.replaceWith(row);
        return;
      }
      // A tip not shown yet: in its place, newest first, if it is among the newest (a
      // row made the same microsecond was made before it: the table's order by id).
      var rows = Array.prototype.slice.call(body.rows);
      var before = rows.find(function (other) {
        return Number(other.dataset.created) <= tip.created;
      });
      if (!before && keep && rows.length >= keep) return; // older than every row shown
      body.insertBefore(row, before || null);
      while (keep && body.rows.length > keep) body.deleteRow(body.rows.length - 1);
      var wrapper = table.closest("[data-live-table]");
      if (wrapper) wrapper.hidden = false;
      var empty = document.querySelector("[data-live-empty]");
      if (empty) empty.hidden = true;
    }

    function apply(data) {
      (data.tips || []).forEach(place);
      if (totals && data.totals) totals.replaceChildren(fragment(data.totals, false));
    }

    function poll() {
      var url = indicator.dataset.pollUrl + "&cursor=" + encodeURIComponent(cursor);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data) {
            apply(data);
            cursor = data.cursor;
          }
        })
        .catch(function () {})
        .then(function () {
          window.setTimeout(poll, document.hidden ? 3 * POLL_MS : POLL_MS);
        });
    }

    function startPolling() {
      say("polling");
      window.setTimeout(poll, POLL_MS);
    }

    if (!window.EventSource) {
      startPolling();
      return;
    }
    var source = new EventSource(
      indicator.dataset.eventsUrl + "&cursor=" + encodeURIComponent(cursor)
    );
    source.addEventListener("open", function () {
      say("live");
    });
    source.addEventListener("tips", function (event) {
      apply(JSON.parse(event.data));
      cursor = event.lastEventId || cursor;
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (204 under WSGI, or an error): poll from the last cursor instead.
        source.close();
        startPolling();
      } else {
        say("offline"); // reconnecting by itself, with Last-Event-ID
      }
    });
  }

  function start() {
    var indicator = document.querySelector("[data-live-dashboard]");
    if (indicator) init(indicator);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
