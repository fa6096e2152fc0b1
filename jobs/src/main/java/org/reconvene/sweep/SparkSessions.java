package org.reconvene.sweep;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * The environment variables a driver forwards to its executors ({@code spark.executorEnv.*})
     * unless the submission sets them: the platform's own settings and DJL's cache directory, which
     * every executor needs the same as the driver.
     */
    static final List<String> FORWARDED_PREFIXES = List.of("RECONVENE_", "DJL_");

    /**
     * A session for {@code appName} on {@code master} (null: spark-submit's, else local[*]). Its
     * shuffles use a few partitions unless configured (results tables are small; Spark's default of
     * 200 made a report of six rows take most of a minute), plans of wide rows are described whole,
     * and the driver's {@code RECONVENE_*} and
     * {@code DJL_*} environment variables reach the executors.
     */
    public static SparkSession create(String appName, String master) {
        JANINO.setLevel(Level.INFO);
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(m);
        if (m.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false");
        }
        if (System.getProperty("spark.sql.shuffle.partitions") == null) {
            b.config("spark.sql.shuffle.partitions", "4");
        }
        if (System.getProperty("spark.sql.debug.maxToStringFields") == null) {
            // result rows have about a hundred columns; at Spark's default of 25 every query over
            // them printed a warning that a plan's description was truncated
            b.config("spark.sql.debug.maxToStringFields", "1000");
        }
        forwardedEnvironment(System.getenv(), System.getProperties()).forEach(b::config);
        boolean quiet = submittedWithSparksLogging();
        if (quiet) {
            b.config("spark.log.level", "WARN");
        }
        SparkSession session = b.getOrCreate();
        if (quiet) {
            try {
                org.apache.logging.log4j.core.config.Configurator.setLevel("org.reconvene",
                        org.apache.logging.log4j.Level.INFO);
            } catch (LinkageError | RuntimeException e) {
                // another logging backend: the platform's lines follow Spark's level
            }
        }
        return session;
    }

    /**
     * Whether the driver runs under {@code spark-submit} with Spark's own logging: INFO lines about
     * the context, stages and tasks by the hundred between the user and the platform's lines.
     * Then Spark logs at WARN ({@code spark.log.level}) and the platform at INFO, unless the
     * submission configures logging or that level itself.
     */
    static boolean submittedWithSparksLogging() {
        return System.getProperty("spark.master") != null && System.getProperty("spark.log.level") == null
                && System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null;
    }

    /** The {@code spark.executorEnv.*} settings forwarding {@code env}'s platform variables that {@code props} leaves unset. */
    static Map<String, String> forwardedEnvironment(Map<String, String> env, java.util.Properties props) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((k, v) -> {
            String key = "spark.executorEnv." + k;
            if (FORWARDED_PREFIXES.stream().anyMatch(k::startsWith) && props.getProperty(key) == null) {
                out.put(key, v);
            }
        });
        return out;
    }
}
