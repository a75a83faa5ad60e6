// Demo-only toolbar: moves the embedded AfterShip sandbox's clock so the shipments on the
// page advance, and the widget shows the new checkpoints live (the sandbox sends signed
// webhooks to the proxy, which pushes the new view to open widgets). It is not part of
// the widget, and it only appears when the proxy runs on its embedded sandbox, the only
// mode in which /demo/clock and /demo/advance exist.
(function () {
  "use strict";

  // Not Intl: a first Intl call loads ICU on the main thread, which the widget avoids
  // (intl-warm.js), and this demo-only toolbar should not undo that.
  function fmt(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    var s = d.toISOString();
    return s.slice(0, 10) + " " + s.slice(11, 16) + " UTC";
  }

  function style(el, props) {
    for (var k in props) el.style[k] = props[k];
    return el;
  }

  function build(clock) {
    var bar = style(document.createElement("aside"), {
      position: "fixed", insetInlineEnd: "12px", insetBlockEnd: "12px", zIndex: "2147483000",
      display: "flex", flexWrap: "wrap", alignItems: "center", gap: "8px",
      maxWidth: "calc(100vw - 24px)", padding: "8px 12px", borderRadius: "8px",
      border: "2px dashed #8a4b00", background: "#fff8e1", color: "#3b2300",
      font: "14px/1.4 system-ui, sans-serif", boxShadow: "0 2px 8px rgba(0,0,0,.2)",
    });
    bar.id = "demo-controls";
    bar.setAttribute("aria-label", "Demo controls (not part of the tracking widget)");

    var label = document.createElement("span");
    label.textContent = "Demo · courier time: ";
    var now = document.createElement("time");
    now.dateTime = clock.now;
    now.textContent = fmt(clock.now);
    label.appendChild(now);

    var button = style(document.createElement("button"), {
      font: "inherit", padding: "4px 10px", borderRadius: "6px", cursor: "pointer",
      border: "1px solid #8a4b00", background: "#fff", color: "#3b2300",
    });
    button.type = "button";
    button.textContent = "Advance demo time by 1 day";
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch("/demo/advance", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hours: 24 }),
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (c) {
          now.dateTime = c.now;
          now.textContent = fmt(c.now);
        })
        .catch(function () { now.textContent = "unavailable"; })
        .finally(function () { button.disabled = false; });
    });

    bar.appendChild(label);
    bar.appendChild(button);
    document.body.appendChild(bar);
    // Leave room for the bar below the page's end, and keep a control that focus scrolls
    // into view from sliding under it (WCAG 2.4.11): on a short phone in landscape the bar
    // is two lines, a third of the screen.
    document.documentElement.style.scrollPaddingBottom = document.body.style.paddingBottom =
      "8rem";
  }

  function start() {
    fetch("/demo/clock")
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (clock) { if (clock && clock.now) build(clock); })
      .catch(function () {});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
