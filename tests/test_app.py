"""The app's queries, URL state and callbacks without a browser (the browser tests drive the UI)."""
import json
import re
from dataclasses import replace

import numpy as np
import pytest
from fixtures import gene_names, with_high_support

from gene2vec_dash import create_app, ids, inputs
from gene2vec_dash.bench import request, request_for
from gene2vec_dash.queries import MAX_K, MapData, gene_card, neighbours, pair, partners, search
from gene2vec_dash.state import ViewState, parse_query
from pipeline.errors import InputError


@pytest.fixture(scope="module")
def data(small_bundle):
    return MapData.load(small_bundle)


def test_neighbours_are_the_most_similar_genes(data):
    table = neighbours(data, "G010", 5)
    sims = data.unit @ data.unit[data.row["G010"]]
    expected = [data.genes["symbol"][k] for k in np.argsort(-sims)[1:6]]
    assert table["symbol"].tolist() == expected and table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert (np.diff(table["similarity"]) <= 0).all() and "G010" not in table["symbol"].tolist()


@pytest.mark.parametrize("k, expected, note", [
    (500, 500, ""), (7, 7, ""), ("7", 7, ""), (" 12 ", 12, ""), (None, 15, ""), ("", 15, ""),
    (0, 1, "k = 0 is out of range (1 to 500): showing 1"), (-5, 1, "k = -5 is out of range"),
    (10_000, MAX_K, f"showing {MAX_K}"), (float("inf"), MAX_K, "k = inf is out of range"),
    ("inf", MAX_K, "out of range"), ("Infinity", MAX_K, "out of range"), ("1e400", MAX_K, "out of range"),
    (10 ** 400, MAX_K, "out of range"), (float("-inf"), 1, "k = -inf is out of range"),
    (2.5, 3, "k = 2.5 is not a whole number: showing 3"), (0.4, 1, "k = 0.4 is out of range"),
    (float("nan"), 15, "not a number"), ("NaN", 15, "not a number"), ("x", 15, "k = “x” is not a number"),
    (True, 15, "a true/false value is not a number"), ([3], 15, "a list is not a number"),
    ({"k": 3}, 15, "an object"), ("9" * 5000, 15, "not a number"),
], ids=lambda value: repr(value)[:24])
def test_k_is_brought_into_range_and_what_could_not_be_used_is_said(k, expected, note):
    shown, said = inputs.k(k)
    assert shown == expected and isinstance(shown, int)
    assert (note in said) and (bool(said) == bool(note)) and len(said) < 200


def test_search_by_prefix_and_alias(data):
    assert search(data, "oldname1") == [("G010", "OLDNAME1")]            # the alias it matched is said
    assert [s for s, _ in search(data, "G01")[:3]] == ["G010", "G011", "G012"]
    assert search(data, "G010")[0] == ("G010", None)
    assert search(data, "<script>") == [] and search(data, "") == []


def test_pair_and_partners(data):
    r = pair(data, "G010", "G011")
    assert 0 <= r["probability"] <= 1 and -1 <= r["cosine"] <= 1
    top = partners(data, "G010", 10)
    assert len(top) == 10 and "G010" not in top["symbol"].tolist()
    assert (np.diff(top["probability"]) <= 0).all()
    assert (top["reciprocal"] >= 1).all() and (top["reciprocal"] < len(data.genes)).all()
    first = top.iloc[0]["symbol"]
    assert pair(data, "G010", first)["rank_b_among_a"] == 1            # the best partner ranks first


ATLASES = {"gtex": ["Heart", "Liver"], "hpa_cell": ["Hepatocytes", "T-cells"]}


def test_url_state_round_trip_and_leniency():
    state = ViewState(gene="TP53", k=20, color="tissue", atlas="hpa_cell", tissue="T-cells", pair_a="TP53",
                      pair_b="MDM2", gene_set="GO:0007059 chromosome segregation, mitotic & more")
    assert parse_query(state.to_query(), ATLASES) == (state, "", "")
    odd, notice, k_note = parse_query("?k=abc&color=rainbow&pair=A&support=dim", ATLASES)
    assert odd == ViewState(gene=None, k=15, color="class", atlas="gtex", tissue="Heart", pair_a="A")
    assert "not a number" in k_note
    assert "No colouring “rainbow”" in notice and "support=“dim” is not one of show, fade, hide" in notice
    faded = ViewState(gene="TP53", support="fade")
    assert "support=fade" in faded.to_query() and parse_query(faded.to_query(), ATLASES)[0] == replace(
        faded, atlas="gtex", tissue="Heart")
    assert "support" not in ViewState(gene="TP53").to_query()        # the default is not spelled out


