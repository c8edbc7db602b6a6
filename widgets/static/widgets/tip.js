/* Bitcache payment screen: live payment status, countdown, copy buttons (the tip form's
   code is tip-form.js, the widget's height frame.js). Plain JS, no dependencies; every
   text comes from data-* attributes the server filled in the page's language.
   Amounts stay integers (BigInt): no floats. */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat(document.documentElement.lang || "en");

  function groupSats(digits) {
    return numbers.format(BigInt(digits));
  }

  /* --- The payment screen ------------------------------------------------- */
  var TEXT_KEYS = {
    awaiting_payment: "textAwaiting",
    in_mempool: "textMempool",
    confirmed: "textConfirmed",
    expired: "textExpired",
  };

  // Taken back: confirmed, then unpaid (reorg, replacement, drop); not back in mempool.
  var UNPAID = ["awaiting_payment", "expired"];

  function initStatus(box) {
    var line = box.querySelector("[data-status-text]");
    var takenBack = box.querySelector("[data-taken-back]");
    var finalDepth = Number(box.dataset.finalConfirmations || 0);
    var confirmations = Number(box.dataset.confirmations || 0);

    function setStatus(status) {
      box.dataset.status = status;
      box.querySelectorAll("[data-when]").forEach(function (section) {
        section.hidden = section.dataset.when.split(" ").indexOf(status) < 0;
      });
      box.querySelectorAll("[data-step]").forEach(function (step) {
        if (step.dataset.step === status) step.setAttribute("aria-current", "step");
        else step.removeAttribute("aria-current");
      });
    }

    // Values of the live state shown in the page: data-state-text (as is),
    // data-state-sats (grouped sats), data-state-href (a link), data-flag (shown if true).
    function show(state) {
      // A new amount to pay (a top-up after an underpayment, data-payment-uri) needs a
      // new QR code, which only the server draws.
      var request = box.dataset.paymentUri;
      if (request && state.payment_uri && state.payment_uri !== request) {
        window.location.reload();
        return;
      }
      var before = box.dataset.status;
      if (takenBack) {
        var lost = state.taken_back ||
          (before === "confirmed" && UNPAID.indexOf(state.status) >= 0);
        if (lost) takenBack.hidden = false;
        else if (UNPAID.indexOf(state.status) < 0) takenBack.hidden = true;
      }
      // Rewriting the live region only on a change keeps screen readers quiet otherwise.
      if (before !== state.status) {
        setStatus(state.status);
        line.textContent = box.dataset[TEXT_KEYS[state.status]];
      }
      if ("confirmations" in state) confirmations = Number(state.confirmations);
      if ("settled" in state) box.dataset.settled = String(state.settled);
      box.querySelectorAll("[data-flag]").forEach(function (node) {
        if (node.dataset.flag in state) node.hidden = !state[node.dataset.flag];
      });
      box.querySelectorAll("[data-state-text]").forEach(function (node) {
        var value = state[node.dataset.stateText];
        if (value !== undefined && value !== null) node.textContent = String(value);
      });
      box.querySelectorAll("[data-state-sats]").forEach(function (node) {
        var value = state[node.dataset.stateSats];
        if (value !== undefined && value !== null) node.textContent = groupSats(String(value));
      });
      box.querySelectorAll("[data-state-href]").forEach(function (node) {
        var value = state[node.dataset.stateHref];
        if (value) node.href = value;
      });
    }

    // Done when it cannot change: data-settled (unlocks), or confirmed deep enough
    // (live.selectors.FINAL_CONFIRMATIONS): a reorg can still undo a shallower one.
    function settled() {
      if (box.dataset.settled) return box.dataset.settled === "true";
      if (box.dataset.status !== "confirmed") return false;
      return !finalDepth || confirmations >= finalDepth;
    }

    // Pushed (live/stream.py); the browser reconnects after the last event id itself.
    function listen() {
      var source = new EventSource(box.dataset.eventsUrl);
      source.addEventListener("status", function (event) {
        var state = JSON.parse(event.data);
        if (TEXT_KEYS[state.status]) show(state);
      });
      source.addEventListener("final", function () {
        source.close();
      });
      source.addEventListener("error", function () {
        // Closed for good (refused): poll instead.
        if (source.readyState === EventSource.CLOSED) schedule();
      });
    }

    function poll() {
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (state && TEXT_KEYS[state.status]) show(state);
        })
        .catch(function () {})
        .then(schedule);
    }

    function schedule() {
      var status = box.dataset.status;
      if (settled()) return;
      // Expired (late payments count) and shallow confirmed tips: watched slowly.
      var slow = status === "expired" || status === "confirmed";
      var delay = slow ? 30000 : document.hidden ? 15000 : 4000;
      window.setTimeout(poll, delay);
    }

    setStatus(box.dataset.status);
    if (box.dataset.eventsUrl && window.EventSource && !settled()) listen();
    else schedule();
    initCountdown(box.querySelector("[data-countdown]"));
  }

  function initCountdown(node) {
    if (!node) return;
    var end = Date.parse(node.getAttribute("datetime"));
    function tick() {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(seconds / 60);
      node.textContent = minutes + ":" + String(seconds % 60).padStart(2, "0");
      if (seconds > 0) window.setTimeout(tick, 1000);
    }
    tick();
  }

  /* --- Copy buttons ------------------------------------------------------- */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP development sites have no Clipboard API: copy through a selection.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var copied = document.execCommand("copy");
    area.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function initCopy(button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copyFrom);
      copyText(source.value || source.textContent.trim()).then(function () {
        button.textContent = button.dataset.copied;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      }, function () {
        // Selecting the text lets the viewer copy it by hand.
        window.getSelection().selectAllChildren(source);
      });
    });
  }

  document.querySelectorAll("[data-tip-status]").forEach(initStatus);
  document.querySelectorAll("[data-copy-from]").forEach(initCopy);
})();
