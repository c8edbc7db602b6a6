/* Bitcache tip form: amount checks in sats or in fiat (the toggle), suggested amounts,
   message counter. Loaded by the tip form only. Plain JS, no dependencies;
   every text comes from data-* attributes the server filled in the page's language.
   Amounts stay integers (BigInt) and BTC is built from the digits: no floats. */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat(document.documentElement.lang || "en");

  function groupSats(digits) {
    return numbers.format(BigInt(digits));
  }

  // "5000" -> "0.00005": the sats digits with the point moved eight places.
  function satsToBtc(digits) {
    var padded = digits.replace(/^0+/, "").padStart(9, "0");
    var fraction = padded.slice(-8).replace(/0+$/, "");
    return padded.slice(0, -8) + (fraction ? "." + fraction : "");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  /* --- The tip form ------------------------------------------------------ */

  // Fiat at the page's rate, in integers and half up as the server does (rates.money).
  function scaled(text, places) {
    var m = /^(\d+)(?:[.,](\d*))?$/.exec(text.replace(/\s/g, ""));
    if (!m || (m[2] || "").length > places) return null;
    return BigInt(m[1] + (m[2] || "").padEnd(places, "0"));
  }

  function Fiat(box) {
    var places = Number(box.dataset.digits);
    var rate = scaled(box.dataset.rate, 8) * 10n ** BigInt(places); // minor units per BTC, x1e8
    var big = 10n ** 16n;
    var format = new Intl.NumberFormat(document.documentElement.lang || "en", {
      style: "currency", currency: box.dataset.currency,
      minimumFractionDigits: places, maximumFractionDigits: places,
    });
    this.toSats = function (text) {
      var minor = scaled(text, places);
      return minor === null ? null : (2n * minor * big + rate) / (2n * rate);
    };
    this.ofSats = function (sats) {
      var d = ((2n * sats * rate + big) / (2n * big)).toString().padStart(places + 1, "0");
      return places ? d.slice(0, -places) + "." + d.slice(-places) : d;
    };
    this.show = function (text) {
      return format.format(text);
    };
  }

  function initForm(form) {
    var data = form.dataset;
    var input = form.querySelector("[name=amount_sats]");
    var field = form.querySelector("[data-amount-field]");
    var fiatBox = field.querySelector("[data-unit=fiat]");
    var satsBox = field.querySelector("[data-unit=sats]");
    var fiatInput = fiatBox ? fiatBox.querySelector("input") : null;
    var toggle = field.querySelector("[data-unit-toggle]");
    var fiat = fiatBox ? new Fiat(fiatBox) : null;
    var unit = fiat && field.dataset.active === "fiat" ? "fiat" : "sats";
    var btc = form.querySelector("[data-btc]");
    var error = form.querySelector("[data-amount-error]");
    var submit = form.querySelector("[type=submit]");
    var presets = form.querySelector("[data-presets]");
    var message = form.querySelector("[name=message]");
    var counter = form.querySelector("[data-counter]");
    var min = BigInt(data.min);
    var max = BigInt(data.max);

    function active() {
      return unit === "fiat" ? fiatInput : input;
    }

    // The amount in sats as typed (or converted from fiat), or null if it is not one.
    function sats() {
      var text = active().value.trim();
      if (unit === "fiat") return fiat.toSats(text);
      return /^\d+$/.test(text) ? BigInt(text) : null;
    }

    function problem() {
      var text = active().value.trim();
      var invalid = unit === "fiat" ? data.messageInvalidFiat : data.messageInvalid;
      if (unit === "sats" && input.validity.badInput) return invalid;
      if (!text) return unit === "fiat" ? data.messageRequiredFiat : data.messageRequired;
      var amount = sats();
      if (amount === null) return invalid;
      if (amount < min) return unit === "fiat" ? data.messageMinFiat : data.messageMin;
      if (amount > max) return data.messageMax;
      return "";
    }

    function setUnit(next) {
      unit = next;
      satsBox.hidden = unit !== "sats";
      input.disabled = unit !== "sats";
      if (fiatBox) {
        fiatBox.hidden = unit !== "fiat";
        fiatInput.disabled = unit !== "fiat";
        toggle.textContent = unit === "fiat" ? toggle.dataset.toSats : toggle.dataset.toFiat;
      }
    }

    function showError(text) {
      error.textContent = text;
      active().setAttribute("aria-invalid", text ? "true" : "false");
    }

    function update() {
      var trouble = problem();
      var amount = trouble ? null : sats();
      var digits = amount === null ? "" : amount.toString();
      var shown = "";
      if (amount !== null) {
        shown = "= " + satsToBtc(digits) + " BTC";
        if (unit === "fiat") shown = "= " + groupSats(digits) + " sats (" + satsToBtc(digits) + " BTC)";
        else if (fiat) shown += " ≈ " + fiat.show(fiat.ofSats(amount));
      }
      btc.textContent = shown;
      submit.textContent = trouble
        ? data.submitPlain
        : fill(data.submitTemplate, { amount: groupSats(digits) });
      if (!trouble) showError("");
      if (presets) {
        presets.querySelectorAll("[data-amount]").forEach(function (button) {
          button.setAttribute("aria-pressed", String(button.dataset.amount === digits));
        });
      }
    }

    // The server checks everything again; this only spares a round trip.
    form.noValidate = true;
    [input, fiatInput].forEach(function (box) {
      if (!box) return;
      box.addEventListener("input", update);
      box.addEventListener("change", function () {
        showError(problem());
      });
    });
    if (fiat) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        // The amount carries over, converted: the viewer switches units, not amounts.
        var amount = problem() ? null : sats();
        if (unit === "sats") {
          if (amount !== null) fiatInput.value = fiat.ofSats(amount);
          setUnit("fiat");
        } else {
          if (amount !== null) input.value = amount.toString();
          setUnit("sats");
        }
        update();
        active().focus();
      });
      setUnit(unit);
    }
    form.addEventListener("submit", function (event) {
      var trouble = problem();
      if (trouble) {
        event.preventDefault();
        showError(trouble);
        active().focus();
        return;
      }
      submit.disabled = true;
      submit.setAttribute("aria-busy", "true");
    });
    // Back from the payment page with the browser's cache: the button must work again.
    window.addEventListener("pageshow", function () {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    });

    if (presets) {
      presets.hidden = false;
      presets.addEventListener("click", function (event) {
        var button = event.target.closest("[data-amount]");
        if (!button) return;
        if (unit === "fiat" && button.dataset.fiat) fiatInput.value = button.dataset.fiat;
        else if (unit === "fiat") fiatInput.value = fiat.ofSats(BigInt(button.dataset.amount));
        else input.value = button.dataset.amount;
        update();
      });
    }
    if (message && counter) {
      var countChars = function () {
        counter.textContent = message.value.length + " / " + message.maxLength;
      };
      message.addEventListener("input", countChars);
      countChars();
    }
    update();
  }

  document.querySelectorAll("[data-tip-form]").forEach(initForm);
})();
