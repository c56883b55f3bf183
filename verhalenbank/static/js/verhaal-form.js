/*
 * Public story form: progressive enhancement for slow and missing connections.
 *
 * Without this script the form is an ordinary POST form and works. With it:
 *  - what the resident types is kept in localStorage while typing (a closed tab or a dead
 *    battery does not cost the story);
 *  - every story gets a client-made idempotency key (hidden input "inzend_sleutel"), so a retried
 *    send is recognised by the server as the same story and never stored twice;
 *  - when the phone is offline, or the send fails on the way, the story is queued in localStorage
 *    and sent when the connection returns ("online" event, page load, and a timer), with a
 *    visible status "Nog niet verstuurd" -> "Verstuurd";
 *  - a service worker (/sw.js, scope /r/) keeps a copy of the form page so it opens offline.
 *
 * The photo cannot be kept offline (localStorage holds text only); the resident is told so.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "verhalenbank:wachtrij";
  var DRAFT_PREFIX = "verhalenbank:concept:";
  var RETRY_DELAYS_MS = [5000, 15000, 30000, 60000, 120000];
  var MAX_PHOTO_BYTES = 15 * 1024 * 1024; // same limit as the server (media/images.py)
  // Never stored locally: the CSRF token goes stale, the honeypot must stay empty, files can't.
  var NOT_STORED = { csrf_token: true, website: true };

  var form = document.querySelector("form[data-verhaal-form]");

  // A field in the folded "Meer vertellen" part: unfold it first, or focus would go nowhere.
  function focusField(field) {
    var fold = field.closest ? field.closest("details") : null;
    if (fold && !fold.open) fold.open = true;
    field.focus();
  }
  var statusBox = document.getElementById("verzendstatus");
  var retryTimer = null;
  var retryCount = 0;
  var sending = false;

  function storageAvailable() {
    try {
      var probe = "verhalenbank:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return true;
    } catch (error) {
      return false; // private mode on some phones, or storage full
    }
  }

  var canStore = storageAvailable();

  function readJson(key, fallback) {
    if (!canStore) return fallback;
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function writeJson(key, value) {
    if (!canStore) return false;
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (error) {
      return false;
    }
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  /* ---------- status line ---------- */

  function showStatus(state, message, link) {
    if (!statusBox) return;
    statusBox.setAttribute("data-status", state);
    statusBox.textContent = message;
    if (link) {
      statusBox.appendChild(document.createTextNode(" "));
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      statusBox.appendChild(anchor);
    }
  }

  function queue() {
    return readJson(QUEUE_KEY, []);
  }

  function saveQueue(items) {
    return writeJson(QUEUE_KEY, items);
  }

  function showQueueStatus() {
    var waiting = queue().filter(function (item) {
      return item.status === "wacht";
    });
    if (waiting.length === 1) {
      showStatus(
        "wacht",
        "Nog niet verstuurd. Uw verhaal is bewaard op deze telefoon. " +
          "Het wordt vanzelf verstuurd als er weer internet is. U kunt deze pagina open laten."
      );
    } else if (waiting.length > 1) {
      showStatus(
        "wacht",
        "Nog niet verstuurd: " + waiting.length + " verhalen zijn bewaard op deze telefoon. " +
          "Ze worden vanzelf verstuurd als er weer internet is."
      );
    }
  }

  /* ---------- draft: keep what is being typed ---------- */

  function draftKey() {
    return DRAFT_PREFIX + form.getAttribute("action");
  }

  function collectFields() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled || NOT_STORED[element.name]) return;
      if (element.type === "file" || element.type === "submit" || element.type === "button") return;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) return;
      if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          fields.push([element.name, option.value]);
        });
        return;
      }
      fields.push([element.name, element.value]);
    });
    return fields;
  }

  function hasStory(fields) {
    return fields.some(function (pair) {
      return pair[0] === "tekst" && pair[1].trim() !== "";
    });
  }

  function saveDraft() {
    var fields = collectFields();
    if (hasStory(fields)) {
      writeJson(draftKey(), { velden: fields, bewaard_op: new Date().toISOString() });
    }
  }

  function clearDraft() {
    if (canStore) window.localStorage.removeItem(draftKey());
  }

  function applyFields(fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || NOT_STORED[element.name] || element.type === "file") return;
      var wanted = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = !!wanted && wanted.indexOf(element.value) !== -1;
      } else if (wanted && element.type !== "submit" && element.type !== "button") {
        element.value = wanted[0];
      }
    });
  }

  function restoreDraft() {
    var story = form.elements.namedItem("tekst");
    // The server re-rendered the form with the typed text (e.g. after an error): that wins.
    if (!story || story.value.trim() !== "") return false;
    var draft = readJson(draftKey(), null);
    if (!draft || !draft.velden || !hasStory(draft.velden)) return false;
    applyFields(draft.velden);
    return true;
  }

  function ensureKey() {
    var input = form.elements.namedItem("inzend_sleutel");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "inzend_sleutel";
      form.appendChild(input);
    }
    var draft = readJson(draftKey(), null);
    var draftKeyValue = null;
    if (draft && draft.velden) {
      draft.velden.forEach(function (pair) {
        if (pair[0] === "inzend_sleutel") draftKeyValue = pair[1];
      });
    }
    // Keep the key of a saved draft (that story may already have reached the server once);
    // otherwise make a new one on the phone.
    input.value = draftKeyValue || newKey();
    return input;
  }

  /* ---------- sending ---------- */

  function formDataFrom(fields, csrfToken) {
    var data = new FormData();
    fields.forEach(function (pair) {
      data.append(pair[0], pair[1]);
    });
    if (csrfToken) data.append("csrf_token", csrfToken);
    data.append("website", "");
    return data;
  }

  function currentCsrfToken() {
    var input = form && form.elements.namedItem("csrf_token");
    return input ? input.value : "";
  }

  // A stored story may be sent hours later; the token in the page may have expired by then.
  function freshCsrfToken(action) {
    return fetch(action, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var input = doc.querySelector("input[name=csrf_token]");
        var token = input ? input.value : "";
        var own = form && form.elements.namedItem("csrf_token");
        if (own && token) own.value = token;
        return token;
      });
  }

  function post(action, body) {
    return fetch(action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { status: response.status, data: {} };
      }
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // Resolves to {status, data}; rejects only when the network failed.
  function send(action, fields, photo) {
    var body = formDataFrom(fields, currentCsrfToken());
    if (photo) body.append("foto", photo);
    return post(action, body).then(function (result) {
      if (result.status === 400 && result.data.status === "csrf") {
        return freshCsrfToken(action).then(function (token) {
          var retry = formDataFrom(fields, token);
          if (photo) retry.append("foto", photo);
          return post(action, retry);
        });
      }
      return result;
    });
  }

  function enqueue(action, fields) {
    var items = queue();
    var key = null;
    fields.forEach(function (pair) {
      if (pair[0] === "inzend_sleutel") key = pair[1];
    });
    var known = items.some(function (item) {
      return item.sleutel === key;
    });
    if (!known) {
      items.push({
        sleutel: key,
        action: action,
        velden: fields,
        status: "wacht",
        bewaard_op: new Date().toISOString(),
      });
    }
    return saveQueue(items);
  }

  var SENT_ITEMS_KEPT = 10;

  function markSent(key, data) {
    var items = queue().map(function (item) {
      if (item.sleutel === key) {
        item.status = "verstuurd";
        item.bedankt_url = data.bedankt_url || null;
        item.velden = []; // the story is on the server now; don't keep it on the phone
      }
      return item;
    });
    var sent = items.filter(function (item) {
      return item.status === "verstuurd";
    });
    var tooOld = sent.slice(0, Math.max(0, sent.length - SENT_ITEMS_KEPT));
    saveQueue(
      items.filter(function (item) {
        return tooOld.indexOf(item) === -1;
      })
    );
  }

  function forget(key) {
    saveQueue(
      queue().filter(function (item) {
        return item.sleutel !== key;
      })
    );
  }

  function scheduleRetry() {
    if (retryTimer) return;
    var delay = RETRY_DELAYS_MS[Math.min(retryCount, RETRY_DELAYS_MS.length - 1)];
    retryCount += 1;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      sendQueued();
    }, delay);
  }

  function sendQueued() {
    if (sending) return Promise.resolve();
    var waiting = queue().filter(function (item) {
      return item.status === "wacht";
    });
    if (!waiting.length) return Promise.resolve();
    if (navigator.onLine === false) {
      showQueueStatus();
      return Promise.resolve();
    }
    sending = true;
    var lastThanks = null;
    var chain = Promise.resolve();
    waiting.forEach(function (item) {
      chain = chain.then(function () {
        return send(item.action, item.velden, null).then(function (result) {
          if (result.status >= 200 && result.status < 300) {
            markSent(item.sleutel, result.data);
            lastThanks = result.data.bedankt_url || lastThanks;
            return;
          }
          if (result.status === 429 || result.status >= 500) {
            throw new Error("later opnieuw");
          }
          // Refused for good (ronde closed, text refused): give the text back to the resident.
          forget(item.sleutel);
          returnToForm(item, result.data);
        });
      });
    });
    return chain
      .then(function () {
        retryCount = 0;
        sending = false;
        var stillWaiting = queue().some(function (item) {
          return item.status === "wacht";
        });
        if (stillWaiting) {
          showQueueStatus();
        } else if (lastThanks) {
          showStatus("verstuurd", "Verstuurd. Dank u wel! Uw verhaal is goed aangekomen.", {
            href: lastThanks,
            text: "Lees wat er nu met uw verhaal gebeurt.",
          });
        }
      })
      .catch(function () {
        sending = false;
        showQueueStatus();
        scheduleRetry();
      });
  }

  function returnToForm(item, data) {
    if (!form) return;
    applyFields(item.velden);
    saveDraft();
    var reason = data && data.bericht ? data.bericht + " " : "";
    showStatus("fout", "Uw verhaal is niet verstuurd. " + reason + "Uw tekst staat weer in het formulier.");
  }

  function onSubmit(event) {
    if (!window.fetch || !window.FormData) return; // old browser: plain form post
    var nativeValid = typeof form.checkValidity !== "function" || form.checkValidity();
    if (!nativeValid) {
      if (navigator.onLine !== false) return; // the server shows its messages, text kept
      // Offline the server can't answer: say here what is missing, and keep the page.
      event.preventDefault();
      saveDraft();
      var missing = Array.prototype.filter.call(form.elements, function (element) {
        return element.willValidate && !element.validity.valid;
      });
      var names = missing.map(function (element) {
        var label = element.labels && element.labels[0];
        return label ? label.textContent.replace(/\s+/g, " ").trim() : element.name;
      });
      showStatus("fout", "Nog niet verstuurd. Vul eerst in: " + names.join("; ") + ".");
      if (missing[0]) focusField(missing[0]);
      return;
    }
    event.preventDefault();

    var action = form.getAttribute("action") || window.location.pathname;
    var fields = collectFields();
    var photoInput = form.elements.namedItem("foto");
    var photo = photoInput && photoInput.files && photoInput.files[0] ? photoInput.files[0] : null;
    var button = form.querySelector("[type=submit]");

    if (photo && photo.size > MAX_PHOTO_BYTES) {
      // Say it before a slow phone uploads 15+ MB only to hear it is too big.
      showStatus("fout", "Nog niet verstuurd. De foto is te groot: hoogstens 15 MB. Kies een kleinere foto, of haal de foto weg en verstuur uw verhaal zonder foto.");
      focusField(photoInput);
      return;
    }

    function queueForLater() {
      var kept = enqueue(action, fields);
      if (!kept) {
        // Nowhere to keep it: let the browser try a normal send, which keeps the page as it is.
        HTMLFormElement.prototype.submit.call(form);
        return;
      }
      clearDraft();
      form.reset();
      ensureKey();
      showQueueStatus();
      if (photo) {
        statusBox.appendChild(
          document.createTextNode(" Uw foto kan niet zonder internet worden bewaard. Na het versturen kunt u hem nog meesturen: op de bedankpagina staat hoe.")
        );
      }
      if (statusBox) statusBox.focus();
      scheduleRetry();
    }

    if (navigator.onLine === false) {
      queueForLater();
      return;
    }
    if (button) button.disabled = true;
    showStatus("bezig", "Bezig met versturen…");
    send(action, fields, photo)
      .then(function (result) {
        if (button) button.disabled = false;
        if (result.status >= 200 && result.status < 300 && result.data.bedankt_url) {
          clearDraft();
          window.location.assign(result.data.bedankt_url);
          return;
        }
        if (result.status >= 500) {
          queueForLater();
          return;
        }
        // Something to correct (e.g. consent not ticked, bad photo): let the server show the
        // form with its messages, the normal way. The draft stays saved meanwhile.
        saveDraft();
        HTMLFormElement.prototype.submit.call(form);
      })
      .catch(function () {
        if (button) button.disabled = false;
        queueForLater();
      });
  }

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    // Scope /r/ only: the worker must never cache pages of the logged-in part of the site.
    navigator.serviceWorker.register("/sw.js", { scope: "/r/" }).catch(function () {
      /* the form works without it */
    });
  }

  function start() {
    if (form) {
      if (statusBox) statusBox.setAttribute("tabindex", "-1");
      var restored = restoreDraft();
      ensureKey();
      if (restored) {
        showStatus("concept", "We hebben uw verhaal van de vorige keer teruggezet. U kunt verder schrijven.");
      }
      form.addEventListener("input", saveDraft);
      form.addEventListener("change", saveDraft);
      form.addEventListener("submit", onSubmit);
    }
    window.addEventListener("online", function () {
      retryCount = 0;
      sendQueued();
    });
    window.addEventListener("offline", showQueueStatus);
    showQueueStatus();
    sendQueued();
    registerServiceWorker();
  }

  // Exposed for tests and for other pages that may want to flush the queue.
  window.verhalenbankWachtrij = { verstuur: sendQueued, items: queue };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
