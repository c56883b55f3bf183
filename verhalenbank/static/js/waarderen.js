/*
 * Waarderingssessie, progressive enhancement (the pages work without it).
 *
 * Participant's phone (forms[data-waarderen-keuze]):
 *  - the chosen story and the reason are kept in localStorage while typing;
 *  - a choice is sent in the background; when the phone is offline or the send fails it is
 *    queued in localStorage and sent again when the connection returns ("online", a timer,
 *    the next page load), with a visible status. The participant's key travels in the form,
 *    so a queued choice is still accepted later;
 *  - a service worker keeps a copy of the page, so it opens again without a connection.
 * Facilitator's screen ([data-stand-url]): the live results are fetched every few seconds.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "verhalenbank:waarderen:wachtrij";
  var DRAFT_PREFIX = "verhalenbank:waarderen:concept:";
  var POLL_MS = 4000;

  function store() {
    try {
      window.localStorage.setItem("verhalenbank:probe", "1");
      window.localStorage.removeItem("verhalenbank:probe");
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }
  var storage = store();

  function readJson(key, fallback) {
    if (!storage) return fallback;
    try {
      var raw = storage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function writeJson(key, value) {
    if (!storage) return;
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (error) { /* storage full: the form still works online */ }
  }

  function formData(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data[el.name] = el.value;
    });
    return data;
  }

  function draftKey(form) {
    return DRAFT_PREFIX + form.getAttribute("data-sessie") + ":" + form.elements.subdoel.value;
  }

  function statusText(text) {
    var box = document.getElementById("keuzestatus");
    if (box) box.textContent = text;
  }

  function markDone(subdoel, text) {
    var el = document.querySelector('[data-klaar="' + subdoel + '"]');
    if (el) el.textContent = text;
  }

  function send(item) {
    var body = new URLSearchParams();
    Object.keys(item.data).forEach(function (k) { body.append(k, item.data[k]); });
    return fetch(item.url, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (json) {
        return { ok: response.ok, status: response.status, json: json };
      });
    });
  }

  function queue() { return readJson(QUEUE_KEY, []); }

  function flush() {
    var items = queue();
    if (!items.length) return;
    var rest = [];
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(function (result) {
          if (result.ok) {
            markDone(item.data.subdoel, "Uw keuze is bewaard.");
          } else if (result.status >= 500) {
            rest.push(item);
          } else {
            markDone(item.data.subdoel, result.json.melding || "Niet bewaard.");
          }
        }, function () { rest.push(item); });
      });
    });
    chain.then(function () {
      writeJson(QUEUE_KEY, rest);
      statusText(rest.length ? "Nog niet verstuurd. We proberen het opnieuw." : "Alles is verstuurd.");
    });
  }

  function setupParticipant(forms) {
    forms.forEach(function (form) {
      var draft = readJson(draftKey(form), null);
      if (draft) {
        if (draft.verhaal && !formData(form).verhaal) {
          var radio = form.querySelector('input[name="verhaal"][value="' + draft.verhaal + '"]');
          if (radio) radio.checked = true;
        }
        if (draft.reden && !form.elements.reden.value) form.elements.reden.value = draft.reden;
      }
      form.addEventListener("input", function () { writeJson(draftKey(form), formData(form)); });
      form.addEventListener("change", function () { writeJson(draftKey(form), formData(form)); });
      form.addEventListener("submit", function (event) {
        if (!window.fetch || !form.checkValidity()) return; // the browser shows what is missing
        event.preventDefault();
        var item = { url: form.action, data: formData(form) };
        markDone(item.data.subdoel, "Bezig met versturen…");
        send(item).then(function (result) {
          if (result.ok) {
            markDone(item.data.subdoel, "Uw keuze is bewaard.");
            statusText("Uw keuze is bewaard.");
          } else if (result.status >= 500) {
            throw new Error("server");
          } else {
            markDone(item.data.subdoel, result.json.melding || "Niet bewaard.");
          }
        }).catch(function () {
          var items = queue().filter(function (i) { return i.data.subdoel !== item.data.subdoel; });
          items.push(item);
          writeJson(QUEUE_KEY, items);
          markDone(item.data.subdoel, "Nog niet verstuurd. Uw keuze is bewaard op deze telefoon.");
          statusText("Nog niet verstuurd. We proberen het opnieuw.");
        });
      });
    });
    window.addEventListener("online", flush);
    window.setInterval(flush, 15000);
    flush();
    keepForOffline();
  }

  // The public pages' service worker (/sw.js, here with scope /w/ only) answers from a copy
  // when the network is gone. This page was loaded before the worker could see it, so the page
  // stores its own copy and that of its style sheets and scripts (caches.match looks in every
  // cache); then it marks <html data-offline-klaar>.
  var PAGE_CACHE = "verhalenbank-panel";

  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !window.caches) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/w/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      var urls = [window.location.pathname];
      Array.prototype.forEach.call(document.querySelectorAll('link[rel="stylesheet"][href], script[src]'), function (el) {
        var url = new URL(el.getAttribute("href") || el.getAttribute("src"), window.location.href);
        if (url.origin === window.location.origin) urls.push(url.pathname + url.search);
      });
      return window.caches.open(PAGE_CACHE).then(function (cache) { return cache.addAll(urls); });
    }).then(function () {
      document.documentElement.setAttribute("data-offline-klaar", "");
    }).catch(function () { /* the page works without it, online */ });
  }

  function setupFacilitator(box) {
    var url = box.getAttribute("data-stand-url");
    function update() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (stand) {
          if (!stand) return;
          stand.subdoelen.forEach(function (s) {
            var aantal = box.querySelector('.stand-aantal[data-subdoel="' + s.id + '"]');
            if (aantal) aantal.textContent = s.gekozen + (s.gekozen === 1 ? " deelnemer koos" : " deelnemers kozen") + " bij dit doel.";
            s.verhalen.forEach(function (v) {
              var sec = document.getElementById("groep-" + s.id);
              if (!sec) return;
              var stemmen = sec.querySelector('[data-stemmen="' + v.id + '"]');
              if (stemmen) stemmen.textContent = String(v.stemmen);
              var lijst = sec.querySelector('[data-redenen="' + v.id + '"]');
              if (lijst) {
                while (lijst.firstChild) lijst.removeChild(lijst.firstChild);
                v.redenen.forEach(function (r) {
                  var li = document.createElement("li");
                  li.textContent = "‘" + r + "’";
                  lijst.appendChild(li);
                });
              }
            });
          });
        })
        .catch(function () { /* offline for a moment: the next poll tries again */ });
    }
    window.setInterval(update, POLL_MS);
  }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-waarderen-keuze]"));
  if (forms.length) setupParticipant(forms);
  var box = document.querySelector("[data-stand-url]");
  if (box) setupFacilitator(box);
})();
