/* Bitcache viewer pages inside a frame (the widget): tell the embedding page our height,
   for embed.js to size the frame. Plain JS, no dependencies. */
(function () {
  "use strict";

  function reportHeight() {
    var last = 0;
    function send() {
      var height = Math.ceil(document.body.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      // Only a height is sent, so any origin may read it; embed.js checks ours.
      window.parent.postMessage({ type: "bitcache:height", height: height }, "*");
    }
    new ResizeObserver(send).observe(document.body);
    send();
  }

  if (window.parent !== window) reportHeight();
})();
