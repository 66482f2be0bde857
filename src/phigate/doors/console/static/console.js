// phigate console: the only script. Refreshes the inbox rows without a page reload and
// puts focus on the result of a vote.
(function () {
  "use strict";
  function poll(body) {
    var url = body.getAttribute("data-poll");
    var every = Math.max(500, 1000 * parseFloat(body.getAttribute("data-poll-seconds") || "3"));
    var status = document.getElementById("live-status");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected || !response.ok) { window.location.reload(); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html !== null && html.trim() !== body.innerHTML.trim()) {
            body.innerHTML = html;
            var count = body.querySelectorAll("tr a").length;
            if (status) { status.textContent = count + " waiting · updated " + new Date().toLocaleTimeString(); }
          }
        })
        .catch(function () { if (status) { status.textContent = "Connection lost; retrying…"; } })
        .finally(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
    // After Approve/Deny the page is new: without this, focus starts on <body> and a
    // screen reader may never read the result.
    var result = document.querySelector("[data-focus]");
    if (result) { result.focus(); }
  });
})();
