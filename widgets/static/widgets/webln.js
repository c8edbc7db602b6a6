/* Bitcache payment screens with a Lightning invoice: one click when the browser has a
   WebLN wallet (window.webln). Loaded only by screens that show an invoice. */
(function () {
  "use strict";
  var webln = window.webln;
  if (!webln) return;
  document.querySelectorAll("[data-webln-invoice]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      // The paid state arrives by the live status, from the creator's wallet; a refusal
      // in the wallet leaves the QR code and the link.
      Promise.resolve(webln.enable())
        .then(function () {
          return webln.sendPayment(button.dataset.weblnInvoice);
        })
        .catch(function () {});
    });
  });
})();
