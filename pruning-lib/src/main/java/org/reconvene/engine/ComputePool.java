package org.reconvene.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Runs the library's own parallel Java loops (parallel streams) on as many threads as PyTorch
 * may use in this JVM, instead of on the common fork-join pool, which is sized to the machine.
 *
 * <p>A Spark task gets {@code spark.task.cpus} cores and sets PyTorch's threads to match
 * ({@link Engines#setThreads}); a parallel stream on the common pool would still spread over every
 * core of the host and take time from the trials of other executors. Measured on 2 cores with
 * two one-core executors: the top-k selection's common-pool worker used 2 s of CPU per executor
 * in a 50 s sweep (docs/PERFORMANCE.md). Pools are created on first use per size and live as
 * long as the JVM; their threads are daemons.
 */
public final class ComputePool {

    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private ComputePool() {}

    /**
     * Evaluates {@code work} in a fork-join pool of {@link Engines#threads()} threads, so that
     * parallel streams inside it use at most that many. Exceptions reach the caller unchanged.
     */
    public static <T> T call(Supplier<T> work) {
        int threads = budget();
        ForkJoinPool pool = POOLS.computeIfAbsent(threads, ForkJoinPool::new);
        try {
            return pool.submit(work::get).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = original(e.getCause());
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * The exception as thrown: fork-join rethrows one from another thread as a new instance of the
     * same class whose cause is the original, which would prefix the message a user sees.
     */
    private static Throwable original(Throwable t) {
        while (t != null && t.getCause() != null && t.getCause().getClass() == t.getClass()) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The threads parallel work may use: PyTorch's thread budget once the engine is loaded (in a
     * Spark task, {@code spark.task.cpus}); before that, in a JVM that only reads or writes data
     * (datagen, a sweep driver generating data), every core, without loading the engine for it.
     */
    static int budget() {
        return Engines.isLoaded() ? Math.max(1, Engines.threads()) : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code body} for every index in {@code [0, n)} in parallel within {@link #budget()}; the
     * first failure reaches the caller as thrown, and the remaining indices may be skipped.
     */
    public static void forEach(int n, IntConsumer body) {
        run(() -> IntStream.range(0, n).parallel().forEach(body));
    }

    /** {@link #call} for work without a result. */
    public static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }
}
