// Influence map: zoom and pan by changing the inner SVG's viewBox.
// Buttons (+, −, reset), mouse wheel, drag, and arrow keys on the focused map.
// Focus on a person (issue #13): their link draws the map again with them in focus
// and person=<id> in the address; Escape clears it; a search box finds people drawn.
// Editors pin people and organisations by dragging them, or with P and the arrow keys.
// Loaded as a module after htmx; bound again whenever htmx swaps a new map in.

const ZOOM = 1.4;
const PAN = 0.1; // share of the visible width an arrow key moves

function readBox(svg) {
  return svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
}

function writeBox(svg, [x, y, w, h]) {
  svg.setAttribute("viewBox", [x, y, w, h].map((n) => n.toFixed(1)).join(" "));
}

function zoom(svg, factor, cx, cy) {
  const [x, y, w, h] = readBox(svg);
  const width = Math.min(Math.max(w / factor, 40), 3000);
  const height = (h * width) / w;
  const px = cx === undefined ? x + w / 2 : cx;
  const py = cy === undefined ? y + h / 2 : cy;
  writeBox(svg, [px - ((px - x) * width) / w, py - ((py - y) * height) / h, width, height]);
}

function pan(svg, dx, dy) {
  const [x, y, w, h] = readBox(svg);
  writeBox(svg, [x + dx, y + dy, w, h]);
}

function bind(root) {
  const viewport = root.querySelector("#map-viewport");
  if (!viewport || viewport.dataset.bound) {
    return;
  }
  viewport.dataset.bound = "true";

  root.querySelectorAll("[data-map-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.dataset.mapZoom;
      if (action === "reset") {
        viewport.setAttribute("viewBox", viewport.dataset.initialView);
      } else {
        zoom(viewport, action === "in" ? ZOOM : 1 / ZOOM);
      }
    });
  });

  viewport.addEventListener("keydown", (event) => {
    if (event.target !== viewport) {
      return;
    }
    const [, , w] = readBox(viewport);
    const step = w * PAN;
    const moves = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    if (moves[event.key]) {
      pan(viewport, ...moves[event.key]);
    } else if (event.key === "+" || event.key === "=") {
      zoom(viewport, ZOOM);
    } else if (event.key === "-") {
      zoom(viewport, 1 / ZOOM);
    } else {
      return;
    }
    event.preventDefault();
  });

  // Screen pixels to map units, for the wheel and dragging.
  function toMap(event) {
    const point = new DOMPoint(event.clientX, event.clientY);
    return point.matrixTransform(viewport.getScreenCTM().inverse());
  }

  viewport.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const p = toMap(event);
      zoom(viewport, event.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    },
    { passive: false },
  );

  bindPins(root, viewport, toMap);

  let drag = null;
  viewport.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest("a")) {
      return;
    }
    drag = toMap(event);
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add("app-map-dragging");
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) {
      return;
    }
    const p = toMap(event);
    pan(viewport, drag.x - p.x, drag.y - p.y);
  });
  const stop = () => {
    drag = null;
    viewport.classList.remove("app-map-dragging");
  };
  viewport.addEventListener("pointerup", stop);
  viewport.addEventListener("pointercancel", stop);
}

// --- Focus on a person -------------------------------------------------------

function regionRequest(url, push) {
  if (!window.htmx) {
    window.location.assign(url);
    return;
  }
  // The address (and with it the filters' hidden person field) changes at once, so a
  // filter chosen while the map is still on its way keeps the person in focus.
  if (push) {
    // Marked as htmx marks the entries it leaves, so Back draws this map again.
    window.history.replaceState({ htmx: true }, "", window.location.href);
    window.history.pushState({ htmx: true }, "", url);
  }
  syncFocusField();
  window.htmx
    .ajax("GET", url, { target: "#map-region", swap: "outerHTML" })
    .then(syncFocusField);
}

function focusedPerson() {
  return new URL(window.location.href).searchParams.get("person");
}

function unfocus() {
  const figure = document.querySelector(".app-map-figure");
  if (figure && focusedPerson()) {
    regionRequest(figure.dataset.unfocusUrl, true);
    return true;
  }
  return false;
}

// The filters keep the person in focus: their hidden field follows the address.
function syncFocusField() {
  const form = document.querySelector(".app-map-filters");
  if (!form) {
    return;
  }
  let field = form.querySelector("[data-map-focus-field]");
  const person = focusedPerson();
  if (!person) {
    if (field) {
      field.remove();
    }
    return;
  }
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = "person";
    field.dataset.mapFocusField = "";
    form.appendChild(field);
  }
  field.value = person;
}

function choose(link) {
  link.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
}

