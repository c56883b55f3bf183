// Transcript pages, progressive enhancement only: everything works without this file.
// 1. While a transcript is being read: poll its status and reload when it is done.
// 2. On the review page: "Splitsen" splits at the cursor instead of at blank lines.
(function () {
  "use strict";

  var statusBlok = document.querySelector("[data-transcript-status]");
  if (statusBlok) {
    var url = statusBlok.getAttribute("data-transcript-status");
    var balk = statusBlok.querySelector("progress");
    var tekst = statusBlok.querySelector("[data-voortgang-tekst]");
    var vraag = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (antwoord) { return antwoord.ok ? antwoord.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (data.status !== "verwerken") { window.location.reload(); return; }
          if (balk) { balk.value = data.voortgang; }
          if (tekst) { tekst.textContent = data.voortgang + "%"; }
          window.setTimeout(vraag, 2000);
        })
        .catch(function () { window.setTimeout(vraag, 5000); });
    };
    window.setTimeout(vraag, 1500);
  }

  var formulier = document.querySelector("[data-transcript-review]");
  if (!formulier) { return; }
  var splitsOp = formulier.querySelector("[data-splits-op]");
  var uitleg = formulier.querySelector("[data-splits-uitleg]");
  var laatste = { index: null, positie: null };

  formulier.querySelectorAll("[data-passage] textarea").forEach(function (vak) {
    var onthoud = function () {
      laatste.index = vak.closest("[data-passage]").getAttribute("data-passage");
      laatste.positie = vak.selectionStart;
    };
    ["keyup", "mouseup", "select", "input", "focus"].forEach(function (soort) {
      vak.addEventListener(soort, onthoud);
    });
  });

  formulier.querySelectorAll("[data-splits]").forEach(function (knop) {
    knop.textContent = "Splitsen bij de cursor";
    knop.addEventListener("click", function () {
      var index = knop.closest("[data-passage]").getAttribute("data-passage");
      var vak = knop.closest("[data-passage]").querySelector("textarea");
      var binnen = laatste.index === index && laatste.positie > 0 && laatste.positie < vak.value.length;
      // Without a cursor inside this text, the server splits at blank lines as usual.
      splitsOp.value = binnen ? String(laatste.positie) : "";
    });
  });
  if (uitleg) {
    uitleg.textContent = "Splitsen: klik in de tekst waar het verhaal moet worden gesplitst, en kies dan ‘Splitsen bij de cursor’. Zonder cursor in de tekst wordt bij lege regels gesplitst.";
  }
})();