@pytest.mark.parametrize("query, atlas, tissue, words", [
    ("?color=tissue&tissue=liver", "gtex", "Liver", ""),                 # any case; an old link without atlas
    ("?color=tissue&tissue=hepatocytes", "hpa_cell", "Hepatocytes", ""),  # found in the atlas that has it
    ("?color=tissue&atlas=gtex&tissue=moon", "gtex", "Heart", "No tissue “moon” in gtex"),
    ("?color=tissue&atlas=nope&tissue=Liver", "gtex", "Liver", "No tissue atlas “nope”"),
])
def test_unknown_tissues_are_said_not_switched_silently(query, atlas, tissue, words):
    state, notice, _ = parse_query(query, ATLASES)
    assert (state.atlas, state.tissue) == (atlas, tissue)
    assert (words in notice) if words else notice == ""
    assert state.color == ("class" if "moon" in query else "tissue")


def test_bad_bundles_stop_the_app_with_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="not a bundle"):
        create_app(tmp_path)


def _call(app, output, values, changed=None):
    """Fire the callback that writes ``output`` the way the browser does; returns (status, response JSON)."""
    r = app.server.test_client().post("/_dash-update-component", json=request(app, output, values, changed))
    return r.status_code, (r.get_json() if r.status_code == 200 else None)


@pytest.mark.parametrize("gene, k", [("NOPE", 5), ("G010", 0), ("G010", 10_000), (None, None), ("<b>x</b>", "y")])
def test_neighbour_callback_never_fails(small_bundle, gene, k):
    app = create_app(small_bundle)
    status, body = _call(app, (ids.NEIGHBOURS, "data"), {(ids.GENE, "value"): gene, (ids.K, "value"): k})
    assert status in (200, 204)
    if status == 200:
        rows = body["response"][ids.NEIGHBOURS]["data"]
        n_genes = len(MapData.load(small_bundle).genes)
        assert len(rows) == (0 if gene in ("NOPE", None, "<b>x</b>") else min(MAX_K, max(1, k), n_genes - 1))


@pytest.mark.parametrize("a, b", [("G010", "G011"), ("G010", None), (None, None), ("NOPE", "G011"), ("", "")])
def test_pair_callbacks_never_fail(small_bundle, a, b):
    app = create_app(small_bundle)
    status, body = _call(app, (ids.PAIR_RESULT, "children"), {(ids.PAIR_A, "value"): a, (ids.PAIR_B, "value"): b})
    assert status == 200
    shown = json.dumps(body["response"][ids.PAIR_RESULT]["children"])
    assert (ids.PAIR_PROBABILITY in shown) == ((a, b) == ("G010", "G011"))
    status, body = _call(app, (ids.PARTNERS, "data"), {(ids.PAIR_A, "value"): a})
    assert status == 200 and len(body["response"][ids.PARTNERS]["data"]) == (10 if a == "G010" else 0)


def test_the_url_sets_the_controls_and_a_click_rewrites_it(small_bundle):
    app = create_app(small_bundle)
    status, body = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=oldname1&k=0&set=nope"})
    view = body["response"]
    assert status == 200 and view[ids.GENE]["value"] == "G010" and view[ids.PAIR_A]["value"] == "G010"
    assert view[ids.K]["value"] == 1 and "showing 1" in view[ids.K_MESSAGE]["children"]
    assert view[ids.GENE_MESSAGE]["children"] == "oldname1 → G010 (its symbol on this map)"
    assert "No gene set named “nope”" in view[ids.COLOUR_MESSAGE]["children"]
    status, body = _call(app, (ids.URL, "search"), {(ids.GENE, "value"): "G010", (ids.K, "value"): 15,
                                                    (ids.PARTNERS, "active_cell"): {"row": 0},
                                                    (ids.PARTNERS, "data"): [{"symbol": "G012"}]},
                         [(ids.PARTNERS, "active_cell")])                # a click on the partners table
    view = body["response"]
    assert status == 200 and view[ids.PAIR_B]["value"] == "G012" and ids.GENE_MESSAGE not in view
    assert view[ids.URL]["search"] == "?gene=G010&k=15&color=class&pair=G010%2CG012"


