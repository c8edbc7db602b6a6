/* Stream overlays: alerts (a queue, one at a time, none dropped), a goal bar, supporters.
 * Everything arrives on one EventSource (overlays/stream.py); every text from a viewer
 * is put in with textContent, never as HTML. No request leaves our own origin. */
(function () {
  "use strict";

  var body = document.body;
  var want = body.dataset.want;
  var words = document.getElementById("overlay-words").dataset;
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function sats(amount) {
    return number.format(amount) + "\u00a0" + words.sats;
  }

  // A fiat figure (an exact decimal string) written for the page's language.
  function money(fiat) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: "currency", currency: fiat.currency,
      }).format(fiat.amount);
    } catch (e) {
      return fiat.amount + "\u00a0" + fiat.currency;
    }
  }

  // "2,100 sats · €1.89": the fiat value too when the tip had a rate.
  function amountText(alert) {
    return sats(alert.amount_sats) + (alert.fiat ? " · " + money(alert.fiat) : "");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- Alerts -----------------------------------------------------------------------
  var alertSettings = { min_sats: 0, tiers: [], speech: false };
  var queue = [];
  var seen = {};
  var current = null;
  var shownCount = 0;
  var GAP_MS = 600;
  var LEAVE_MS = 400;
  var SPEECH_MAX_MS = 30000;

  function tierFor(amount) {
    var chosen = { style: "plain", sound: "none", seconds: 6 };
    alertSettings.tiers.forEach(function (tier) {
      if (amount >= tier.min_sats) chosen = tier;
    });
    return chosen;
  }

  var audio = null;
  var SOUNDS = {
    chime: [[880, 0, 0.25], [1320, 0.18, 0.45]],
    coins: [[1568, 0, 0.08], [2093, 0.09, 0.08], [1568, 0.18, 0.08], [2637, 0.27, 0.25]],
    fanfare: [[523, 0, 0.18], [659, 0.18, 0.18], [784, 0.36, 0.18], [1047, 0.54, 0.6]],
  };

  function play(name) {
    var notes = SOUNDS[name];
    if (!notes || !window.AudioContext) return;
    try {
      audio = audio || new window.AudioContext();
      var start = audio.currentTime + 0.02;
      notes.forEach(function (note) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "triangle";
        osc.frequency.value = note[0];
        gain.gain.setValueAtTime(0.0001, start + note[1]);
        gain.gain.exponentialRampToValueAtTime(0.3, start + note[1] + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + note[1] + note[2]);
        osc.connect(gain).connect(audio.destination);
        osc.start(start + note[1]);
        osc.stop(start + note[1] + note[2] + 0.05);
      });
    } catch (e) {
      /* no sound: the alert still shows */
    }
  }

  function speak(alert, done) {
    var synth = window.speechSynthesis;
    if (!alertSettings.speech || !synth || !window.SpeechSynthesisUtterance) return done();
    var name = alert.name || words.anonymous;
    var text = words.speech.replace("{name}", name).replace("{amount}", number.format(alert.amount_sats));
    if (alert.message) text += " " + alert.message;
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "";
    var finished = false;
    function end() {
      if (!finished) { finished = true; done(); }
    }
    utterance.onend = end;
    utterance.onerror = end;
    setTimeout(end, SPEECH_MAX_MS);
    synth.speak(utterance);
    return utterance;
  }

  function enqueue(alert) {
    if (seen[alert.id]) return; // a replayed frame: shown (or queued) once only
    seen[alert.id] = true;
    queue.push(alert);
    next();
  }

  function retract(alertId) {
    queue.forEach(function (alert) {
      if (alert.id === alertId) alert.message = "";
    });
    if (current && current.alert.id === alertId) {
      current.alert.message = "";
      current.message.textContent = "";
      if (window.speechSynthesis && current.speaking) window.speechSynthesis.cancel();
    }
  }

  function next() {
    if (current || !queue.length) return;
    show(queue.shift());
  }

  function show(alert) {
    var stage = document.querySelector("[data-alert-stage]");
    var tier = tierFor(alert.amount_sats);
    var card = el("section", "alert alert-" + tier.style);
    card.setAttribute("data-alert", alert.id);
    var head = el("p", "alert-head");
    head.appendChild(el("span", "alert-name", alert.name || words.anonymous));
    head.appendChild(document.createTextNode(" " + words.tipped + " "));
    head.appendChild(el("span", "alert-amount", amountText(alert)));
    var message = el("p", "alert-message", alert.message || "");
    var note = el("p", "alert-note", alert.test ? words.test : alert.unconfirmed ? words.unconfirmed : "");
    card.appendChild(head);
    card.appendChild(message);
    card.appendChild(note);
    stage.appendChild(card);
    current = { alert: alert, card: card, message: message, speaking: false };
    shownCount += 1;
    body.dataset.alertsShown = String(shownCount);
    requestAnimationFrame(function () { card.classList.add("is-shown"); });
    play(tier.sound);

    var pending = 2; // the display time, and the speech (if any)
    function part() {
      pending -= 1;
      if (pending === 0) leave();
    }
    setTimeout(part, (tier.seconds || 6) * 1000);
    current.speaking = !!speak(alert, part); // calls part() when done, or at once
  }

  function leave() {
    var card = current.card;
    card.classList.remove("is-shown");
    setTimeout(function () {
      card.remove();
      current = null;
      setTimeout(next, GAP_MS);
    }, LEAVE_MS);
  }

  // --- Goal -------------------------------------------------------------------------
  function showGoal(goal) {
    var box = document.querySelector("[data-goal]");
    box.hidden = false;
    document.querySelector("[data-goal-title]").textContent = goal.title;
    document.querySelector("[data-goal-title]").hidden = !goal.title;
    var known = goal.percent !== null; // a fiat goal without a fresh rate: no percentage
    document.querySelector("[data-goal-fill]").style.width = (known ? goal.percent : 0) + "%";
    var bar = document.querySelector("[data-goal-bar]");
    if (known) bar.setAttribute("aria-valuenow", String(goal.percent));
    else bar.removeAttribute("aria-valuenow");
    document.querySelector("[data-goal-figures]").textContent = goalText(goal);
  }

  function goalText(goal) {
    var fiat = function (amount) { return money({ amount: amount, currency: goal.currency }); };
    if (goal.unit === "fiat") {
      if (goal.raised_fiat === null) {
        return sats(goal.raised_sats) + " · " + words.fiatUnavailable.replace("{currency}", goal.currency);
      }
      return fiat(goal.raised_fiat) + " / " + fiat(goal.target_fiat) + " (" + goal.percent + "%) · " +
        sats(goal.raised_sats);
    }
    var line = number.format(goal.raised_sats) + " / " + sats(goal.target_sats) + " (" + goal.percent + "%)";
    return goal.raised_fiat === null ? line : line + " · " + fiat(goal.raised_fiat);
  }

  // --- Supporters -------------------------------------------------------------------
  function showSupporters(state) {
    var box = document.querySelector("[data-supporters]");
    var title = document.querySelector("[data-supporters-title]");
    title.textContent = state.mode === "top" ? title.dataset.top : title.dataset.latest;
    var list = document.querySelector("[data-supporters-list]");
    list.replaceChildren();
    state.rows.forEach(function (row) {
      var item = el("li");
      item.appendChild(el("span", "supporter-name", row.name || words.anonymous));
      var fiat = row.amount_fiat ? " · " + money({ amount: row.amount_fiat, currency: state.currency }) : "";
      item.appendChild(el("span", "supporter-amount", sats(row.amount_sats) + fiat));
      list.appendChild(item);
    });
    box.hidden = false;
  }

  // --- The stream -------------------------------------------------------------------
  if (!window.EventSource) return;
  var source = new EventSource(body.dataset.eventsUrl + "&after=" + body.dataset.after);
  source.addEventListener("open", function () {
    body.dataset.live = "true"; // connected (tests and curious streamers can tell)
  });
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (want === "alerts") alertSettings = state;
    else if (want === "goal") showGoal(state);
    else if (want === "supporters") showSupporters(state);
  });
  source.addEventListener("alert", function (event) {
    var alert = JSON.parse(event.data);
    if (alert.test || alert.amount_sats >= alertSettings.min_sats) enqueue(alert);
  });
  source.addEventListener("retract", function (event) {
    retract(JSON.parse(event.data).alert);
  });
  source.addEventListener("gone", function () {
    source.close(); // the token was regenerated: this URL shows nothing any more
    body.dataset.gone = "true";
  });
})();
