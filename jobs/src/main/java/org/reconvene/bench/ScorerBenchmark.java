package org.reconvene.bench;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.reconvene.engine.Engines;
import org.reconvene.mask.MaskScope;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.Network;
import org.reconvene.prune.UnstructuredPruner;
import org.reconvene.score.PruningData;
import org.reconvene.score.ReferenceSynFlowScorer;
import org.reconvene.score.Scorer;
import org.reconvene.score.ScorerSettings;
import org.reconvene.score.Scorers;
import org.reconvene.score.SynFlowScorer;
import org.reconvene.score.SynFlowTiming;

/**
 * How long each scorer takes to prune a fresh network, as a trial counts it ({@code prune_ms}:
 * scoring, masking, and putting the masks into the network), and for SynFlow the same against
 * its direct implementation ({@link ReferenceSynFlowScorer}, "before") and against SynFlow in
 * PyTorch eager ({@code bench/torch_synflow.py}), all in one run.
 *
 * <p>Before and after alternate {@code repeats} times on identically initialised networks; every
 * pair's masks must agree bit for bit, or the benchmark fails. The figure kept is the fastest of
 * the repeats for each side, the usual estimate of a run's cost on a shared machine.
 */
public final class ScorerBenchmark {

    /**
     * One model and scorer: fastest before/after {@code prune_ms} (before is -1 where the scorer
     * has one implementation), the weights scored, where SynFlow's fastest run on each side spent
     * its time (null for the other scorers), and the PyTorch peer's {@code prune_ms} and its time
     * outside its selection (masks in, passes and scores; -1 where none).
     */
    public record Row(String model, String scorer, long weights, long beforeMs, long afterMs,
            SynFlowTiming beforePhases, SynFlowTiming afterPhases, long torchMs, long torchFlowMs, String torchVersion) {}

    private ScorerBenchmark() {}

    /** Runs every scorer on {@code model} at {@code sparsity}; each row goes to {@code done} when measured. */
    public static void run(String model, double sparsity, List<String> scorers, int repeats, String python,
            Path script, Path scratch, Consumer<Row> done) {
        Architecture arch = Architectures.get(model);
        int classes = org.reconvene.data.Dataset.of(arch.datasets().get(0)).classes();
        PruningData pd = PruneBenchmark.pruningData(arch, classes, scratch);
        for (String name : scorers) {
            Row row = name.equals("synflow")
                    ? synflow(arch, classes, sparsity, repeats, pd, python, script)
                    : single(arch, classes, name, sparsity, repeats, pd);
            done.accept(row);
        }
    }

    private static Row single(Architecture arch, int classes, String name, double sparsity, int repeats,
            PruningData pd) {
        long best = Long.MAX_VALUE;
        long weights = 0;
        for (int r = 0; r < repeats; r++) {
            Run run = prune(arch, classes, Scorers.get(name), sparsity, pd);
            best = Math.min(best, run.ms());
            weights = run.weights();
        }
        return new Row(arch.name(), name, weights, -1, best, null, null, -1, -1, "");
    }

    private static Row synflow(Architecture arch, int classes, double sparsity, int repeats, PruningData pd,
            String python, Path script) {
        long before = Long.MAX_VALUE;
        long after = Long.MAX_VALUE;
        SynFlowTiming beforePhases = null;
        SynFlowTiming afterPhases = null;
        long weights = 0;
        for (int r = 0; r < repeats; r++) {
            SynFlowTiming[] t = new SynFlowTiming[2];
            Run ref = prune(arch, classes, new ReferenceSynFlowScorer(x -> t[0] = x), sparsity, pd);
            Run fast = prune(arch, classes, new SynFlowScorer(x -> t[1] = x), sparsity, pd);
            requireIdentical(arch.name(), ref.masks(), fast.masks());
            if (ref.ms() < before) {
                before = ref.ms();
                beforePhases = t[0];
            }
            if (fast.ms() < after) {
                after = fast.ms();
                afterPhases = t[1];
            }
            weights = fast.weights();
        }
        JsonObject torch = PythonPeer.run(python, script, "--model", arch.name(),
                "--sparsity", String.valueOf(sparsity), "--threads", String.valueOf(Engines.threads()),
                "--classes", String.valueOf(classes), "--rounds", String.valueOf(ScorerSettings.defaults().synflowRounds()));
        if (torch.get("weights").getAsLong() != weights) {
            throw new IllegalStateException("the PyTorch " + arch.name() + " scores " + torch.get("weights")
                    + " weights, Reconvene's " + weights + "; the peer is not the same network");
        }
        return new Row(arch.name(), "synflow", weights, before, after, beforePhases, afterPhases,
                torch.get("prune_ms").getAsLong(), torch.get("flow_ms").getAsLong(), torch.get("torch").getAsString());
    }

    private record Run(long ms, long weights, Map<String, float[]> masks) {}

    private static Run prune(Architecture arch, int classes, Scorer scorer, double sparsity, PruningData pd) {
        try (Network net = Network.builder().setSpec(arch.defaultSpec(classes)).optSeed(0).build()) {
            UnstructuredPruner p = new UnstructuredPruner(scorer, MaskScope.GLOBAL, false, ScorerSettings.defaults());
            UnstructuredPruner.Outcome o = p.prune(net, scorer.needsData() ? pd : null, 1 - sparsity, 0);
            long weights = o.masks().values().stream().mapToLong(m -> m.length).sum();
            return new Run(o.pruneMs(), weights, o.masks());
        }
    }

    private static void requireIdentical(String model, Map<String, float[]> before, Map<String, float[]> after) {
        if (!before.keySet().equals(after.keySet())) {
            throw new IllegalStateException(model + ": the two SynFlow implementations masked different weights");
        }
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            float[] b = e.getValue();
            float[] a = after.get(e.getKey());
            for (int i = 0; i < b.length; i++) {
                if (Float.floatToRawIntBits(b[i]) != Float.floatToRawIntBits(a[i])) {
                    throw new IllegalStateException(model + ": SynFlow masks differ at " + e.getKey() + "[" + i + "]");
                }
            }
        }
    }
}
