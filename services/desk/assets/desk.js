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
  // Once the form is submitted to be saved, no preview is sent: a form
  // submitted again before its last submission started navigating
  // replaces that submission, and the save would be lost.
  var saving = false;
  // One after the other, for the same reason.
  function refresh() {
    document.querySelectorAll("#editor .preview-btn").forEach(function (b, i) {
      setTimeout(function () { if (!saving) b.click(); }, i * 250);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("editor");
    if (!form) return;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    });
    form.addEventListener("submit", function (e) {
      if (e.submitter && e.submitter.classList.contains("preview-btn")) return;
      saving = true;
      clearTimeout(timer);
    });
    // A page brought back from the browser's history may be saved again.
    window.addEventListener("pageshow", function () { saving = false; });
    refresh();
  });
})();

(function () {
  // The side-by-side is keyboard first: Ctrl+Enter saves the segment and
  // moves to the next, Ctrl+Up and Ctrl+Down move between segments, and
  // Alt+1 to Alt+9 apply a memory suggestion of the segment.
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".seg textarea.target")); }
  function move(from, by) {
    var all = rows(), i = all.indexOf(from);
    if (i < 0) return;
    var to = all[i + by];
    if (to) { to.focus(); to.scrollIntoView({ block: "center" }); }
  }
  function apply(row, n) {
    var b = row.querySelectorAll(".apply")[n];
    if (!b) return;
    var t = row.querySelector("textarea.target");
    t.value = b.dataset.target;
    t.focus();
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t.classList || !t.classList.contains("target")) return;
    var row = t.closest(".seg");
    if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault();
      row.querySelector("input[name=move]").value = "next";
      row.requestSubmit();
    } else if (e.ctrlKey && e.key === "ArrowDown") {
      e.preventDefault(); move(t, 1);
    } else if (e.ctrlKey && e.key === "ArrowUp") {
      e.preventDefault(); move(t, -1);
    } else if (e.altKey && e.key >= "1" && e.key <= "9") {
      e.preventDefault(); apply(row, Number(e.key) - 1);
    }
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest(".apply");
    if (!b) return;
    var row = b.closest(".seg");
    apply(row, Array.prototype.indexOf.call(row.querySelectorAll(".apply"), b));
  });
  document.addEventListener("DOMContentLoaded", function () {
    var f = document.getElementById("focus");
    var t = f && document.getElementById("t-" + f.dataset.id);
    if (t) { t.focus(); t.scrollIntoView({ block: "center" }); }
  });
})();

(function () {
  // The editor's photo picker: choosing a photo puts its figure line in
  // the body of its language, in a paragraph of its own where the cursor
  // last was (at the end when the body was never touched), selects the
  // caption so that typing replaces it, and refreshes the preview.
  // A textarea keeps its cursor when it loses focus; one never touched
  // has it at the start, where a photo rarely belongs.
  document.addEventListener("focusin", function (e) {
    var t = e.target;
    if (t.classList && t.classList.contains("body")) t.dataset.touched = "1";
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest(".insert-photo");
    if (!b) return;
    var t = document.getElementById(b.dataset.body);
    if (!t) return;
    var v = t.value, at = t.selectionEnd > 0 || t.dataset.touched ? t.selectionEnd : v.length;
    var before = v.slice(0, at).replace(/\s+$/, ""), after = v.slice(at).replace(/^\s+/, "");
    var head = before ? before + "\n\n" : "";
    t.value = head + b.dataset.line + (after ? "\n\n" + after : "\n");
    var start = head.length + 2;
    t.focus();
    t.setSelectionRange(start, start + b.dataset.caption.length);
    t.dispatchEvent(new Event("input", { bubbles: true }));
    var d = b.closest("details");
    if (d) d.open = false;
  });
})();
