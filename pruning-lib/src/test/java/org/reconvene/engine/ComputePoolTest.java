package org.reconvene.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

    /** The threads a parallel stream of slow elements ran on, inside the pool. */
    private static Set<String> threadsUsed() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        ComputePool.run(() -> IntStream.range(0, 64).parallel().forEach(i -> {
            names.add(Thread.currentThread().getName());
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return names;
    }

    @Test
    void parallelStreamsStayWithinPyTorchsThreadBudget() {
        int before = Engines.threads();
        try {
            Engines.setThreads(1);
            Set<String> one = threadsUsed();
            assertEquals(1, one.size(), "one thread allowed, used " + one);
            Engines.setThreads(2);
            Set<String> two = threadsUsed();
            assertTrue(two.size() <= 2, "two threads allowed, used " + two);
            for (String name : one) {
                assertFalse(name.contains("commonPool"), name);
            }
            for (String name : two) {
                assertFalse(name.contains("commonPool"), name);
            }
        } finally {
            Engines.setThreads(before);
        }
    }

    @Test
    void exceptionsReachTheCallerUnchanged() {
        IllegalStateException thrown = new IllegalStateException("NaN score");
        IllegalStateException caught = assertThrows(IllegalStateException.class, () -> ComputePool.call(() -> {
            throw thrown;
        }));
        assertSame(thrown, caught);
    }

    @Test
    void forEachStaysInTheBudgetAndRethrowsTheFirstFailureAsThrown() {
        int before = Engines.threads();
        try {
            Engines.setThreads(1);
            Set<String> names = ConcurrentHashMap.newKeySet();
            ComputePool.forEach(32, i -> names.add(Thread.currentThread().getName()));
            assertEquals(1, names.size(), "one thread allowed, used " + names);
            assertFalse(names.iterator().next().contains("commonPool"));
        } finally {
            Engines.setThreads(before);
        }
        IllegalArgumentException thrown = new IllegalArgumentException("corrupt JPEG x.JPEG");
        IllegalArgumentException caught = assertThrows(IllegalArgumentException.class, () -> ComputePool.forEach(100,
                i -> {
                    if (i == 57) {
                        throw thrown;
                    }
                }));
        assertSame(thrown, caught);
    }
}