function bindSearch(root) {
  const box = root.querySelector("[data-map-search]");
  if (!box || box.dataset.bound) {
    return;
  }
  box.dataset.bound = "true";
  box.hidden = false;
  const input = box.querySelector("input");
  const results = box.querySelector("ul");
  const people = [...document.querySelectorAll("#map-svg a[data-person]")];
  // Names stay in the page: the search runs here and never goes into the address.
  input.addEventListener("input", () => {
    const wanted = input.value.trim().toLocaleLowerCase();
    results.replaceChildren();
    if (!wanted) {
      return;
    }
    const found = people.filter((a) => a.dataset.name.toLocaleLowerCase().includes(wanted));
    for (const link of found.slice(0, 8)) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "app-map-search-result";
      button.textContent = link.dataset.name;
      button.addEventListener("click", () => choose(link));
      item.appendChild(button);
      results.appendChild(item);
    }
    if (!found.length) {
      const item = document.createElement("li");
      item.textContent = "Nobody drawn on this map has that in their name.";
      results.appendChild(item);
    } else if (found.length > 8) {
      const item = document.createElement("li");
      item.textContent = `${found.length - 8} more: type more of the name.`;
      results.appendChild(item);
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && input.value) {
      input.value = "";
      results.replaceChildren();
      event.stopPropagation();
    } else if (event.key === "Enter") {
      const first = results.querySelector("button");
      if (first) {
        event.preventDefault();
        first.click();
      }
    }
  });
}

// --- Pins ----------------------------------------------------------------------

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
  } catch {
    return "";
  }
}

function announce(text) {
  let status = document.getElementById("map-move-status");
  if (!status) {
    status = document.createElement("p");
    status.id = "map-move-status";
    status.className = "nhsuk-u-visually-hidden";
    status.setAttribute("aria-live", "assertive");
    document.body.appendChild(status);
  }
  status.textContent = text;
}

async function savePin(url, field, pk, x, y) {
  const body = new URLSearchParams({
    [field]: pk,
    x: Math.round(Math.min(Math.max(x, 0), 1000)),
    y: Math.round(Math.min(Math.max(y, 0), 1000)),
  });
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
  });
  if (!response.ok) {
    announce("The pin could not be saved.");
    return;
  }
  announce("Pinned.");
  regionRequest(window.location.href, false);
}

// What can be dragged: a person's link, an organisation's link (organisation view)
// or an organisation's disc (people view); where it sits now.
function pinTarget(element) {
  const mark = element.closest("a[data-person], a[data-organisation], circle[data-organisation]");
  if (!mark) {
    return null;
  }
  const isDisc = mark.tagName.toLowerCase() === "circle";
  return {
    mark,
    field: mark.dataset.person ? "person" : "organisation",
    pk: mark.dataset.person || mark.dataset.organisation,
    x: Number(isDisc ? mark.getAttribute("cx") : mark.dataset.x),
    y: Number(isDisc ? mark.getAttribute("cy") : mark.dataset.y),
  };
}

