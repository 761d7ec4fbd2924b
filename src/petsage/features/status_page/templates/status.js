// Live updates: each `board` event from the stream (`?view=board`) carries the board as the
// server renders it, so the page with and without JavaScript is the same HTML and nothing is
// fetched. Events come only when something shown changes. Without a stream (refused past the
// cap, or EventSource missing) the page polls while visible, and reopens the stream as soon
// as a poll succeeds. A stream that ends (a deploy: `reconnect`) is reopened by the browser.
(function () {
  "use strict";
  var POLL_MS = 30000;
  var page = document.querySelector(".page");
  var live = document.getElementById("live");
  var polling = null;

  function show(text, on) {
    live.hidden = false;
    live.textContent = text;
    live.classList.toggle("on", on);
  }

  // The last rounds of each check (heartbeats.json): drawn by the script alone, since a new
  // round is no change of the summary and wakes no event.
  var WORDS = { ok: "Operational", degraded: "Degraded", error: "Outage" };
  var beats = null;

  function drawBeats() {
    if (!beats) return;
    var boxes = document.querySelectorAll(".beats[data-check]");
    for (var i = 0; i < boxes.length; i++) {
      var rounds = beats.checks[boxes[i].getAttribute("data-check")] || [];
      if (!rounds.length) continue;
      var row = boxes[i].querySelector(".beat-row");
      row.textContent = "";
      for (var j = 0; j < rounds.length; j++) {
        var beat = document.createElement("li");
        beat.className = "beat s-" + rounds[j].status;
        beat.title = rounds[j].at.slice(11, 19) + " UTC · " + (WORDS[rounds[j].status] || rounds[j].status) + " · " + rounds[j].ms + " ms";
        row.appendChild(beat);
      }
      var last = rounds[rounds.length - 1];
      boxes[i].querySelector(".beat-note").textContent =
        (rounds.length === 1 ? "Last round" : "Last " + rounds.length + " rounds") + " · latest took " + last.ms + " ms";
      boxes[i].hidden = false;
    }
  }

  function fetchBeats() {
    if (document.hidden) return;
    fetch(page.getAttribute("data-heartbeats"), { cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { beats = data; drawBeats(); } })
      .catch(function () {});
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var board = fresh.getElementById("board");
    var current = document.getElementById("board");
    if (!board || !current) return;
    var focused = document.activeElement && document.activeElement.id;
    current.replaceWith(board);
    drawBeats();
    recount();
    document.title = board.getAttribute("data-title") || document.title;
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  function refresh() {
    if (document.hidden) return;
    fetch(window.location.pathname, { cache: "no-cache", headers: { accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) { swap(html); listen(); } })
      .catch(function () {});
  }

  function poll() {
    if (polling !== null) return;
    show("Updating every 30 s", false);
    polling = window.setInterval(refresh, POLL_MS);
  }

  // "4 min ago" and "for 4 min" as the server wrote them go stale: recount them in place.
  function duration(seconds) {
    var s = Math.floor(seconds), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (s < 60) return s + " s";
    if (m < 60) return s % 60 ? m + " min " + (s % 60) + " s" : m + " min";
    if (h < 24) return m % 60 ? h + " h " + (m % 60) + " min" : h + " h";
    return h % 24 ? d + " d " + (h % 24) + " h" : d + " d";
  }

  function recount() {
    var spans = document.querySelectorAll(".rel[data-from]");
    for (var i = 0; i < spans.length; i++) {
      var seconds = Math.max(0, (Date.now() - Date.parse(spans[i].getAttribute("data-from"))) / 1000);
      var ago = spans[i].getAttribute("data-form") === "ago";
      spans[i].textContent = ago ? (seconds < 1 ? "just now" : duration(seconds) + " ago") : "for " + duration(seconds);
    }
  }

  window.setInterval(recount, 15000);
  fetchBeats();
  window.setInterval(fetchBeats, POLL_MS);
  document.addEventListener("visibilitychange", refresh);
  var source = null;

  // Opens the stream unless one is open or connecting; stops polling once it is live.
  function listen() {
    if (!window.EventSource) { poll(); return; }
    if (source && source.readyState !== EventSource.CLOSED) return;
    source = new EventSource(page.getAttribute("data-events") + "?view=board");
    source.addEventListener("open", function () {
      show("Live", true);
      if (polling !== null) { window.clearInterval(polling); polling = null; }
    });
    source.addEventListener("board", function (event) {
      var board = document.getElementById("board");
      if (board && board.getAttribute("data-version") === event.lastEventId) return;
      swap(event.data);
    });
    source.addEventListener("reconnect", function () { show("Reconnecting…", false); });
    source.addEventListener("error", function () {
      // CLOSED: refused (503 past the cap); otherwise the browser retries by itself.
      if (source.readyState === EventSource.CLOSED) poll();
      else show("Reconnecting…", false);
    });
  }

  listen();
})();
