package org.reconvene.sweep;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The one local[2] Spark session shared by the tests of a class, bound to 127.0.0.1 with the UI
 * off, so tests start Spark once and never touch the network.
 */
public abstract class SparkTestBase {

    protected static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("reconvene-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    /** The readable rows of {@code sweep} in the results at {@code uri}, through the one reader. */
    protected static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows(String uri, String sweep) {
        return org.reconvene.results.ResultTable.at(uri, spark.sparkContext().hadoopConfiguration()).rows(spark, sweep);
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
    }
}
