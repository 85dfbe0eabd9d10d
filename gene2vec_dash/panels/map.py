"""The map and its own controls: colouring (gene class, or a tissue of an atlas), the legend, the
low-support genes shown, faded or hidden, and the return to the whole map. The map is recoloured in
the browser; the server sends an atlas' colour bins once and the genes' descriptions after the
first paint."""
from __future__ import annotations

import numpy as np
from dash import Dash, Input, Output, Patch, State, dcc, html
from dash.exceptions import PreventUpdate

from gene2vec_dash import figures, ids, inputs, queries
from gene2vec_dash.names import tissue_options
from gene2vec_dash.queries import AtlasView, MapData
from gene2vec_dash.state import SUPPORT_VIEWS
from gene2vec_dash.url import Control, Pick
from pipeline.bundle import tissue_column
from pipeline.support import LOW_BELOW

URL = (Control("color", ids.COLOR_MODE), Control("atlas", ids.ATLAS), Control("tissue", ids.TISSUE),
       Control("tissues", ids.TISSUE, "options", reads=False), Control("support", ids.SUPPORT_VIEW),
       Control("colour_message", ids.COLOUR_MESSAGE, "children", reads=False),
       Pick("gene", ids.MAP, "clickData"))


def legend(data: MapData) -> list:
    return [html.Span([html.Span(className="swatch", style={"background": colour}), f"{name} ({count:,})"],
                      className="legend-item") for name, colour, count in figures.class_legend(data.genes)]


def z_legend(atlas: AtlasView, tissue: str) -> list:
    """Which atlas and tissue, the scale's ends, and whether the tissue's specific genes gather."""
    pattern = atlas.patterns.get(tissue, {})
    gather = (f"Its {pattern['specific_genes']:,} specific genes (z ≥ 2) have {pattern['map_ratio']:.1f}× "
              "as many specific map neighbours as random genes" if pattern.get("map_ratio") else
              f"{pattern.get('specific_genes', 0):,} specific genes (z ≥ 2)" if pattern else "")
    return [html.Span(f"{tissue} · {atlas.name}", className="legend-title"),
            html.Span(f"specificity z ≤ -{atlas.z_limit:g}", className="legend-end"),
            html.Span(className="z-bar"),
            html.Span(f"≥ +{atlas.z_limit:g}", className="legend-end"),
            html.Span([html.Span(className="swatch", style={"background": figures.NO_DATA}),
                       f"no score: below 1 {atlas.unit or 'TPM'} in every tissue, or not measured"],
                      className="legend-item"),
            html.Span(gather, className="legend-note")]


def _support_control(data: MapData) -> list:
    """Show, fade or hide the genes few contexts placed (disabled when the bundle does not know)."""
    n_low = len(queries.low_support(data.genes))
    return [html.Div([
        html.Label("Low-support genes", htmlFor=ids.SUPPORT_VIEW,
                   title=f"{n_low:,} genes placed by fewer than {LOW_BELOW} co-expression contexts"),
        dcc.RadioItems(id=ids.SUPPORT_VIEW, value="show", inline=True, className="support-view",
                       options=[{"label": v, "value": v, "disabled": not n_low} for v in ("show", "fade", "hide")]),
    ], className="support-control")]


def layout(data: MapData) -> html.Section:
    """The map column: colour controls, legend, the map, and the stores its colouring reads."""
    first = next(iter(data.atlases.values()), None)
    return html.Section([
        html.Div([
            html.Label("Colour by", htmlFor=ids.COLOR_MODE),
            dcc.RadioItems(id=ids.COLOR_MODE, value="class", inline=True, options=[
                {"label": "gene class", "value": "class"},
                {"label": "tissue specificity", "value": "tissue", "disabled": first is None}]),
            dcc.Dropdown(id=ids.ATLAS, value=first.key if first else None, clearable=False, disabled=True,
                         options=[{"label": f"{a.name} ({len(a.tissues)})", "value": a.key}
                                  for a in data.atlases.values()], className="atlas-dropdown"),
            dcc.Dropdown(id=ids.TISSUE, options=tissue_options(first.tissues) if first else [],
                         value=first.tissues[0] if first else None, clearable=False, searchable=True,
                         disabled=True, placeholder="Tissue…", className="tissue-dropdown"),
            html.Button("Whole map", id=ids.WHOLE_MAP, className="button", title="Reset the view to every gene"),
            *_support_control(data),
            html.Div(id=ids.COLOUR_MESSAGE, className="message", role="status"),
        ], className="controls"),
        html.Div(legend(data), id=ids.LEGEND, className="legend"),
        dcc.Store(id=ids.COLOURS, data={"class": figures.class_colours(data.genes), "atlases": {}}),
        dcc.Store(id=ids.ATLAS_REQUEST), dcc.Store(id=ids.HOVER_TEXT),
        dcc.Graph(id=ids.MAP, figure=figures.map_figure(data.genes),
                  # Plotly's own reset returns to the first view it drew (a shared link's gene):
                  # "Whole map" is the reset; no upload to Plotly's cloud
                  config={"scrollZoom": True, "displaylogo": False, "doubleClick": False,
                          "showSendToCloud": False, "showEditInChartStudio": False,
                          "modeBarButtonsToRemove": ["sendDataToCloud", "toImage", "autoScale2d", "resetScale2d"]},
                  responsive=True, className="map"),
    ], className="map-column")


