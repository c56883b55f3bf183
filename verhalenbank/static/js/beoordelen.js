// Review queue: keyboard shortcuts J (yes), N (no), A (choose another subdoel).
(function () {
  "use strict";
  var yes = document.getElementById("knop-bevestigen");
  var no = document.getElementById("knop-afwijzen");
  var other = document.getElementById("ander-subdoel");
  if (!yes || !no) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    var key = event.key.toLowerCase();
    if (key === "j") { event.preventDefault(); yes.click(); }
    else if (key === "n") { event.preventDefault(); no.click(); }
    else if (key === "a" && other) { event.preventDefault(); other.focus(); }
  });
})();
