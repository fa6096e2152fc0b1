package org.reconvene.cli;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a CLI command: spark-submit's master when submitted, else the given one
 * or embedded {@code local[*]}; local sessions bind to 127.0.0.1 and run without the UI.
 */
final class SparkSessions {

    private SparkSessions() {}

    static SparkSession create(String appName, String master) {
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(m);
        if (m.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false");
        }
        return b.getOrCreate();
    }
}
