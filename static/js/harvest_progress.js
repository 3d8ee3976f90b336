// A harvest source's admin page (templates/admin/harvest/source/change_form.html): while its latest run
// is queued or running, the progress line is read again every 5 seconds from the run's progress view
// (harvest/admin.py, HarvestRunAdmin.progress_view: {"text", "finished"}) and stops once the run ends.
// The form itself is never reloaded. Without JavaScript, the line links to the run's page, which reloads.
(function () {
  "use strict";

  function follow(line) {
    var text = line.querySelector(".harvest-progress-text");
    var url = line.dataset.runProgress;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (progress) {
          if (!progress) return;
          text.textContent = progress.text;
          if (!progress.finished) window.setTimeout(poll, 5000);
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }
    window.setTimeout(poll, 5000);
  }

  function ready(callback) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback);
    else callback();
  }

  ready(function () {
    document.querySelectorAll("[data-run-progress]").forEach(follow);
  });
})();
