// Members page: htmx swaps the members region after each change. A refused
// change (400 for a rule such as the last owner, 403 for a non-owner, 429 for too
// many invitations in an hour) carries the region with its message, so it is
// swapped in like a success.
const htmx = window.htmx;

if (htmx) {
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const { xhr, target } = event.detail;
    if (target && target.id === "members-region" && [400, 403, 429].includes(xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Put focus on the message so keyboard and screen reader users hear the outcome.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.requestConfig && event.detail.requestConfig.verb !== "post") {
      return;
    }
    const region = document.getElementById("members-region");
    const message = region && region.querySelector("[data-focus-on-swap]");
    if (message) {
      message.focus();
    }
  });
}
