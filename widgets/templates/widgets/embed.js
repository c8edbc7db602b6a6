/* Bitcache embed loader.
   <script src="{{ origin }}/embed.js" data-widget="WIDGET_ID" async></script>
   puts the tip widget in an iframe right after the script tag and keeps the iframe
   as tall as the widget, which reports its height with postMessage.
   data-unlock="ITEM_ID" instead puts a paid unlock's widget there. */
(function () {
  "use strict";
  var ORIGIN = "{{ origin|escapejs }}";
  var TITLE = "{{ titles.widget|escapejs }}";
  var UNLOCK_TITLE = "{{ titles.unlock|escapejs }}";

  function embed(script) {
    var widget = script.getAttribute("data-widget");
    var id = widget || script.getAttribute("data-unlock");
    if (!id || script.hasAttribute("data-bitcache-embedded")) return;
    script.setAttribute("data-bitcache-embedded", "");

    var frame = document.createElement("iframe");
    frame.src = ORIGIN + (widget ? "/w/" : "/w/u/") + encodeURIComponent(id) + "/";
    frame.title = widget ? TITLE : UNLOCK_TITLE;
    frame.loading = "lazy";
    frame.allow = "clipboard-write";
    // Set through the CSSOM, which the host page's CSP allows, unlike a style attribute.
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.maxWidth = "420px";
    frame.style.height = "480px";
    frame.style.border = "0";
    frame.style.overflow = "hidden";
    script.parentNode.insertBefore(frame, script.nextSibling);

    window.addEventListener("message", function (event) {
      // Only this frame's own messages, from the Bitcache origin, move it.
      if (event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || data.type !== "bitcache:height") return;
      var height = Math.ceil(Number(data.height));
      if (height > 0 && height < 4000) frame.style.height = height + "px";
    });
  }

  var scripts = document.currentScript
    ? [document.currentScript]
    : document.querySelectorAll(
        'script[data-widget][src$="/embed.js"], script[data-unlock][src$="/embed.js"]'
      );
  for (var i = 0; i < scripts.length; i++) embed(scripts[i]);
})();