# The bins of the colouring asked for (gene class, or one tissue of an atlas, a slice of the atlas'
# bins) and its colour scale, assigned to the genes' trace. An atlas' bins come from the server once
# (ATLAS_REQUEST), then stay in the COLOURS store.
RECOLOUR_JS = """function (mode, atlas, tissue, colours) {
    const C = window.dash_clientside;
    if (!colours) { return C.no_update; }
    let spec = colours["class"], bins = null;
    if (mode === "tissue" && atlas) {
        const a = colours.atlases[atlas];
        if (!a) { return C.no_update; }
        const k = a.tissues.indexOf(tissue);
        if (k >= 0) {
            const all = gene2vecArray(atlas, a.bins), n = all.length / a.tissues.length;
            spec = a;
            bins = all.subarray(k * n, (k + 1) * n);
        }
    }
    if (bins === null) { bins = gene2vecArray("class", spec.bins); }
    const patch = new C.Patch();
    for (const key of ["colorscale", "cmin", "cmax"]) { patch.assign(["data", %(map)d, "marker", key], spec[key]); }
    patch.assign(["data", %(map)d, "marker", "color"], bins);
    return patch.build();
}""" % {"map": figures.MAP}

# which atlas' bins the page still needs (none while colouring by class or once they are here)
ATLAS_NEEDED_JS = """function (mode, atlas, colours) {
    const needed = mode === "tissue" && atlas && colours && !colours.atlases[atlas];
    return needed ? atlas : window.dash_clientside.no_update;
}"""

# Once the map is drawn: hover labels (the symbol from the figure, the class from the class bins, the
# description from a store filled after the first paint, so that it does not wait for 1.5 MB of text),
# and the genes' positions and colours as arrays kept in the page (assets/arrays.js: without them every
# later redraw, even one that changes nothing, recalculates every gene)
AFTER_PAINT_JS = """function (descriptions, colours, figure) {
    if (!descriptions || !colours || !figure) { return window.dash_clientside.no_update; }
    const bins = gene2vecArray("class", colours["class"].bins), names = colours["class"].names;
    const text = descriptions.map((d, k) => names[bins[k]] + (d ? "<br>" + d : ""));
    const patch = new window.dash_clientside.Patch(), genes = figure.data[%(map)d];
    patch.assign(["data", %(map)d, "hovertext"], text);
    patch.assign(["data", %(map)d, "hovertemplate"], "<b>%%{customdata}</b> · %%{hovertext}<extra></extra>");
    for (const [path, key, value] of [[["x"], "x", genes.x], [["y"], "y", genes.y],
                                      [["marker", "color"], "class", genes.marker.color]]) {
        if (value && typeof value.bdata === "string") {      // not yet replaced (by a recolour, a support view)
            patch.assign(["data", %(map)d, ...path], gene2vecArray(key, value.bdata, value.dtype));
        }
    }
    return patch.build();
}""" % {"map": figures.MAP}


def register(app: Dash, data: MapData) -> None:
    _colouring(app, data)
    _whole_map(app, data)
    _support_view(app, data)


def _colouring(app: Dash, data: MapData) -> None:
    atlas_bins: dict[str, dict] = {}

    app.clientside_callback(RECOLOUR_JS, Output(ids.MAP, "figure", allow_duplicate=True),
                            Input(ids.COLOR_MODE, "value"), Input(ids.ATLAS, "value"), Input(ids.TISSUE, "value"),
                            Input(ids.COLOURS, "data"), prevent_initial_call=True)
    app.clientside_callback(ATLAS_NEEDED_JS, Output(ids.ATLAS_REQUEST, "data"), Input(ids.COLOR_MODE, "value"),
                            Input(ids.ATLAS, "value"), State(ids.COLOURS, "data"), prevent_initial_call=True)
    app.clientside_callback(AFTER_PAINT_JS, Output(ids.MAP, "figure", allow_duplicate=True),
                            Input(ids.HOVER_TEXT, "data"), State(ids.COLOURS, "data"), State(ids.MAP, "figure"),
                            prevent_initial_call=True)

    @app.callback(Output(ids.COLOURS, "data"), Input(ids.ATLAS_REQUEST, "data"), prevent_initial_call=True)
    def send_atlas(key):
        """An atlas' bins, every tissue, the first time the page colours by one of its tissues."""
        key = inputs.choice(key, data.atlases)
        if key is None:
            raise PreventUpdate
        if key not in atlas_bins:
            view = data.atlases[key]
            z = data.genes[[tissue_column(key, t) for t in view.tissues]].to_numpy(dtype=np.float64)
            atlas_bins[key] = figures.atlas_colours(z, view.tissues, view.z_limit)
        patch = Patch()
        patch["atlases"][key] = atlas_bins[key]
        return patch

    @app.callback(Output(ids.HOVER_TEXT, "data"), Input(ids.URL, "pathname"))
    def hover_text(_):
        return figures.hover_text(data.genes)

    @app.callback(Output(ids.LEGEND, "children"), Output(ids.ATLAS, "disabled"), Output(ids.TISSUE, "disabled"),
                  Input(ids.COLOR_MODE, "value"), Input(ids.ATLAS, "value"), Input(ids.TISSUE, "value"))
    def legend_for(mode, atlas, tissue):
        atlas = inputs.choice(atlas, data.atlases)
        view = data.atlases.get(atlas) if atlas else None
        if mode == "tissue" and view is not None and inputs.choice(tissue, view.tissues):
            return z_legend(view, tissue), False, False
        return legend(data), True, True


def _support_view(app: Dash, data: MapData) -> None:
    low = queries.low_support(data.genes)

    @app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.SUPPORT_VIEW, "value"),
                  prevent_initial_call=True)
    def support_view(mode):
        patch = Patch()
        figures.show_support(patch, data.genes, low, inputs.choice(mode, SUPPORT_VIEWS) or "show")
        return patch


def _whole_map(app: Dash, data: MapData) -> None:
    @app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.WHOLE_MAP, "n_clicks"),
                  prevent_initial_call=True)
    def whole(_):
        patch = Patch()
        figures.set_ranges(patch, figures.whole_map(data.genes))
        return patch
