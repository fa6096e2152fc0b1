package org.reconvene.sweep;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command or a notebook: spark-submit's master when submitted, else the
 * given one or embedded {@code local[*]}; local sessions bind to 127.0.0.1 and run without the
 * UI.
 */
public final class SparkSessions {

    /**
     * Held so that the level set on it stays set: java.util.logging keeps loggers only weakly.
     *
     * <p>Spark routes java.util.logging into SLF4J. Where something lowers the JUL level (the
     * Jupyter kernel's logging configuration does), Janino's FINER trace calls reach that bridge,
     * whose message formatting throws inside Janino and makes every code-generated query fall
     * back to the slow interpreted path.
     */
    private static final Logger JANINO = Logger.getLogger("org.codehaus.janino");

    private SparkSessions() {}

    /** A session for {@code appName} on {@code master} (null: spark-submit's, else local[*]). */
    public static SparkSession create(String appName, String master) {
        JANINO.setLevel(Level.INFO);
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(m);
        if (m.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false");
        }
        return b.getOrCreate();
    }
}
