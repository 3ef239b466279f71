"""The same model on Spark (local mode) gives the same clusters as on DuckDB."""

from kafo.identity.linkage.linker import link
from kafo.identity.linkage.testsets import generate


def test_duckdb_and_spark_give_identical_clusters_and_scores(java_runtime):
    records = generate(160, seed=11).records  # about 300 records
    on_duckdb = link(records)
    on_spark = link(records, engine="spark", engine_options={"small": True})

    assert records.height > 280
    assert on_spark.clusters.equals(on_duckdb.clusters)
    assert on_spark.pairs.equals(on_duckdb.pairs)
    assert on_spark.parameters.prior == on_duckdb.parameters.prior
    assert on_duckdb.clusters["person_id"].n_unique() < records.height  # something was linked
