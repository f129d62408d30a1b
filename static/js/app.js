// Influence Map front-end glue, loaded as a module after htmx (both deferred).
// No inline scripts anywhere: the CSP allows only same-origin files and nonces.
import { initAll } from "../vendor/nhsuk/nhsuk.min.js";

// NHS.UK frontend only enhances components once told the browser supports it
// (its template does this with an inline script, which our CSP forbids).
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

const htmx = window.htmx;

if (htmx) {
  // Content swapped in by htmx: enhance its NHS.UK components, and announce
  // the new results summary to screen readers through the persistent status.
  htmx.onLoad((element) => {
    if (element === document.body) {
      return;
    }
    initAll({ scope: element });
    const summary = element.querySelector("[data-results-summary]");
    const status = document.getElementById("results-status");
    if (summary && status) {
      status.textContent = summary.textContent.replace(/\s+/g, " ").trim();
    }
  });

  // After paging with htmx the clicked link is gone: put focus on the list's
  // heading so keyboard and screen reader users carry on from there.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    const id = trigger && trigger.dataset && trigger.dataset.focusAfter;
    const heading = id && document.getElementById(id);
    if (heading) {
      heading.focus({ preventScroll: true });
    }
  });

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const { xhr, requestConfig } = event.detail;
    const loginUrl = document.body.dataset.loginUrl;
    // Session expired: the request was redirected to the login page. Show it
    // as a page rather than inside the results region.
    if (loginUrl && xhr.responseURL && new URL(xhr.responseURL).pathname === loginUrl) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
      return;
    }
    // An error page (404 when access was withdrawn, 500): show it whole.
    if (xhr.status >= 400 && requestConfig.verb === "get") {
      event.detail.shouldSwap = false;
      window.location.assign(event.detail.pathInfo.requestPath);
    }
  });
}