def test_the_network_mode_is_in_the_link_while_the_network_tab_shows(small_bundle):
    """A link with ``network=`` opens the Network tab in that mode; the tab opened (or its mode
    changed) puts the mode in the link, another tab takes it out; a mode not known is said."""
    app = create_app(small_bundle)
    view = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&network=partners"})[1]["response"]
    assert view[ids.NETWORK_MODE]["value"] == "partners" and view[ids.SIDE_TABS]["value"] == ids.TAB_NETWORK
    view = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010"})[1]["response"]
    assert ids.NETWORK_MODE not in view and ids.SIDE_TABS not in view     # the mode chosen stays as it is
    view = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&network=web"})[1]["response"]
    assert view[ids.NETWORK_MODE]["value"] == "neighbours" and view[ids.SIDE_TABS]["value"] == ids.TAB_NETWORK
    assert "network=“web” is not one of neighbours, partners" in view[ids.COLOUR_MESSAGE]["children"]
    shown = {(ids.URL, "search"): "?gene=G010&k=15&color=class", (ids.GENE, "value"): "G010",
             (ids.K, "value"): 15, (ids.NETWORK_MODE, "value"): "partners", (ids.SIDE_TABS, "value"): ids.TAB_NETWORK}
    view = _call(app, (ids.URL, "search"), shown, [(ids.SIDE_TABS, "value")])[1]["response"]
    assert view[ids.URL]["search"] == "?gene=G010&k=15&color=class&network=partners"
    left = {**shown, (ids.URL, "search"): view[ids.URL]["search"], (ids.SIDE_TABS, "value"): ids.TAB_GENE}
    view = _call(app, (ids.URL, "search"), left, [(ids.SIDE_TABS, "value")])[1]["response"]
    assert view[ids.URL]["search"] == "?gene=G010&k=15&color=class" and ids.NETWORK_MODE not in view
    opened = {(ids.URL, "search"): "?gene=G010&network=partners", (ids.SIDE_TABS, "value"): ids.TAB_NETWORK}
    assert ids.SIDE_TABS not in _call(app, (ids.URL, "search"), opened)[1]["response"]   # already shown: not sent again


def test_a_network_link_to_partners_without_a_pair_model_says_so(small_bundle, tmp_path):
    import shutil

    alone = tmp_path / "no_pairs"
    shutil.copytree(small_bundle, alone)
    (alone / "pairs.pt").unlink()
    view = _call(create_app(alone), (ids.URL, "search"),
                 {(ids.URL, "search"): "?gene=G010&network=partners"})[1]["response"]
    assert view[ids.NETWORK_MODE]["value"] == "neighbours" and view[ids.SIDE_TABS]["value"] == ids.TAB_NETWORK
    assert "no pair model: the Network tab shows the nearest genes" in view[ids.COLOUR_MESSAGE]["children"]
    assert view[ids.URL]["search"].endswith("network=neighbours")


def test_a_gene_list_is_in_the_link_kept_until_tested_then_as_found(small_bundle):
    """The Gene list tab's list is in the link, by the symbols found; a link's list stays in it until
    the tab has tested it (a control changed meanwhile does not drop it); a list too long for a link
    stays out of it (the link would pass what the app reads)."""
    app = create_app(small_bundle)
    link = "?k=15&color=class&list=g010%2Coldname1%2CNOSUCH"
    status, body = _call(app, (ids.URL, "search"), {(ids.URL, "search"): link})
    assert status == 200 and ids.URL not in body["response"]                         # the link stands as it is
    pending = {(ids.URL, "search"): link, (ids.K, "value"): 20, (ids.LIST_GENES, "data"): []}
    _, body = _call(app, (ids.URL, "search"), pending, [(ids.K, "value")])
    assert body["response"][ids.URL]["search"] == "?k=20&color=class&list=g010%2Coldname1%2CNOSUCH"
    tested = {**pending, (ids.LIST_GENES, "data"): ["G010", "G011"]}
    _, body = _call(app, (ids.URL, "search"), tested, [(ids.LIST_GENES, "data")])
    assert body["response"][ids.URL]["search"] == "?k=20&color=class&list=G010%2CG011"
    _, body = _call(app, (ids.URL, "search"), {**pending, (ids.URL, "search"): "?k=20&color=class&list=G010"},
                    [(ids.LIST_GENES, "data")])                                       # cleared: gone from the link
    assert body["response"][ids.URL]["search"] == "?k=20&color=class"
    many = ViewState(genes=tuple(f"GENE{k:05d}" for k in range(400)))
    assert "list=" not in many.to_query() and parse_query("?list=A,,B,A", ATLASES)[0].genes == ("A", "B")
    assert parse_query(ViewState(genes=("A", "B")).to_query(), ATLASES)[0].genes == ("A", "B")


