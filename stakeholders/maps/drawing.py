"""The influence map's SVG markup, built in Python from marks.MapData.

A template loop over thousands of nodes and edges took most of the page's time,
so the markup is joined here instead. Every piece of text goes through
`escape` (names can hold anything); numbers are formatted here. The page and
the downloads (SVG, PNG) share this one function, so they cannot drift apart.
"""

from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from stakeholders.bidi import isolate
from stakeholders.maps.arrange import BAND_LABEL_DROP, BAND_LABEL_SIZE, BAND_LABEL_X
from stakeholders.maps.marks import OUTLINE, WIDTH, Edge, MapData

# Ties across the boundary: near-black, opaque and thicker; ties inside a group:
# mid grey, faint and thin. Told apart by darkness and width, not by hue.
CROSSING_COLOUR = "#212b32"
INSIDE_COLOUR = "#768692"
STALE_COLOUR = "#a7b3bb"  # pale grey: not observed within the workspace's retention
TEXT_COLOUR = "#212b32"
# Arial first (as the page); Liberation Sans has Arial's metrics, for servers rendering PNGs.
FONTS = "Arial, Helvetica, Arimo, &quot;Liberation Sans&quot;, &quot;DejaVu Sans&quot;, sans-serif"


def _n(value: float) -> str:
    """A coordinate as short text: 12.0 -> 12, 12.25 -> 12.2."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def organisation_link_base(path: str, params: QueryDict) -> str:
    """The current URL with its filters, ending in `organisation=`: append an organisation id."""
    query = params.copy()
    query.pop("organisation", None)
    rest = query.urlencode()
    return f"{path}?{rest}&organisation=" if rest else f"{path}?organisation="


def draw_map(
    data: MapData,
    *,
    boundary: str,
    download: bool,
    link_base: str = "",
    panel_base: str = "",
) -> SafeString:
    """The map as one <svg> element: caption, map, key. Links and htmx only on the page.

    `link_base` is organisation_link_base() of the page, `panel_base` the map's own
    address ending in `person=` (a person's link puts them in focus, issue #13); a
    download has neither.
    """
    height = _n(round(data.height))
    caption = [escape(line) for line in data.caption]
    out: list[str] = []
    add = out.append
    add(
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1"'
        + (
            ""
            if download
            else ' class="app-map-svg" id="map-svg" role="group" aria-labelledby="map-title"'
        )
        + f' viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' font-family="{FONTS}">'
    )
    add(f'<title id="map-title">{caption[0]}</title><desc>{caption[1]} {caption[2]}</desc>')
    add(
        '<defs><marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9"'
        ' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0 0L10 5L0 10Z" fill="{CROSSING_COLOUR}"/></marker>'
        '<marker id="map-arrow-inside" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        ' markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0 0L10 5L0 10Z" fill="{INSIDE_COLOUR}"/></marker>'
        '<marker id="map-arrow-stale" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9"'
        ' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0 0L10 5L0 10Z" fill="{STALE_COLOUR}"/></marker></defs>'
    )
    add(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    add(
        '<g aria-hidden="true">'
        f'<text x="10" y="24" font-size="19" font-weight="bold" fill="{TEXT_COLOUR}">'
        f"{caption[0]}</text>"
        f'<text x="10" y="44" font-size="13" fill="{TEXT_COLOUR}">{caption[1]}</text>'
        f'<text x="10" y="60" font-size="13" fill="#4c6272">{caption[2]}</text></g>'
    )
    what = "organisations" if data.mode == "organisations" else "people"
    add(
        f'<svg id="map-viewport" x="0" y="64" width="{WIDTH}" height="{WIDTH}"'
        f' viewBox="{data.view_box}" data-initial-view="{data.view_box}"'
        + (
            ""
            if download
            else ' tabindex="0" role="group" aria-label="The map: arrow keys move it, plus and'
            f' minus zoom; Tab moves through the {what}"'
        )
        + ">"
    )
    if not download:
        # White beyond the first view, for panning (a renderer of files need not paint it).
        add('<rect x="-2000" y="-2000" width="5000" height="5000" fill="#ffffff"/>')
    _bands(add, data)
    add('<g class="app-map-discs" aria-hidden="true">')
    for disc in data.discs:
        # The page's discs carry their organisation, so an editor can drag one to pin it.
        pk = "" if download or disc.pk is None else f' data-organisation="{disc.pk}"'
        add(
            f'<circle cx="{_n(disc.x)}" cy="{_n(disc.y)}" r="{_n(disc.r)}" fill="#eef3f6"'
            f' stroke="#c4ced4" stroke-width="1"{pk}/>'
        )
    add("</g>")
    _edges(add, data)
    _nodes(add, data, boundary, download, link_base, panel_base)
    if data.mode == "people":
        add('<g class="app-map-disc-labels" aria-hidden="true" pointer-events="none">')
        for disc in data.discs:
            if disc.label_shown:
                add(
                    f'<text x="{_n(disc.x)}" y="{_n(disc.label_y)}" font-size="{data.disc_font}"'
                    f' font-weight="bold" text-anchor="middle" fill="{TEXT_COLOUR}"'
                    f' stroke="#ffffff" stroke-width="{data.halo}" paint-order="stroke">'
                    f"<title>{escape(isolate(disc.full_label))}</title>{escape(isolate(disc.label))}</text>"
                )
        add("</g>")
    add("</svg>")
    add(
        f'<rect x="0.5" y="64.5" width="{WIDTH - 1}" height="{WIDTH - 1}" fill="none"'
        ' stroke="#c4ced4"/>'
    )
    _legend(add, data)
    add("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above went through escape()


def edge_look(edge: Edge) -> tuple[str, float, float, str]:
    """A tie's stroke colour, opacity, width and arrowhead marker id.

    Across the boundary: dark, nearly opaque, wider. Inside a group: grey, faint,
    thinner. Stale (not observed within retention): pale grey whatever it joins.
    """
    if edge.stale:
        return STALE_COLOUR, 0.9, edge.width, "map-arrow-stale"
    if edge.crossing:
        return CROSSING_COLOUR, 0.85, edge.width + 0.6, "map-arrow"
    return INSIDE_COLOUR, 0.45, max(0.6, edge.width * 0.6), "map-arrow-inside"


def _bands(add, data: MapData) -> None:
    """The tier view's bands: alternate light backgrounds, each named on the left."""
    if not data.bands:
        return
    # Across the whole view, which widens past the box for labels near its edge.
    x, _, width, _ = (float(v) for v in data.view_box.split())
    lo, hi = min(x, 0.0), max(x + width, float(WIDTH))
    left, right, span = _n(lo), _n(hi), _n(hi - lo)
    add('<g class="app-map-bands" aria-hidden="true">')
    for i, band in enumerate(data.bands):
        top, height = _n(band.top), _n(band.bottom - band.top)
        fill = "#f4f7f9" if i % 2 == 0 else "#ffffff"
        add(
            f'<rect x="{left}" y="{top}" width="{span}" height="{height}" fill="{fill}"/>'
            f'<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="#aeb7bd"/>'
            f'<text x="{_n(BAND_LABEL_X)}" y="{_n(band.top + BAND_LABEL_DROP)}"'
            f' font-size="{_n(BAND_LABEL_SIZE)}" font-weight="bold"'
            f' fill="{TEXT_COLOUR}">{escape(band.label)}</text>'
        )
    add("</g>")


def _edges(add, data: MapData) -> None:
    add('<g class="app-map-edges" aria-hidden="true" fill="none">')
    # Stale ties first, then ties inside groups, so ties across the boundary are on top;
    # a person in focus: their ties over everything.
    for edge in sorted(data.edges, key=lambda e: (e.focus == "focus", not e.stale, e.crossing)):
        colour, opacity, width, arrow = edge_look(edge)
        if edge.focus == "focus":
            colour, opacity, width = CROSSING_COLOUR, 1.0, width + 1
        elif edge.focus == "dim":
            opacity = round(opacity * 0.25, 2)
        add(
            f'<line x1="{_n(edge.x1)}" y1="{_n(edge.y1)}" x2="{_n(edge.x2)}" y2="{_n(edge.y2)}"'
            f' stroke="{colour}" stroke-opacity="{opacity}"'
            f' stroke-width="{width:.1f}"'
            + (f' stroke-dasharray="{edge.dash}"' if edge.dash else "")
            + (f' marker-end="url(#{arrow})"' if edge.directed else "")
            + f' data-kind="{edge.kind}"'
            + (' data-stale="true"' if edge.stale else "")
            + f' data-crossing="{"true" if edge.crossing else "false"}"'
            + "/>"
        )
    add("</g>")


def _nodes(add, data, boundary, download, link_base, panel_base) -> None:
    organisations = data.mode == "organisations"
    link_base = escape(link_base)
    if organisations:
        shape = f' stroke="{OUTLINE}" stroke-width="1.5"'
    add('<g class="app-map-nodes">')
    labels = []
    for node in data.nodes:
        aria = escape(node.aria_label)
        if download or (organisations and not node.pk):
            add("<g>")
        elif organisations:
            link = f"{link_base}{node.pk}"
            add(
                f'<a href="{link}" hx-get="{link}" hx-target="#map-region" hx-swap="outerHTML"'
                f' hx-push-url="true" aria-label="{aria}" data-organisation="{node.pk}"'
                f' data-x="{_n(node.x)}" data-y="{_n(node.y)}">'
            )
        else:
            # Choosing a person puts them in focus: the map region again, with them
            # highlighted and their panel, and person=<id> in the address (issue #13).
            link = escape(f"{panel_base}{node.pk}")
            current = ' aria-current="true"' if node.focus == "focus" else ""
            add(
                f'<a href="{link}" hx-get="{link}" hx-target="#map-region" hx-swap="outerHTML"'
                f' hx-push-url="true" aria-label="{aria}" data-person="{node.pk}"'
                f' data-name="{escape(node.label)}" data-x="{_n(node.x)}"'
                f' data-y="{_n(node.y)}"{current}>'
            )
        if not organisations:
            # A dark outline on every node: light sector colours still stand out (WCAG
            # 1.4.11); brokers' is thicker.
            shape = (
                f' stroke="{OUTLINE}" stroke-width="3"'
                if node.broker
                else f' stroke="{OUTLINE}" stroke-width="0.8"'
            )
        if node.focus == "focus":
            # A yellow ring with a dark edge: the focus shows in any colour scheme.
            add(
                f'<circle cx="{_n(node.x)}" cy="{_n(node.y)}" r="{_n(node.r + 6)}" fill="none"'
                f' stroke="{OUTLINE}" stroke-width="7"/><circle cx="{_n(node.x)}"'
                f' cy="{_n(node.y)}" r="{_n(node.r + 6)}" fill="none" stroke="#ffeb3b"'
                ' stroke-width="4" class="app-map-focus-ring"/>'
            )
        dim = ' opacity="0.25"' if node.focus == "dim" else ""
        add(
            f'<title>{aria}</title><path d="{node.path}" fill="{node.style.colour}"{shape}{dim}/>'
            + ("</g>" if download or (organisations and not node.pk) else "</a>")
        )
        if node.short_label:
            labels.append(node)
    add("</g>")
    # Labels above every node so no node hides a name; the names are in each link's label.
    # Labels sit over other nodes: clicks and hovers must reach the node beneath.
    add('<g class="app-map-labels" aria-hidden="true" pointer-events="none">')
    for node in labels:
        add(
            f'<text x="{_n(node.label_x)}" y="{_n(node.label_y)}" font-size="{data.label_font}"'
            f' text-anchor="middle" fill="{TEXT_COLOUR}" stroke="#ffffff"'
            f' stroke-width="{data.halo}" paint-order="stroke" class="app-map-label">'
            f"{escape(isolate(node.short_label))}</text>"
        )
    add("</g>")


def _legend(add, data: MapData) -> None:
    add(f'<g class="app-map-legend" aria-hidden="true" font-size="14" fill="{TEXT_COLOUR}">')
    add(f'<text x="10" y="{_n(data.legend_top + 8)}" font-size="16" font-weight="bold">Key</text>')
    for item in data.legend:
        if item.style:
            add(f'<path d="{item.path}" fill="{item.style.colour}" stroke="{OUTLINE}"/>')
        if item.dash:
            sample = Edge(0, 0, 0, 0, "", "", 2.0, False, stale=item.stale, crossing=item.crossing)
            colour, opacity, width, arrow = edge_look(sample)
            add(
                f'<line x1="{_n(item.x - 56)}" y1="{_n(item.y - 5)}" x2="{_n(item.x - 8)}"'
                f' y2="{_n(item.y - 5)}" stroke="{colour}" stroke-opacity="{opacity}"'
                f' stroke-width="{width:.1f}"'
                + (f' stroke-dasharray="{item.dash}"' if item.dash != "none" else "")
                + (f' marker-end="url(#{arrow})"' if item.directed else "")
                + "/>"
            )
        weight = ' font-weight="bold"' if item.heading else ""
        add(f'<text x="{_n(item.x)}" y="{_n(item.y)}"{weight}>{escape(item.text)}</text>')
    add("</g>")
