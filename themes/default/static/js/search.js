/* Search results with Pagefind's Default UI, on /search/ only. The UI's files come from the index
   bundle (data-bundle), loaded from here so that a build without an index has no broken links.
   Reads ?q= (the search form on every page sends it) and keeps it in the address bar, so a search
   can be shared or bookmarked. Without JavaScript, or without an index, the fallback text stays. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.getAttribute("data-bundle");

  function start() {
    if (typeof window.PagefindUI !== "function") return;
    var params = new URLSearchParams(location.search);
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      showImages: false,
      showSubResults: true,
      resetStyles: false,
      autofocus: !params.get("q"),
      processTerm: function (term) {
        var url = new URL(location.href);
        if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
        history.replaceState(null, "", url);
        return term;
      },
      translations: { placeholder: "Search this site" }
    });
    var fallback = document.querySelector(".search-fallback");
    if (fallback) fallback.hidden = true;
    if (params.get("q")) ui.triggerSearch(params.get("q"));
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  var js = document.createElement("script");
  js.src = bundle + "pagefind-ui.js";
  js.onload = start;
  /* Styles first, so the search box never draws unstyled. */
  css.onload = css.onerror = function () { document.head.appendChild(js); };
  document.head.appendChild(css);
})();
