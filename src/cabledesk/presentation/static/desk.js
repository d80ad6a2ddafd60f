// Enhancements only: every page works without this file.
// "/" focuses the query box; "j" / "k" move between results; "r" toggles the raw text.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      var box = document.getElementById("q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    } else if (event.key === "j" || event.key === "k") {
      var links = Array.prototype.slice.call(document.querySelectorAll(".hit .hit-id"));
      if (!links.length) return;
      var at = links.indexOf(document.activeElement);
      var next = event.key === "j" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      links[next].focus();
      links[next].closest(".hit").scrollIntoView({ block: "nearest" });
    } else if (event.key === "r") {
      var raw = document.getElementById("raw");
      if (raw) { raw.open = !raw.open; if (raw.open) raw.scrollIntoView(); }
    }
  });
})();
// Batch search: a file chosen in the form is read into its text box (the desk's forms
// are url-encoded; the list itself is what is sent).
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-fills]");
  if (!input || !window.FileReader) return;
  input.addEventListener("change", function () {
    var target = document.getElementById(input.getAttribute("data-fills"));
    var file = input.files && input.files[0];
    if (!target || !file) return;
    var reader = new FileReader();
    reader.onload = function () { target.value = String(reader.result || ""); };
    reader.readAsText(file);
  });
})();
