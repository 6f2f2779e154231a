// Refreshes parts of a page in place: an element with data-refresh-url and data-refresh-seconds has its
// content replaced by the HTML fragment at that URL every few seconds (job progress, for instance).
// The fragment's route answers 204 when there is nothing more to follow, or sends a last fragment holding an element
// with data-refresh-final; then polling stops, and an element with data-refresh-reload reloads the page (to show a report). Without script the page still shows the state at load time and a reload updates it.
(function () {
  "use strict";

  function refresh(element) {
    var url = element.getAttribute("data-refresh-url");
    var seconds = Math.max(1, parseInt(element.getAttribute("data-refresh-seconds"), 10) || 5);
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.status === 204) return null; // 204 No Content: finished, stop polling
          if (!response.ok) throw new Error("status " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (html === null) return;
          element.innerHTML = html;
          if (element.querySelector("[data-refresh-final]")) {
            if (element.hasAttribute("data-refresh-reload")) window.location.reload();
            return;
          }
          setTimeout(tick, seconds * 1000);
        })
        .catch(function () { setTimeout(tick, seconds * 4000); });
    }
    setTimeout(tick, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-url]"), refresh);
  });
})();
