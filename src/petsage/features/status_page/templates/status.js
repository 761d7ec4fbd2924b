// Live updates: each `summary` event from the stream re-renders the board from the server,
// so the page with and without JavaScript is the same HTML. Without a stream (refused, or
// EventSource missing) the page polls, and only while it is visible.
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

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var board = fresh.getElementById("board");
    var current = document.getElementById("board");
    if (!board || !current) return;
    var focused = document.activeElement && document.activeElement.id;
    current.replaceWith(board);
    document.title = fresh.title;
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  function refresh() {
    if (document.hidden) return;
    fetch(window.location.pathname, { cache: "no-store", headers: { accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () {});
  }

  function poll() {
    if (polling !== null) return;
    show("Updating every 30 s", false);
    polling = window.setInterval(refresh, POLL_MS);
  }

  document.addEventListener("visibilitychange", refresh);
  if (!window.EventSource) { poll(); return; }
  var source = new EventSource(page.getAttribute("data-events"));
  source.addEventListener("open", function () { show("Live", true); });
  source.addEventListener("summary", function (event) {
    var board = document.getElementById("board");
    if (board && board.getAttribute("data-version") === event.lastEventId) return;
    refresh();
  });
  source.addEventListener("error", function () {
    // CLOSED: refused (503 past the cap, or shutting down); otherwise the browser retries.
    if (source.readyState === EventSource.CLOSED) poll();
    else show("Reconnecting…", false);
  });
})();
