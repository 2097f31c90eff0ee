// Injected while serving only (never in build output): live reload, CSS swaps, the error overlay.
(() => {
  const me = document.currentScript, es = new EventSource("/_sb/events?since=" + (me?.dataset.epoch ?? ""));
  const el = (tag, text) => Object.assign(document.createElement(tag), {textContent: text});
  const clear = () => document.getElementById("sb-overlay")?.remove();
  es.onopen = () => { window.__sbOpen = true; };
  es.addEventListener("reload", () => location.reload());
  es.addEventListener("ok", clear);
  es.addEventListener("css", () => document.querySelectorAll('link[rel="stylesheet"]').forEach((link) => {
    const url = new URL(link.href); url.searchParams.set("_sb", Date.now()); link.href = url.href;
  }));
  es.addEventListener("error", (e) => {
    if (!e.data) return;  // a dropped connection, not a build error: EventSource reconnects by itself
    clear();
    const o = Object.assign(el("div", ""), {id: "sb-overlay"}); o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,20,.93);color:#fff;font:16px/1.5 monospace;white-space:pre-wrap";
    o.append(el("h2", "The site did not build"));
    for (const d of JSON.parse(e.data).diagnostics) {
      const where = d.line ? d.path + ":" + d.line : d.path;
      o.append(el("p", where + ": " + d.message + (d.hint ? "\n  " + d.hint : "")));
    }
    o.append(el("p", "The page underneath is the last good build."));
    document.body.append(o);
  });
})();
