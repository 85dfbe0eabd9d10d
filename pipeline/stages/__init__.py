"""The build's registry: every stage, in the order the runner walks it.

A build starts from co-expression; an import (``import-embedding``) is the same registry with an
imported embedding as its first stage; ``evaluate methods`` walks the stages up to the quality
figures once per embedding method. To add a stage, write it in its module and list it here.
"""
from __future__ import annotations

from pipeline.runner import Stage
from pipeline.stages.contexts import COEXPRESSION, EMBEDDING, IMPORTED, SYMBOLS
from pipeline.stages.evidence import EVIDENCE
from pipeline.stages.functions import FUNCTIONS_STAGE
from pipeline.stages.grading import GGI_DEGREE, GGI_PAPER, GGIPNN, GGIPNN_BASELINES, PAIRS, QUALITY
from pipeline.stages.mapping import ANNOTATIONS, CLASS_ENRICHMENT, ENRICHMENT_SETS, LAYOUT, TISSUE_PATTERNS
from pipeline.stages.sources import ATLASES, GENE_ONTOLOGY, GENE_SETS, GENE_TABLE, GENE_TYPES

REFERENCES: tuple[Stage, ...] = (GENE_TABLE, GENE_SETS, GENE_TYPES, ATLASES, GENE_ONTOLOGY)
AFTER_EMBEDDING: tuple[Stage, ...] = (SYMBOLS, QUALITY, GGI_PAPER, GGI_DEGREE, GGIPNN, GGIPNN_BASELINES, PAIRS,
                                      LAYOUT, ANNOTATIONS, TISSUE_PATTERNS, ENRICHMENT_SETS, CLASS_ENRICHMENT,
                                      FUNCTIONS_STAGE)

BUILD: tuple[Stage, ...] = (*REFERENCES, COEXPRESSION, EMBEDDING, EVIDENCE, *AFTER_EMBEDDING)   # functions read it
IMPORT: tuple[Stage, ...] = (*REFERENCES, IMPORTED, *AFTER_EMBEDDING)
COMPARE: tuple[Stage, ...] = (GENE_TABLE, GENE_SETS, COEXPRESSION, EMBEDDING, QUALITY)   # evaluate methods
