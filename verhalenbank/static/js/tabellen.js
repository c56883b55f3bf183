// Tables stack into cards on a phone (app.css): each cell gets its column name to show.
(function () {
  document.querySelectorAll("table.tabel").forEach(function (tabel) {
    var koppen = Array.prototype.map.call(tabel.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!koppen.length) return;
    tabel.querySelectorAll("tbody tr").forEach(function (rij) {
      Array.prototype.forEach.call(rij.children, function (cel, i) {
        if (cel.tagName === "TD" && koppen[i] && !cel.hasAttribute("data-kolom")) cel.setAttribute("data-kolom", koppen[i]);
      });
    });
  });
})();
