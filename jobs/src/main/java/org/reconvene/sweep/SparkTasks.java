package org.reconvene.sweep;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.reconvene.engine.Engines;
import org.reconvene.results.ResultTable;
import org.reconvene.trial.DatasetCache;

/**
 * The one way sweeps and searches run work on executors: one item per task, PyTorch threads set to
 * the task's {@code spark.task.cpus}, the executor named for provenance, and the results table
 * rebuilt on the executor from its URI and the driver's Hadoop settings.
 */
public final class SparkTasks {

    /** Datasets loaded once per executor JVM and shared by its tasks. */
    public static final DatasetCache DATASETS = new DatasetCache();

    /** What a task's body is given: where it runs, and the results table to commit to. */
    public record Context(String executor, ResultTable results) {}

    /** The work of one task. */
    @FunctionalInterface
    public interface Body<T> extends Serializable {
        void run(T item, Context context) throws Exception;
    }

    private SparkTasks() {}

    /** Runs {@code body} for every item, one task per item (in at most {@code slices} partitions; 0 for one each). */
    public static <T extends Serializable> void forEach(SparkSession spark, List<T> items, int slices, ResultTable table,
            Body<T> body) {
        if (items.isEmpty()) {
            return;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, String>> conf = jsc.broadcast(asMap(table.conf()));
        String uri = table.uri();
        int partitions = slices > 0 ? Math.min(slices, items.size()) : items.size();
        jsc.parallelize(items, partitions).foreach(item -> {
            TaskContext task = TaskContext.get();
            Engines.setThreads(task == null ? 1 : task.cpus());
            String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
            body.run(item, new Context(executor, ResultTable.at(uri, fromMap(conf.value()))));
        });
    }

    /** The PyTorch threads each task of this session runs with: {@code spark.task.cpus}. */
    public static int taskThreads(SparkSession spark) {
        return Integer.parseInt(spark.sparkContext().getConf().get("spark.task.cpus", "1"));
    }

    private static Map<String, String> asMap(Configuration conf) {
        Map<String, String> m = new HashMap<>();
        conf.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    private static Configuration fromMap(Map<String, String> m) {
        Configuration c = new Configuration(false);
        m.forEach(c::set);
        return c;
    }
}
