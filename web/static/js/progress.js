/* Keep a batch's progress page up to date without reloading it. */
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var failures = 0;

  function set(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }

  function eta(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    if (seconds < 90) { return seconds + " s"; }
    if (seconds < 5400) { return Math.round(seconds / 60) + " min"; }
    return (seconds / 3600).toFixed(1) + " h";
  }

  function show(p) {
    var bar = document.getElementById("bar");
    if (bar) { bar.value = p.percent; bar.textContent = p.percent + "%"; }
    set("percent", Math.floor(p.percent));
    set("status", p.status);
    set("done", p.done);
    set("reused", p.reused);
    set("rate-of", p.analysed ? "of the " + p.analysed + " analysed now" : "none analysed now");
    var reusedStat = document.getElementById("reused-stat");
    if (reusedStat) { reusedStat.hidden = !p.reused; }
    var rateOf = document.getElementById("rate-of");
    if (rateOf) { rateOf.hidden = !p.reused; }
    set("failed", p.failed);
    set("cancelled", p.cancelled);
    var cancelledStat = document.getElementById("cancelled-stat");
    if (cancelledStat) { cancelledStat.hidden = !p.cancelled; }
    set("total", p.total === null ? "…" : p.total);
    set("rate", p.rate ? p.rate + "/s" : "–");
    set("eta", eta(p.eta_seconds));
    if (p.finished) {
      var note = document.getElementById("finished-note");
      var cancel = document.getElementById("cancel-form");
      var resume = document.getElementById("resume-form");
      set("finished-text", p.status === "cancelled" ?
          "This batch was cancelled: " + p.done + " analysed, " + p.failed + " failed, " +
          p.cancelled + " not analysed." :
          p.reused ? "Finished: " + p.done + " done (" + p.reused + " of them reused from an " +
          "earlier run, not analysed again), " + p.failed + " failed." :
          "Finished: " + p.done + " analysed, " + p.failed + " failed.");
      if (note) { note.hidden = false; }
      if (cancel) { cancel.hidden = true; }
      if (resume) { resume.hidden = p.status !== "cancelled"; }
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (p) {
        failures = 0;
        show(p);
        if (!p.finished) { window.setTimeout(poll, 700); }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(10000, 1000 * failures));
      });
  }
  if (!document.getElementById("finished-note") || document.getElementById("finished-note").hidden) {
    poll();
  }
})();
