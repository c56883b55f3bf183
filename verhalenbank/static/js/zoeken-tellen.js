// Counts page: the print button (a real <button>, so no inline handler is needed).
(function () {
  "use strict";
  var button = document.getElementById("print-knop");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
