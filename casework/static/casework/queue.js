// The live queue: the staff WebSocket (/ws/staff/tickets/) announces a new ticket or an
// escalation; the list is fetched again and swapped in place (no reload). Optional: a sound and a
// desktop notification for 1-hour clocks (priority 1), switched on per browser.
(function () {
  "use strict";
  var ALERT_KEY = "casework.alert.p1";
  var toggle = document.getElementById("case-alert");
  var status = document.getElementById("case-live-text");
  if (!toggle || !status || !("WebSocket" in window)) return;

  toggle.checked = window.localStorage.getItem(ALERT_KEY) === "on";
  toggle.addEventListener("change", function () {
    window.localStorage.setItem(ALERT_KEY, toggle.checked ? "on" : "off");
    if (toggle.checked && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission();
    }
  });

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      playTone(new Context());
    } catch (error) {
      // No audio device: the desktop notification and the banner remain.
    }
  }

  function playTone(audio) {
    var tone = audio.createOscillator();
    var gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.1;
    tone.connect(gain);
    gain.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }

  function alertFor(subject) {
    if (!toggle.checked || subject.indexOf("[P1]") !== 0) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("Liaison Portal: 1-hour clock", { body: subject });
    }
  }

  function refresh() {
    var selected = document.querySelectorAll("#result_list input.action-select:checked");
    if (selected.length) return; // do not drop what the user ticked; the banner says it
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        // The rows, the filters and the search bar's "N results" (not the search field itself:
        // what the user is typing there stays).
        ["#changelist-form", "#changelist-filter", "#changelist-search .quiet"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) now.replaceWith(next);
        });
        // Admin's select-all and counter bind to the rows: bind them to the new rows.
        var boxes = document.querySelectorAll("tr input.action-select");
        if (boxes.length && typeof window.Actions === "function") window.Actions(boxes);
      });
  }

  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + window.location.host + "/ws/staff/tickets/");
  socket.onopen = function () {
    document.body.setAttribute("data-live", "on");
    status.textContent = "Live: new tickets of your teams appear here.";
  };
  socket.onclose = function () {
    document.body.setAttribute("data-live", "off");
    status.textContent = "Not live: reload the page to see new tickets.";
  };
  socket.onmessage = function (message) {
    var data = JSON.parse(message.data);
    if (data.type !== "ticket") return;
    status.textContent = "New: " + data.subject;
    alertFor(data.subject || "");
    refresh();
  };
})();