def test_gene_card_has_identifiers_and_links(data):
    card = gene_card(data, "G010")
    entrez = str(int(data.genes.at[data.row["G010"], "entrez"]))
    assert card["entrez"] == entrez and "OLDNAME1" in card["aliases"]
    links = dict(card["links"])
    assert links["NCBI Gene"] == f"https://www.ncbi.nlm.nih.gov/gene/{entrez}"
    assert {"HGNC", "GeneCards", "GTEx portal", "STRING", "ARCHS4"} <= set(links)
    assert data.resolve(entrez) == "G010"                              # an Entrez id finds the gene too
    g = data.genes.iloc[data.row["G010"]]
    assert card["support"].startswith(f"{g['support']}: {g['contexts']} co-expression contexts from "
                                      f"{g['datasets']} of 2 data sets")         # the 12-sample set is skipped
    no_gencode = MapData.load(data.bundle.path)
    no_gencode.genes["gene_type"] = None                               # no GENCODE type: NCBI's is shown
    assert gene_card(no_gencode, "G010")["type"] == str(data.genes.at[data.row["G010"], "type_of_gene"])


def _call_list(app, text=None, selected=None, trigger=(ids.LIST_BUTTON, "n_clicks")):
    values = {(ids.MAP_SELECTION, "data"): selected, (ids.LIST_BUTTON, "n_clicks"): 1, (ids.LIST_TEXT, "value"): text}
    status, body = _call(app, (ids.LIST_GENES, "data"), values, [trigger])
    assert status == 200
    return body["response"]


def test_pasted_list_is_read_tested_and_unknown_names_listed(small_bundle):
    app = create_app(small_bundle)
    module = " ,".join(f"g{k:03d}" for k in range(6, 20))               # lower case, odd separators
    response = _call_list(app, text=f"{module}\nNOSUCHGENE; oldname1")
    genes = response[ids.LIST_GENES]["data"]
    assert len(genes) == 14 and "G010" in genes
    summary = json.dumps(response[ids.LIST_SUMMARY]["children"])
    assert "not on this map (1): NOSUCHGENE" in summary and "oldname1 \\u2192 G010" in summary
    assert "g006" not in summary                                        # case alone is not a renaming
    table = response[ids.ENRICHMENT]["data"]
    assert table and re.search(r"module[ _]0\b", table[0]["gene set"], re.I) and float(table[0]["FDR"]) < 1e-6


def test_map_selection_is_tested(small_bundle, data):
    app = create_app(small_bundle)
    names, modules = gene_names()
    chosen = [n for n in names[modules == 1] if n in data.row][:14]
    response = _call_list(app, selected=[*chosen, "NOT_ON_MAP", 7], trigger=(ids.MAP_SELECTION, "data"))
    assert sorted(response[ids.LIST_GENES]["data"]) == sorted(chosen)
    assert re.search(r"module[ _]1\b", response[ids.ENRICHMENT]["data"][0]["gene set"], re.I)


def test_every_display_class_has_a_colour():
    from gene2vec_dash.figures import CLASS_COLOURS
    from pipeline.annotate import CLASSES

    assert set(CLASSES) <= set(CLASS_COLOURS) and len(set(CLASS_COLOURS.values())) == len(CLASS_COLOURS)


