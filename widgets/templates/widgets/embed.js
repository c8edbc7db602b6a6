/* Bitcache embed loader.
   <script src="{{ origin }}/embed.js" data-widget="WIDGET_ID" async></script>
   puts the tip widget in an iframe right after the script tag and keeps the iframe
   as tall as the widget, which reports its height with postMessage.
   data-unlock="ITEM_ID" instead puts a paid unlock's widget there.
   A widget its creator keeps to some sites becomes a plain link to the tip page on others. */
(function () {
  "use strict";
  var ORIGIN = "{{ origin|escapejs }}";
  var TITLE = "{{ titles.widget|escapejs }}";
  var UNLOCK_TITLE = "{{ titles.unlock|escapejs }}";

  // Whether this page's origin may frame the widget, as its CSP frame-ancestors says
  // (config.allowed_origins: none means any site; "https://*.host" means its subdomains).
  function allowedHere(allowed) {
    if (!allowed || !allowed.length) return true;
    var here = new URL(window.location.href);
    var port = here.port || (here.protocol === "https:" ? "443" : "80");
    for (var i = 0; i < allowed.length; i++) {
      var source = allowed[i];
      var subdomains = source.indexOf("://*.") !== -1;
      var wanted = new URL(source.replace("*.", ""));
      var wantedPort = wanted.port || (wanted.protocol === "https:" ? "443" : "80");
      if (wanted.protocol !== here.protocol || wantedPort !== port) continue;
      if (subdomains ? here.hostname.slice(-wanted.hostname.length - 1) === "." + wanted.hostname
                     : here.hostname === wanted.hostname) return true;
    }
    return false;
  }

  // Where the creator did not allow this site, the browser would show its grey
  // "refused to connect" box in the frame: a plain link to the tip page instead.
  function link(script, config) {
    var a = document.createElement("a");
    a.href = config.tip_page;
    a.textContent = config.link_text;
    a.setAttribute("data-bitcache-link", "");
    script.parentNode.insertBefore(a, script.nextSibling);
  }

  function embed(script) {
    var widget = script.getAttribute("data-widget");
    var id = widget || script.getAttribute("data-unlock");
    if (!id || script.hasAttribute("data-bitcache-embedded")) return;
    script.setAttribute("data-bitcache-embedded", "");
    if (!widget || !window.fetch || !window.URL) return frame(script, widget, id);
    // The widget's own small config, from our origin only: no other request is made.
    fetch(ORIGIN + "/w/" + encodeURIComponent(id) + "/config.json", { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (config) {
        if (allowedHere(config.allowed_origins)) frame(script, widget, id);
        else link(script, config);
      })
      .catch(function () { frame(script, widget, id); });
  }

  function frame(script, widget, id) {
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
