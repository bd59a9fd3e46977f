// The desk's own script: the live newsroom list and keyboard shortcuts.
// Everything else is htmx attributes in the pages; nothing here keeps
// state that the server does not have.
"use strict";

(function () {
  // The newsroom list follows the server's event stream and reloads
  // itself (the same address, so filters and page stay) a moment after
  // others change something.
  var source = null, timer = null;
  function live() {
    var list = document.getElementById("list");
    if (!list || !list.dataset.live) {
      if (source) { source.close(); source = null; }
      return;
    }
    if (source) return;
    source = new EventSource(list.dataset.live);
    source.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var el = document.getElementById("list");
        if (!el || !window.htmx) return;
        htmx.ajax("GET", location.pathname + location.search, { target: "#list", select: "#list", swap: "outerHTML" }).then(function () {
          var s = document.getElementById("live-status");
          if (s) s.textContent = s.dataset.updated || "";
        });
      }, 300);
    });
    source.addEventListener("down", function () {
      var b = document.getElementById("banner");
      if (b) b.dataset.down = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", live);
  document.addEventListener("htmx:afterSettle", live);
})();

(function () {
  // The editor's previews follow the text: a moment after typing stops,
  // each language's preview button sends the form to its frame, where
  // publishing renders the page as the site will show it.
  var timer = null;
  // One after the other: a form submitted again before its last
  // submission started navigating replaces that submission.
  function refresh() {
    document.querySelectorAll("#editor .preview-btn").forEach(function (b, i) {
      setTimeout(function () { b.click(); }, i * 250);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("editor");
    if (!form) return;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    });
    refresh();
  });
})();