def test_wsgi_entry_point_serves_the_bundle_named_in_the_environment(small_bundle, monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("GENE2VEC_BUNDLE", str(small_bundle))
    sys.modules.pop("gene2vec_dash.wsgi", None)
    wsgi = importlib.import_module("gene2vec_dash.wsgi")
    assert wsgi.server.test_client().get("/_dash-layout").status_code == 200
    assert len(wsgi.server.config["MAP_DATA"].genes) == len(MapData.load(small_bundle).genes)


def test_about_says_what_each_figure_means(data):
    from gene2vec_dash.panels.about import about

    text = str(about(data))
    for words in ("Pathway-pair AUC", "0.5 is chance", "raw co-expression it was learned from", "Clusteredness",
                  "anisotropic", "Neighbours, modules", "Support: how much co-expression", "very low",
                  "raw co-expression", "Pair model AUC", "scoring each gene alone", "Tissue patterns", "liver"):
        assert words in text, words


def test_low_support_genes_are_marked_and_cautioned(small_bundle, tmp_path):
    """A query placed by few contexts gets a caution above its neighbours; the table names each
    neighbour's tier; a well-supported query gets no caution."""
    bundle = with_high_support(small_bundle, tmp_path)
    app = create_app(bundle)
    tiers = MapData.load(bundle).genes.set_index("symbol")["support"]
    low, high = (tiers[tiers.isin(["low", "very low"]) == flag].index[0] for flag in (True, False))
    for gene, cautioned in ((low, True), (high, False)):
        status, body = _call(app, (ids.NEIGHBOURS, "data"), {(ids.GENE, "value"): gene, (ids.K, "value"): 5})
        response = body["response"]
        assert status == 200 and {r["support"] for r in response[ids.NEIGHBOURS]["data"]} <= set(tiers)
        caution = json.dumps(response[ids.SUPPORT_CAUTION]["children"])
        assert ("Low support" in caution and f"{gene} was placed by only" in caution) == cautioned
    status, body = _call(app, (ids.PAIR_RESULT, "children"), {(ids.PAIR_A, "value"): low, (ids.PAIR_B, "value"): None})
    assert "Low support" in json.dumps(body["response"][ids.PAIR_RESULT]["children"])


@pytest.mark.parametrize("mode", ["show", "fade", "hide", "nonsense"])
def test_support_view_fades_or_hides_exactly_the_low_support_genes(small_bundle, tmp_path, mode):
    bundle = with_high_support(small_bundle, tmp_path)
    app, data = create_app(bundle), MapData.load(bundle)
    key = next(k for k in app.callback_map if "map.figure" in k and app.callback_map[k]["inputs"] == [
        {"id": ids.SUPPORT_VIEW, "property": "value"}])
    r = app.server.test_client().post("/_dash-update-component",
                                      json=request_for(app, key, {(ids.SUPPORT_VIEW, "value"): mode}))
    status, body = r.status_code, r.get_json()
    assert status == 200
    ops = {tuple(o["location"]): o["params"]["value"] for o in body["response"][ids.MAP]["figure"]["operations"]}
    low = data.genes["support"].isin(["low", "very low"]).to_numpy()
    x, opacity = np.array(ops[("data", 0, "x")], dtype=float), ops[("data", 0, "marker", "opacity")]
    assert low.any() and (~low).any()
    assert np.isnan(x[low]).all() == (mode == "hide") and not np.isnan(x[~low]).any()
    if mode == "fade":
        assert max(np.array(opacity)[low]) < 0.1 < min(np.array(opacity)[~low])
    else:
        assert opacity == 0.8


# --- two embeddings side by side ----------------------------------------------------------------------

def test_compare_lists_both_neighbourhoods_with_their_ranks_in_the_other(small_bundle, small_bundle_seed1):
    from gene2vec_dash.comparison import compare, ranks_around

    a, b = MapData.load(small_bundle), MapData.load(small_bundle_seed1)
    r = compare(a, b, "G010", 5)
    ranks_b = ranks_around(b, "G010")
    assert r["a"]["other_rank"].tolist() == [int(ranks_b[b.row[s]]) for s in r["a"]["symbol"]]
    assert r["b"]["symbol"].tolist() == neighbours(b, "G010", 5)["symbol"].tolist()
    assert r["b"]["other_rank"].tolist()[0] >= 1
    assert r["jaccard"] == pytest.approx(r["shared"] / (10 - r["shared"]))
    assert sorted(ranks_b)[:3] == [1, 2, 3] and ranks_b[b.row["G010"]] == len(b.genes)   # the gene itself last


def test_compare_tab_and_link(small_bundle, small_bundle_seed1):
    app = create_app(small_bundle, [small_bundle_seed1])
    status, body = _call(app, (ids.COMPARE_A, "data"), {(ids.GENE, "value"): "G010", (ids.K, "value"): 5,
                                                       (ids.COMPARE, "value"): "seed1"})
    r = body["response"]
    assert status == 200 and len(r[ids.COMPARE_A]["data"]) == 5 and len(r[ids.COMPARE_B]["data"]) == 5
    assert r[ids.COMPARE_A]["columns"][3]["name"] == "Rank in seed1"
    assert r[ids.COMPARE_B]["columns"][3]["name"] == "Rank in small"
    assert r[ids.COMPARE_A]["columns"][2]["format"]["specifier"] == ".3f"      # cosines alike: 0.920, 0.897
    assert "of 5" in json.dumps(r[ids.COMPARE_SUMMARY]["children"])
    status, body = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&compare=seed1"})
    view = body["response"]
    assert view[ids.COMPARE]["value"] == "seed1" and view[ids.SIDE_TABS]["value"] == ids.TAB_COMPARE
    view = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&compare=seed1&network=partners"}
                 )[1]["response"]                            # one tab shows: the comparison, not the network
    assert view[ids.SIDE_TABS]["value"] == ids.TAB_COMPARE and "network=" not in view[ids.URL]["search"]
    for link, tab in (("?pair=G010", ids.TAB_PAIR), ("?pair=G010,G011", ids.TAB_PAIR), ("?gene=G010&pair=G010", None)):
        view = _call(app, (ids.URL, "search"), {(ids.URL, "search"): link})[1]["response"]
        assert view.get(ids.SIDE_TABS, {}).get("value") == tab, link     # one pair gene alone: its partners
    status, body = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&compare=nope"})
    assert "No embedding “nope” to compare with (this map is compared with seed1)" in \
        body["response"][ids.COLOUR_MESSAGE]["children"]
    alone = create_app(small_bundle)
    status, body = _call(alone, (ids.URL, "search"), {(ids.URL, "search"): "?compare=x"})
    assert "compares with none: start it with --compare DIR" in body["response"][ids.COLOUR_MESSAGE]["children"]