function bindPins(root, viewport, toMap) {
  const figure = viewport.closest(".app-map-figure");
  const url = figure && figure.dataset.pinUrl;
  if (!url) {
    return;
  }
  viewport.classList.add("app-map-pinnable");
  let drag = null;
  let swallowClick = false;
  // A link is natively draggable (which would cancel the pointer): marks move instead.
  viewport.addEventListener("dragstart", (event) => event.preventDefault());

  viewport.addEventListener("pointerdown", (event) => {
    const target = event.button === 0 ? pinTarget(event.target) : null;
    if (!target) {
      return;
    }
    // Not a pan: the mark may be dragged (a click stays a click until it moves).
    event.stopImmediatePropagation();
    drag = { ...target, start: toMap(event), moved: false, id: event.pointerId };
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) {
      return;
    }
    const p = toMap(event);
    const dx = p.x - drag.start.x;
    const dy = p.y - drag.start.y;
    if (!drag.moved && Math.hypot(dx, dy) < 3) {
      return;
    }
    if (!drag.moved) {
      drag.moved = true;
      viewport.setPointerCapture(drag.id);
      drag.mark.classList.add("app-map-moving");
    }
    drag.dx = dx;
    drag.dy = dy;
    drag.mark.setAttribute("transform", `translate(${dx.toFixed(1)} ${dy.toFixed(1)})`);
    event.stopImmediatePropagation();
  });
  const end = (event) => {
    if (!drag) {
      return;
    }
    const done = drag;
    drag = null;
    if (!done.moved) {
      return;
    }
    event.stopImmediatePropagation();
    swallowClick = true;
    if (event.type === "pointercancel") {
      done.mark.removeAttribute("transform");
      return;
    }
    savePin(url, done.field, done.pk, done.x + done.dx, done.y + done.dy);
  };
  viewport.addEventListener("pointerup", end);
  viewport.addEventListener("pointercancel", end);
  // The click that ends a drag does not also open the person.
  viewport.addEventListener(
    "click",
    (event) => {
      if (swallowClick) {
        swallowClick = false;
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  // Keyboard: P on a focused person or organisation, arrows move it, Enter pins, Escape cancels.
  let moving = null;
  viewport.addEventListener("keydown", (event) => {
    if (moving) {
      const step = event.shiftKey ? 25 : 5;
      const moves = {
        ArrowLeft: [-step, 0],
        ArrowRight: [step, 0],
        ArrowUp: [0, -step],
        ArrowDown: [0, step],
      };
      if (moves[event.key]) {
        moving.dx += moves[event.key][0];
        moving.dy += moves[event.key][1];
        moving.mark.setAttribute("transform", `translate(${moving.dx} ${moving.dy})`);
        announce(`Across ${Math.round(moving.x + moving.dx)}, down ${Math.round(moving.y + moving.dy)}.`);
      } else if (event.key === "Enter") {
        const done = moving;
        moving = null;
        savePin(url, done.field, done.pk, done.x + done.dx, done.y + done.dy);
      } else if (event.key === "Escape") {
        moving.mark.removeAttribute("transform");
        moving.mark.classList.remove("app-map-moving");
        moving = null;
        announce("Move cancelled.");
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (event.key === "p" || event.key === "P") {
      const target = pinTarget(event.target);
      if (target && target.mark === event.target) {
        moving = { ...target, dx: 0, dy: 0 };
        target.mark.classList.add("app-map-moving");
        announce("Moving: arrow keys move it (with Shift, further), Enter pins it here, Escape cancels.");
        event.preventDefault();
        event.stopPropagation();
      }
    }
  });
}

// --- Binding -------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) {
    return;
  }
  const typing = event.target.closest && event.target.closest("input, select, textarea");
  if (!typing && unfocus()) {
    event.preventDefault();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A person chosen on the map (a click, Enter, or the search) and "show everyone" take
// the path Escape takes: the address and the filters' hidden field change at once, so
// a filter chosen while the map is on its way keeps the choice. Without htmx the
// links are plain links.
document.addEventListener("htmx:beforeRequest", (event) => {
  const link = event.detail.elt;
  if (link.matches && link.matches("#map-svg a[data-person], a[data-map-unfocus]")) {
    event.preventDefault();
    const form = document.querySelector(".app-map-filters");
    if (filtersOnTheirWay && form && link.dataset.person) {
      // The map drawn so far (and its links) has the old filters: ask with the new ones.
      const query = new URLSearchParams(new FormData(form));
      query.set("person", link.dataset.person);
      regionRequest(`${form.getAttribute("action")}?${query}`, true);
    } else {
      regionRequest(link.getAttribute("href"), true);
    }
  }
});

// Only the latest request for the map region is drawn: an answer overtaken by a later
// choice (a person, then a filter) never replaces the map the later one draws. The
// filters' own request is also kept while it is on its way (their new values are not
// in the address, nor in the map's links, until it is drawn).
let latestRegionRequest = null;
let filtersOnTheirWay = null;
document.addEventListener("htmx:beforeSend", (event) => {
  const { elt, target, xhr } = event.detail;
  if (target && target.id === "map-region") {
    latestRegionRequest = xhr;
  }
  if (elt.matches && elt.matches(".app-map-filters")) {
    filtersOnTheirWay = xhr;
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.xhr === filtersOnTheirWay) {
    filtersOnTheirWay = null;
  }
});

// The map keeps its zoom and pan when it is drawn again around a new focus.
let keptView = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (target && target.id === "map-region" && event.detail.xhr !== latestRegionRequest) {
    event.detail.shouldSwap = false;
    return;
  }
  const viewport = document.getElementById("map-viewport");
  keptView =
    target && target.id === "map-region" && viewport
      ? { box: viewport.getAttribute("viewBox"), initial: viewport.dataset.initialView }
      : null;
});

bind(document);
bindSearch(document);
syncFocusField();
window.addEventListener("popstate", syncFocusField);
if (window.htmx) {
  window.htmx.onLoad((element) => {
    bind(element.parentElement || element);
    bindSearch(element.parentElement || element);
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (target && target.id === "map-panel") {
      // A person's panel has arrived: take focus to its heading.
      const heading = document.getElementById("panel-heading");
      if (heading) {
        heading.focus({ preventScroll: false });
      }
    }
    syncFocusField();
    if (!keptView) {
      return;
    }
    const viewport = document.getElementById("map-viewport");
    if (viewport && keptView.initial === viewport.dataset.initialView) {
      viewport.setAttribute("viewBox", keptView.box);
    }
    keptView = null;
    // Keyboard focus stays with the person just chosen.
    const chosen = document.querySelector('#map-svg a[aria-current="true"]');
    const lost = !document.activeElement || document.activeElement === document.body;
    if (chosen && lost) {
      chosen.focus({ preventScroll: true });
    }
  });
}
