"""What the pipeline prints: the build summary and every quality figure beside the baselines that
could fake it, in one place for the build and the ``evaluate`` / ``ggipnn`` commands."""
from __future__ import annotations

from pathlib import Path

BASELINES = {"additive": "additive (each gene scored alone)", "popularity_norm": "popularity (vector norms)",
             "popularity_contexts": "popularity (context counts)", "cosine": "cosine similarity"}


def summary_lines(manifest: dict) -> list[str]:
    """A build's or an import's summary: inputs, counts, each figure with its baselines, timings."""
    c, metrics = manifest["counts"], manifest["metrics"]
    lines = []
    if "imported" in manifest:
        lines.append(f"imported {manifest['imported']['file']}: {c['genes_embedded']:,} genes x "
                     f"{manifest['imported']['dims']} dims")
    else:
        lines += [f"data sets used: {len(manifest['inputs'])}, skipped: {len(manifest['datasets_skipped'])}"
                  + "".join(f"\n  skipped {Path(s['source']).name}: {s['reason']}"
                            for s in manifest["datasets_skipped"]),
                  f"pairs: {c['pairs']:,}  genes in pairs: {c['genes_in_pairs']:,}  "
                  f"genes embedded: {c['genes_embedded']:,}"]
    if "clusteredness" in metrics:                 # a map built first has no grading yet
        lines += clusteredness_lines(metrics["clusteredness"])
    for name, report in metrics.get("neighbours", {}).items():
        lines += neighbour_lines(name, report)
    runs = {k: v for k, v in metrics.get("ggipnn", {}).items() if k != "baselines"}
    if runs:
        lines.append("GGIPNN test AUC (paper protocol): "
                     + ", ".join(f"{k} {v['test_auc']:.3f}" for k, v in runs.items())
                     + _baselines_text(metrics["ggipnn"].get("baselines", {})))
    if "pairs" in metrics:
        p = metrics["pairs"]
        lines.append(f"pair model test AUC (degree-matched): {p['pair_model']['auc']:.3f}, per-gene "
                     f"{p['pair_model']['per_gene_auc']:.3f}" + _baselines_text(p))
        c = p["pair_model"].get("calibration", {})
        if "top10_spread" in c:
            lines.append(f"  calibrated P ({c['method']}): ECE {c['ece']:.3f} (Platt {c['ece_before']:.3f}), AUC "
                         f"{c['auc']:.3f}, top-10 P spread {c['top10_spread']:.3f} (Platt "
                         f"{c['top10_spread_before']:.3f})")
    if "layout" in metrics:
        lines.append(f"map: 10-NN kept {metrics['layout']['neighbourhood_preservation_10nn']:.3f}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in manifest["timings"].items()))
    return lines


def _baselines_text(figures: dict) -> str:
    parts = [f"{n} {figures[n]['auc']:.3f}" for n in BASELINES if n in figures]
    return f"; baselines: {', '.join(parts)}" if parts else ""


def clusteredness_lines(clus: dict) -> list[str]:
    """The paper's ratio, and the pair AUC that can be read beside the raw co-expression's."""
    cos = clus["cosine"]
    lines = [f"clusteredness (cosine): {cos['ratio']:.3f} (within sets {cos['within']:.4f} / random "
             f"{cos['random']:.4f}) over {clus['sets_used']} gene sets; inner product "
             f"{clus['inner_product']['ratio']:.3f}; pair AUC {cos['pair_auc']:.3f}"]
    if "coexpression" in clus:
        co = clus["coexpression"]
        lines.append(f"  raw co-expression (mean Fisher z): pair AUC {co['pair_auc']:.3f} (within sets "
                     f"{co['within']:.4f} / random {co['random']:.4f}: a ratio over a mean near 0 means nothing)")
    return lines


def neighbour_lines(name: str, report: dict) -> list[str]:
    """Precision@k of the embedding beside random genes and the raw co-expression, same queries."""
    def line(label: str, m: dict) -> str:
        return (f"  {label}: precision@{report['k']} {m['precision']:.3f} ({m['lift']:.1f}x random "
                f"{m['random']:.3f}), recall in top 1% {m['recall_top_1pct']:.3f}")

    lines = [f"neighbours vs {name} ({report['sets']} sets of 5-200 genes, {report['queries']} query genes "
             f"of {report['genes']:,}):", line("embedding (cosine)", report["embedding"])]
    if "coexpression" in report:
        lines.append(line("raw co-expression (mean Fisher z)", report["coexpression"]))
    for tier, t in report.get("support", {}).items():
        lines.append(f"  support {tier:<8} ({t['genes']:,} genes, cone {t['cone']:.2f}): " + (
            f"precision@{report['k']} {t['precision']:.3f} (random for this tier {t['random']:.3f}, "
            f"{t['queries']} queries)" if t.get("queries") else "no gene of this tier is in a set"))
    return lines


def baseline_lines(figures: dict, model: str, model_figures: dict) -> list[str]:
    """A predictor's AUC (and ECE when known), then the baselines that need no pair signal, on the same pairs."""
    rows = [(model, model_figures)] + [(label, figures[key]) for key, label in BASELINES.items() if key in figures]
    width = max(len(label) for label, _ in rows)
    return [f"  {label:<{width}}  AUC {m['auc']:.4f}  per-gene AUC {m['per_gene_auc']:.4f}"
            + (f"  ECE {m['ece']:.4f}" if "ece" in m else "") for label, m in rows]


def calibration_lines(c: dict) -> list[str]:
    """The pair model's P before (Platt: a global sigmoid of its score) and after its calibration."""
    if "top10_spread" not in c:
        return [f"P: {c.get('method', 'Platt scaling')}, ECE {c['ece']:.4f} ({c['ece_before']:.4f} before)"]
    return [f"P calibrated by {c['method']} (weights {c['weights']} on {', '.join(c['features'])}), on {c['split']}:",
            f"  {'':<22}{'Platt (before)':>15}{'calibrated':>12}",
            f"  {'ECE':<22}{c['ece_before']:>15.4f}{c['ece']:>12.4f}",
            f"  {'AUC':<22}{c['auc_before']:>15.4f}{c['auc']:>12.4f}",
            f"  {'per-gene AUC':<22}{c['per_gene_auc_before']:>15.4f}{c['per_gene_auc']:>12.4f}",
            f"  {'top-10 P spread':<22}{c['top10_spread_before']:>15.4f}{c['top10_spread']:>12.4f}"
            f"   (median over {c['spread_queries']} genes of max - min P of their top 10 partners)"]


def partner_lines(quality: dict) -> list[str]:
    """Hub concentration of top-10 partner lists and their gene-set precision beside cosine's."""
    lines = [f"hub concentration, {name}: the top 10 of {h['queries']} random genes hold {h['distinct']:,} "
             f"distinct genes; the most frequent ({h['top_gene']}) is in {h['max_share']:.1%} of the lists"
             for name, h in quality["hubness"].items()]
    lines += [f"top 10 that share a set of {name} (5-200 genes) with the gene: pair model "
              f"{p['pair_model']['precision']:.3f}, cosine neighbours {p['cosine']['precision']:.3f}, "
              f"random {p['cosine']['random']:.3f}" for name, p in quality["partner_precision"].items()]
    return lines


def method_lines(quality: dict[str, dict]) -> list[str]:
    """Embedding methods side by side on the same pairs, genes and gene sets (each method's
    ``quality`` stage record), with the raw co-expression and random genes beneath."""
    first = next(iter(quality.values()))
    files = list(first["neighbours"])
    head = f"{'method':<30} {'pair AUC':>8} {'clus.':>6} " + " ".join(f"{'p@10 ' + f[:14]:>20}" for f in files)
    lines = [head]

    def row(label: str, clus: dict, neighbours: dict) -> str:
        return (f"{label:<30} {clus['pair_auc']:>8.3f} {clus['ratio']:>6.2f} "
                + " ".join(f"{neighbours[f]['precision']:>20.3f}" for f in files))

    for method, q in quality.items():
        lines.append(row(method, q["clusteredness"]["cosine"], {f: r["embedding"] for f, r in q["neighbours"].items()}))
        if "without_postprocessing" in q:
            w = q["without_postprocessing"]
            lines.append(row(f"  {method} (not post-processed)", w["clusteredness"], w["neighbours"]))
    if "coexpression" in first["clusteredness"]:
        co = first["clusteredness"]["coexpression"]
        lines.append(f"{'raw co-expression (Fisher z)':<30} {co['pair_auc']:>8.3f} {'-':>6} "
                     + " ".join(f"{first['neighbours'][f]['coexpression']['precision']:>20.3f}" for f in files))
    lines.append(f"{'random genes':<30} {0.5:>8.3f} {1.0:>6.2f} "
                 + " ".join(f"{first['neighbours'][f]['embedding']['random']:>20.3f}" for f in files))
    for f in files:
        lines.append(f"by support tier, {f} (precision@10 / random for that tier; cone = median cosine to the "
                     "mean direction):")
        for method, q in quality.items():
            tiers = q.get("support", {}).get(f, {})
            lines.append(f"  {method:<28} " + "  ".join(
                f"{name} {t.get('precision', float('nan')):.3f}/{t.get('random', float('nan')):.3f} "
                f"cone {t['cone']:.2f}" for name, t in tiers.items()))
    return lines


def compare_lines(result: dict, names: tuple[str, str]) -> list[str]:
    """Two embeddings' figures on their shared genes, in columns beside the raw co-expression and
    random genes, then how far each gene's neighbours agree."""
    g, a, b, co, o = result["genes"], result["a"], result["b"], result.get("coexpression"), result["overlap"]
    width = max(12, *(len(n) for n in names))
    lines = [f"A = {names[0]} ({g['a']:,} genes), B = {names[1]} ({g['b']:,} genes); every figure on the "
             f"{g['shared']:,} genes of both",
             f"{'':<30} {names[0]:>{width}} {names[1]:>{width}} {'raw co-expr.':>12} {'random':>8}"]

    def row(label: str, va: float, vb: float, vc: float | None, vr: float | None, digits: int = 3) -> str:
        cells = [f"{v:>{w}.{digits}f}" if v is not None else f"{'-':>{w}}"
                 for v, w in ((va, width), (vb, width), (vc, 12), (vr, 8))]
        return f"{label:<30} " + " ".join(cells)

    lines.append(row("pathway-pair AUC", a["clusteredness"]["pair_auc"], b["clusteredness"]["pair_auc"],
                     co and co["pair_auc"], 0.5))
    lines.append(row("clusteredness (cosine)", a["clusteredness"]["ratio"], b["clusteredness"]["ratio"], None, 1.0,
                     2))
    for name, report in a["neighbours"].items():
        label = f"precision@{o['k']}, {name.removesuffix('.gz').removesuffix('.gmt')[:17]}"
        lines.append(row(label, report["precision"], b["neighbours"][name]["precision"],
                         co and co["neighbours"][name]["precision"], report["random"]))
    lines.append(f"neighbour agreement (Jaccard of each gene's top {o['k']} in A and in B): mean {o['mean']:.3f}, "
                 f"median {o['q50']:.3f} (10-90%: {o['q10']:.3f}-{o['q90']:.3f}); no neighbour in common "
                 f"{o['none_shared']:.1%}, half or more {o['half_or_more']:.1%}; random lists {o['random']:.4f}")
    for tier, d in o.get("by_support", {}).items():
        lines.append(f"  support in A {tier:<8} ({d['genes']:,} genes): mean {d['mean']:.3f}, median {d['q50']:.3f}, "
                     f"none in common {d['none_shared']:.1%}")
    return lines


def function_lines(name: str, r: dict) -> list[str]:
    """One library's term prediction: each method's gene-centric and term-centric AUC, and beside them
    the size prior, multifunctionality, raw co-expression, random vectors (alone and with the
    profiles: the model without the embedding) and the library shuffled across genes; the best method
    per support tier, its top-10 precision and its calibration."""
    if "skipped" in r:
        return [f"{name}: skipped ({r['skipped']}; {r['terms']} terms, {r['genes_annotated']} genes)"]
    lines = [f"{name}: {r['terms']} terms, {r['genes_annotated']} annotated genes, {r['genes_sampled']} scored "
             f"out of fold ({r['genes_graded']} with >= 5 terms, {r['terms_graded']} terms with >= 3 of them)",
             f"  {'method':16s} {'gene-centric':>12s} {'term-centric':>12s} {'random vec.':>12s} {'shuffled':>9s}"]
    for m, g in r["gene_centric"].items():
        if m == "size_prior":
            continue
        noise = r["random_vectors"]["gene_centric"].get(m, float("nan"))
        lines.append(f"  {m:16s} {g:12.3f} {r['term_centric'][m]:12.3f} "
                     f"{noise:12.3f} {r['shuffled_labels']['gene_centric'][m]:9.3f}")
    if "coexpression" not in r["gene_centric"]:
        lines.append(f"  {'coexpression':16s} skipped: the bundle has no evidence files (the data sets' features "
                     "too; the atlases' are still read)")
    lines.append(f"  baselines: term-size prior (gene-centric) {r['gene_centric']['size_prior']:.3f}, "
                 f"multifunctionality (term-centric): terms per gene {r['term_centric']['multifunctionality']:.3f}, "
                 f"learned from the vectors {r['term_centric']['degree_learned']:.3f}")
    top = r["top10_precision"]
    if "profiles_alone" in r:
        alone, best = r["profiles_alone"], next(iter(top))
        lines.append(f"  without the embedding (random vectors, the same profiles): {best} gene-centric "
                     f"{alone['gene_centric'][best]:.3f}, term-centric {alone['term_centric'][best]:.3f}")
    lines.append("  top-10 precision of predicted terms (annotations held out): "
                 + ", ".join(f"{m} {v:.3f}" for m, v in top.items())
                 + f"; random vectors {r['random_vectors']['top10_precision'][next(iter(top))]:.3f}")
    best, shuffled = next(iter(top)), r["shuffled_labels"]
    lines.append(f"  shuffled labels: term-size prior {shuffled['gene_centric']['size_prior']:.3f} (sizes survive a "
                 f"shuffle, so gene-centric AUCs above 0.5 there are the prior's), {best} over that prior "
                 f"{shuffled['gene_centric'][best] - shuffled['gene_centric']['size_prior']:+.3f}; "
                 f"term-centric {sum(shuffled['term_centric_each']) / len(shuffled['term_centric_each']):.3f} (mean of "
                 f"{len(shuffled['term_centric_each'])} shuffles: "
                 + ", ".join(f"{v:.3f}" for v in shuffled["term_centric_each"]) + ")")
    c = r["calibration"]
    lines.append(f"  probability: ECE {c['ece']:.4f} (mean {c['mean_probability']:.4f} vs member rate "
                 f"{c['member_rate']:.4f}); shuffled labels ECE {r['shuffled_labels']['calibration']['ece']:.4f}")
    for tier, t in r.get("by_support", {}).items():
        lines.append(f"  support {tier:9s} ({t['genes']:5d} genes) gene-centric: "
                     + ", ".join(f"{m} {v:.3f}" for m, v in t.items() if m != "genes"))
    return lines
