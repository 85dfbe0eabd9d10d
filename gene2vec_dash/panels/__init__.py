"""The side panel's tabs, in the order the page shows them: one module a tab, each owning its layout,
its callbacks and its part of the URL (:class:`gene2vec_dash.panel.Panel`). The Compare tab is
shown only when the map is compared with other embeddings (``--compare DIR``)."""
from __future__ import annotations

from gene2vec_dash.panels import about, compare, gene, gene_list, network, partners

PANELS = (gene.PANEL, partners.PANEL, network.PANEL, gene_list.PANEL, compare.PANEL, about.PANEL)
