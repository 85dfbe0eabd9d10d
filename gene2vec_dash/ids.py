"""Every component id of the page, defined once: the layout, the callbacks, the app benchmark and the
tests import these names, so an id is renamed in one place. The strings are the DOM ids, so links,
CSS and the browser tests see the same page as before."""
from __future__ import annotations

URL = "url"

# the map and its colour controls
MAP = "map"
LEGEND = "legend"
COLOR_MODE = "color-mode"
ATLAS = "atlas"
TISSUE = "tissue"
WHOLE_MAP = "whole-map"
SUPPORT_VIEW = "support-view"           # low-support genes: show, fade or hide
COLOUR_MESSAGE = "colour-message"
COLOURS = "colours"                     # colour bins in the browser: gene class, and each atlas once fetched
ATLAS_REQUEST = "atlas-request"         # the atlas whose bins the browser still needs
HOVER_TEXT = "hover-text"               # the genes' descriptions for the hover label, sent after first paint

# the side panel's tabs, and the values of SIDE_TABS that select them
SIDE_TABS = "side-tabs"
BUNDLE_PANEL = "bundle-panel"
TAB_GENE, TAB_PAIR, TAB_NETWORK, TAB_LIST = "gene", "pair", "network", "list"
TAB_COMPARE, TAB_ABOUT = "compare", "about"

# Gene tab
GENE = "gene"
GENE_MESSAGE = "gene-message"
GENE_CARD = "gene-card"
PAIR_EVIDENCE = "pair-evidence"          # each data set's r for the pair, the TF lists
GENE_PROFILE = "gene-profile"            # the gene's tissue profile in the atlas the colour controls show
SUPPORT_CAUTION = "support-caution"     # shown above the neighbours of a low-support gene
K = "k"
K_MESSAGE = "k-message"
DOWNLOAD_BUTTON = "download-button"
DOWNLOAD = "download"
NEIGHBOURS = "neighbours"
FUNCTION_SECTION = "function-section"   # the gene's predicted functions (absent for a bundle without them)
FUNCTION_LIBRARY = "function-library"   # which gene-set library's terms
FUNCTION_NOTE = "function-note"         # how many of the terms shown are known; a poorly annotated gene said
FUNCTION_CAUTION = "function-caution"   # a low-support gene's caution
FUNCTIONS = "functions"                 # the top terms: probability, known or predicted
FUNCTION_TERM = "function-term"         # the term outlined on the map and the neighbours that carry it
FUNCTION_CLEAR = "function-clear"

# Partners tab
PAIR_A = "pair-a"
PAIR_B = "pair-b"
PAIR_RESULT = "pair-result"
PAIR_PROBABILITY = "pair-probability"
PAIR_COSINE = "pair-cosine"
PARTNERS = "partners"

# Network tab
NETWORK = "network"                 # the gene's neighbourhood as a graph (dash-cytoscape)
NETWORK_MODE = "network-mode"       # nearest genes (cosine) or partners (P)
NETWORK_SUMMARY = "network-summary"

# Gene list tab
LIST_TEXT = "list-text"
LIST_BUTTON = "list-button"
LIST_CLEAR = "list-clear"
LIST_DOWNLOAD_BUTTON = "list-download-button"
LIST_DOWNLOAD = "list-download"
LIST_SUMMARY = "list-summary"
LIST_GENES = "list-genes"
LIST_ON_MAP = "list-on-map"         # whether the list overlay holds genes (a pasted list's)
MAP_SELECTION = "map-selection"     # the symbols of a map selection (box or lasso), set in the browser
ENRICHMENT = "enrichment"
ENRICHMENT_DOWNLOAD_BUTTON = "enrichment-download-button"
ENRICHMENT_DOWNLOAD = "enrichment-download"
PATHWAY = "pathway"
PATHWAY_SUMMARY = "pathway-summary"
PATHWAY_CLUSTEREDNESS = "pathway-clusteredness"
CANDIDATE_SECTION = "candidate-section"  # genes that belong with the list (hidden while there is none)
CANDIDATE_SUMMARY = "candidate-summary"  # the list's own AUROC, in words
CANDIDATES = "candidates"

# Compare tab (present when the server compares this map with other bundles: --compare DIR)
COMPARE = "compare-with"                # which other embedding (URL key compare=NAME)
COMPARE_SUMMARY = "compare-summary"
COMPARE_A = "compare-a"                 # the gene's neighbours here, with their rank in the other
COMPARE_B = "compare-b"                 # ... and in the other, with their rank here
COMPARE_B_TITLE = "compare-b-title"
BUILD_NOTE = "build-note"                # a first run: what is still computed behind the map
BUILD_POLL = "build-poll"

MAP_PLOT = f"#{MAP} .js-plotly-plot"
"""CSS selector of the plotly div inside the map, which holds the figure's data and layout in the browser."""
