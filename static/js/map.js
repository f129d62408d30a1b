// Influence map: zoom and pan by changing the inner SVG's viewBox.
// Buttons (+, −, reset), mouse wheel, drag, and arrow keys on the focused map.
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

bind(document);
if (window.htmx) {
  window.htmx.onLoad((element) => bind(element.parentElement || element));
  // A person's panel has arrived: take focus to its heading.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "map-panel") {
      const heading = document.getElementById("panel-heading");
      if (heading) {
        heading.focus({ preventScroll: false });
      }
    }
  });
}
