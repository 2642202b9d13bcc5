/* Wait for a pasted posting's analysis, then show the result page.
   Long-polls the JSON API (?wait=) so the answer arrives as soon as it exists. */
(function () {
  "use strict";
  var box = document.getElementById("pending");
  if (!box || !window.fetch) { return; }
  var pollUrl = box.getAttribute("data-poll-url");
  var resultUrl = box.getAttribute("data-result-url");
  var status = document.getElementById("pending-status");
  var failures = 0;

  function poll() {
    fetch(pollUrl + "?wait=10", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (body) {
        failures = 0;
        if (body.status === "done" || body.status === "failed") {
          window.location.replace(resultUrl);
          return;
        }
        if (status && body.status === "running") {
          status.textContent = box.getAttribute("data-running-text") ||
            "Your posting is being analysed. This page shows the result as soon as it is ready.";
        }
        window.setTimeout(poll, 200);
      })
      .catch(function () {
        failures += 1;
        if (status && failures > 2) {
          status.textContent = "Still waiting: the server did not answer. Trying again…";
        }
        window.setTimeout(poll, Math.min(10000, 1000 * failures));
      });
  }
  poll();
})();
