/* The creator's goal on the tip page and the widget (widgets/_goal.html): figures pushed
   by /@<handle>/goal/events, or polled from goal.json where the server cannot push.
   The title is the creator's text: set with textContent only. Fiat figures arrive as
   exact decimal strings and are written for the page's language (Intl). */
(function () {
  "use strict";

  var box = document.querySelector("[data-public-goal]");
  if (!box) return;
  var lang = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(lang);
  var title = box.querySelector("[data-goal-title]");
  var bar = box.querySelector("[data-goal-bar]");
  var figures = box.querySelector("[data-goal-figures]");
  var POLL_MS = 15000;

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(amount);
    } catch (e) {
      return amount + "\u00a0" + currency;
    }
  }

  function satsText(sats) {
    return numbers.format(sats) + "\u00a0" + box.dataset.sats;
  }

  function text(goal) {
    if (goal.unit === "fiat") {
      if (goal.raised_fiat === null) {
        return satsText(goal.raised_sats) + " · " + box.dataset.unavailable.replace("{currency}", goal.currency);
      }
      return money(goal.raised_fiat, goal.currency) + " / " + money(goal.target_fiat, goal.currency) +
        " (" + goal.percent + "%) · " + satsText(goal.raised_sats);
    }
    var line = numbers.format(goal.raised_sats) + " / " + satsText(goal.target_sats) + " (" + goal.percent + "%)";
    if (goal.raised_fiat !== null) line += " · " + money(goal.raised_fiat, goal.currency);
    return line;
  }

  function show(goal) {
    box.hidden = !goal; // the creator stopped showing it
    if (!goal) return;
    title.textContent = goal.title || title.dataset.defaultTitle;
    if (goal.percent === null) bar.removeAttribute("value");
    else bar.value = goal.percent;
    figures.textContent = text(goal);
    box.dataset.percent = goal.percent === null ? "" : String(goal.percent);
  }

  function poll() {
    fetch(box.dataset.jsonUrl, { credentials: "omit" })
      .then(function (response) {
        if (response.status === 404) return null;
        return response.ok ? response.json() : undefined;
      })
      .then(function (goal) {
        if (goal !== undefined) show(goal);
      })
      .catch(function () { /* offline a moment: the next poll tries again */ })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }

  if (!window.EventSource) {
    setTimeout(poll, POLL_MS);
    return;
  }
  var source = new EventSource(box.dataset.eventsUrl);
  source.addEventListener("open", function () { box.dataset.live = "true"; });
  source.addEventListener("goal", function (event) { show(JSON.parse(event.data)); });
  source.addEventListener("error", function () {
    // 204 (a server that cannot push) or a 404: the browser gives up; poll instead.
    if (source.readyState === EventSource.CLOSED) setTimeout(poll, POLL_MS);
  });
})();