def test_about_puts_the_compared_embeddings_side_by_side(small_bundle, small_bundle_seed1):
    from gene2vec_dash.panels.about import about
    from gene2vec_dash.server import named

    a, b = MapData.load(small_bundle), MapData.load(small_bundle_seed1)
    text = json.dumps(about(a, named([b, b], "small")), default=str)
    assert "Compared embeddings" in text and "small (this map)" in text and "seed1 (2)" in text
    assert "Pathway-pair AUC" in text and "evaluate compare A B" in text
    assert named([a], "small") == {"small (2)": a}                       # never this map's own name


def test_one_neighbour_is_said_in_the_singular():
    assert inputs.k(0)[1] == "k = 0 is out of range (1 to 500): showing 1 neighbour."
    assert inputs.k(2.4)[1].endswith("showing 2 neighbours.")


def test_the_enrichment_table_downloads_as_utf8_named_after_the_list(small_bundle):
    app = create_app(small_bundle)
    genes = ["G010", "G011", "G012", "G013", "G014"]
    status, body = _call(app, (ids.ENRICHMENT_DOWNLOAD, "data"), {(ids.ENRICHMENT_DOWNLOAD_BUTTON, "n_clicks"): 1,
                                                                 (ids.LIST_GENES, "data"): genes})
    sent = body["response"][ids.ENRICHMENT_DOWNLOAD]["data"]
    assert status == 200 and sent["filename"] == "enrichment_G010_G011_and_3_more.csv" and not sent["base64"]
    assert sent["content"].startswith("source,gene set,overlap,set size,expected,fold,p,FDR,genes")  # no BOM
    assert "MODULE_0" in sent["content"]
    status, body = _call(app, (ids.LIST_DOWNLOAD, "data"), {(ids.LIST_DOWNLOAD_BUTTON, "n_clicks"): 1,
                                                           (ids.LIST_GENES, "data"): genes[:2]})
    assert body["response"][ids.LIST_DOWNLOAD]["data"]["filename"] == "genes_G010_G011.csv"


