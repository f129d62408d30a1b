"""The PNG draws its text with the fonts shipped in stakeholders/fonts/, not the server's."""

from stakeholders.maps import png as map_png

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40" '
    'font-family="Arial, Helvetica, Arimo, sans-serif">{}</svg>'
)


def test_the_shipped_fonts_are_there():
    names = sorted(path.rsplit("/", 1)[-1] for path in map_png.FONT_FILES)
    assert names == ["DejaVuSans.ttf", "arimo-400.ttf", "arimo-700.ttf"]


def test_labels_are_drawn_even_with_no_system_fonts():
    blank = map_png.svg_to_png(SVG.format(""), scale=1)
    labelled = map_png.svg_to_png(
        SVG.format('<text x="5" y="25" font-size="18">Fenwick Hospitals</text>'), scale=1
    )
    assert labelled != blank
    # The text adds detail, so the compressed picture grows well beyond an empty one.
    assert len(labelled) > len(blank) + 200


def test_bold_and_regular_labels_differ():
    regular = map_png.svg_to_png(SVG.format('<text x="5" y="25">Marsh Vale</text>'), scale=1)
    bold = map_png.svg_to_png(
        SVG.format('<text x="5" y="25" font-weight="bold">Marsh Vale</text>'), scale=1
    )
    assert regular != bold
