// While a load is under way, poll the status endpoint every 2 s and show
// the state and row counts; once it is finished, reload the page so the
// preview and the data dictionary show the new table.
(function () {
  "use strict";
  var block = document.getElementById("metropole-loading");
  if (!block || !block.dataset.pollUrl) { return; }
  var state = block.querySelector(".metropole-loading-state");
  function poll() {
    fetch(block.dataset.pollUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (status.finished) { window.location.reload(); return; }
        if (state) {
          state.textContent = status.state_label + (status.step_label ? " (" + status.step_label + ")" : "");
          if (status.rows_done || status.rows_total) { state.textContent += " — " + status.rows_text; }
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