def test_a_compared_import_shows_this_maps_support_and_about_figures_come_from_the_bundles(small_bundle, tmp_path):
    import shutil

    import pandas as pd

    from gene2vec_dash.comparison import compare

    imported = tmp_path / "imported"
    shutil.copytree(small_bundle, imported)
    genes = pd.read_parquet(imported / "genes.parquet")
    genes.drop(columns=["support", "contexts", "datasets"]).to_parquet(imported / "genes.parquet", index=False)
    a, b = MapData.load(small_bundle), MapData.load(imported)
    r = compare(a, b, "G010", 5)
    assert r["support_from"] == "a" and "unknown" not in set(r["b"]["support"])
    assert list(r["b"]["support"]) == [a.genes.at[a.row[s], "support"] for s in r["b"]["symbol"]]
    from gene2vec_dash.panels.about import about

    text = json.dumps([c.to_plotly_json() for c in about(a, {"imported": b})], default=str)
    assert "0.624" not in text and "0.651" not in text


def test_a_tissue_profile_is_the_genes_scores_highest_first_and_empty_without_any(data):
    from gene2vec_dash.profile import SHOWN, profile_figure, tissue_profile
    from pipeline.bundle import tissue_column

    atlas = next(iter(data.atlases.values()))
    found = tissue_profile(data, "G010", atlas)
    row = data.genes.iloc[data.row["G010"]]
    assert found["z"].tolist() == sorted(found["z"], reverse=True)
    assert found["z"].tolist() == [row[tissue_column(atlas.key, t)] for t in found["tissue"]]
    figure = profile_figure(found, atlas, "G010")
    assert len(figure["data"][0]["y"]) == min(SHOWN, len(found))
    genes = data.genes.copy()
    genes.loc[data.row["G011"], [tissue_column(atlas.key, t) for t in atlas.tissues]] = np.nan
    assert tissue_profile(replace(data, genes=genes), "G011", atlas).empty      # no atlas scores it


def test_a_pair_never_co_expressed_is_said_to_be_related_outside_co_expression(data):
    import pandas as pd

    from gene2vec_dash.evidence import chance_r, coexpression_note
    from gene2vec_dash.evidence_view import pair_summary

    def found(r, a_measured=(True, True, False)):
        frame = pd.DataFrame({"dataset": ["a", "b", "c"], "a_measured": list(a_measured),
                              "b_measured": [True, True, True], "r": r, "samples": [40, 100, 60]})
        frame["chance_r"] = chance_r(frame["samples"])
        frame["above_chance"] = pd.array([None if np.isnan(x) else bool(x > c)
                                          for x, c in zip(frame["r"], frame["chance_r"])], dtype="boolean")
        frame.attrs["note"] = coexpression_note(frame.assign(in_tf_lists=pd.NA), "X", "Y")
        return frame

    words = pair_summary(data, "X", "Y", found([0.05, -0.2, np.nan]))
    assert words.startswith("None of the 2 data sets that measure both X and Y gives them an r above chance")
    assert words.endswith("co-expression cannot see this relation.")
    assert pair_summary(data, "X", "Y", found([0.05, 0.5, np.nan])).startswith("r above chance in 1 of the 2")
    assert "in 1 of the 2 data sets" in pair_summary(data, "X", "Y", found([0.95, 0.1, np.nan]))
    assert pair_summary(data, "X", "Y", found([0.95, 0.1, np.nan], (False,) * 3)) == (
        "No data set of the compendium measures both X and Y: co-expression cannot see this relation.")


def test_support_words_stop_praising_a_gene_no_data_set_expresses(data):
    from gene2vec_dash.evidence_view import support_words

    words = "high: 145 co-expression contexts from 4 of 7 data sets; its neighbours are the best this map has"
    assert support_words(words, None) == words
    said = support_words(words, "placed by co-expression in data sets where ...")
    assert said.startswith("high: 145 co-expression contexts") and "best" not in said and "caution" in said


def test_a_medium_gene_placed_by_one_source_is_not_called_a_fair_guide(data):
    from gene2vec_dash.queries import support

    row = data.row["G010"]
    data.genes.loc[row, ["support", "contexts", "datasets"]] = ["medium", 50, 1]
    words = support(data, "G010")["words"]
    assert words.startswith("medium: 50 co-expression contexts from 1 of ") and "all from one source" in words
    assert "fair guide" not in words
    data.genes.loc[row, "datasets"] = 2
    assert support(data, "G010")["words"].endswith("its neighbours are a fair guide")
